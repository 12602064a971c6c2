"""A merchant's statement: every entry that changed what it is owed, with the running balance after it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from marketplace.extensions import db
from marketplace.money import Money

from .chart import MERCHANT_AVAILABLE, MERCHANT_PENDING
from .models import JournalEntry, LedgerAccount, Posting

# Words for entry kinds, for pages and CSV (other areas' kinds show as they are named).
KINDS = ("sale", "commission", "refund", "settlement", "payout", "payout_returned", "reversal", "adjustment")


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    public_id: str
    kind: str
    description: str
    reference: str | None
    order_id: int | None
    effective_at: datetime
    available: Money  # how this entry changed the available balance (positive: more owed to the merchant)
    pending: Money
    balance_after: Money  # available + pending after this entry

    @property
    def amount(self) -> Money:
        return self.available + self.pending

    def to_json(self) -> dict:
        return {"id": self.public_id, "object": "balance_transaction", "type": self.kind,
                "description": self.description, "reference": self.reference,
                "created": int(self.effective_at.timestamp()),
                "amount": self.amount.amount, "currency": self.amount.currency,
                "available_change": self.available.amount, "pending_change": self.pending.amount,
                "balance_after": self.balance_after.amount}


def _owed_accounts(shop_id: int, currency: str) -> dict[int, str]:
    rows = db.session.execute(select(LedgerAccount.id, LedgerAccount.type).where(
        LedgerAccount.shop_id == shop_id, LedgerAccount.currency == currency,
        LedgerAccount.type.in_([MERCHANT_AVAILABLE.code, MERCHANT_PENDING.code]))).all()
    return {account_id: type_code for account_id, type_code in rows}


def statement(shop_id: int, currency: str, *, kind: str | None = None, since: datetime | None = None,
              until: datetime | None = None, before_entry_id: int | None = None,
              limit: int | None = 50) -> list[StatementLine]:
    """Newest first. Filters narrow the lines shown; the running balance always counts every entry."""
    accounts = _owed_accounts(shop_id, currency)
    if not accounts:
        return []
    available_ids = [a for a, t in accounts.items() if t == MERCHANT_AVAILABLE.code] or [-1]
    per_entry = (
        select(Posting.entry_id.label("entry_id"),
               (-func.sum(case((Posting.account_id.in_(available_ids), Posting.amount), else_=0))).label("available"),
               (-func.sum(case((Posting.account_id.in_(available_ids), 0), else_=Posting.amount))).label("pending"))
        .where(Posting.account_id.in_(list(accounts)))
        .group_by(Posting.entry_id)
        .subquery()
    )
    running = select(
        per_entry.c.entry_id, per_entry.c.available, per_entry.c.pending,
        func.sum(per_entry.c.available + per_entry.c.pending).over(order_by=per_entry.c.entry_id).label("after"),
    ).subquery()
    stmt = (select(JournalEntry, running.c.available, running.c.pending, running.c.after)
            .join(running, running.c.entry_id == JournalEntry.id))
    if kind:
        stmt = stmt.where(JournalEntry.kind == kind)
    if since is not None:
        stmt = stmt.where(JournalEntry.effective_at >= since)
    if until is not None:
        stmt = stmt.where(JournalEntry.effective_at < until)
    if before_entry_id is not None:
        stmt = stmt.where(JournalEntry.id < before_entry_id)
    stmt = stmt.order_by(JournalEntry.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return [StatementLine(e.id, e.public_id, e.kind, e.description, e.reference, e.order_id, e.effective_at,
                          Money(int(avail), currency), Money(int(pend), currency), Money(int(after), currency))
            for e, avail, pend, after in db.session.execute(stmt).all()]


def entry_id_for(public_id: str) -> int | None:
    return db.session.execute(select(JournalEntry.id).where(JournalEntry.public_id == public_id)).scalar()
