"""Posts the ledger entries for the demo town's paid and refunded orders, in bulk.

The demo writes a year of orders straight to the database (no signals fire), so this hook
posts what the live signals would have posted (sale, commission, refunds, settlement) with
the same leg builders and idempotency keys as services.py, in chunks, with one UPDATE of
account balances at the end. Entries are written unsealed and sealed per chunk by one UPDATE,
so the database's balance guard checks every one of them.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select, text, update

from marketplace.demo.bulk import bulk_insert, iter_chunks, next_id
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Order, OrderStatus, Payment, PaymentMethod, PaymentStatus, Refund

from .chart import MERCHANT_AVAILABLE, MERCHANT_PENDING
from .models import JournalEntry, LedgerAccount, Posting, Settlement
from .posting import Leg, check_balanced, debit, credit, get_account
from .services import commission_for, commission_legs, refund_legs, sale_legs


class _Books:
    """Rows for one chunk of orders, with ids numbered here so postings can point at their entries."""

    def __init__(self, rng):
        self.rng = rng
        self.entries: list[dict] = []
        self.postings: list[dict] = []
        self.settlements: list[dict] = []
        self.next_entry = next_id(JournalEntry)
        self.next_posting = next_id(Posting)
        self.accounts: dict[str, int] = {}

    def account_id(self, leg: Leg) -> int:
        key = LedgerAccount.make_key(leg.account_type, leg.shop_id, leg.amount.currency)
        found = self.accounts.get(key)
        if found is None:
            found = self.accounts[key] = get_account(leg.account_type, leg.shop_id, leg.amount.currency).id
        return found

    def post(self, kind: str, legs: list[Leg], *, shop_id, order_id, reference, key, at, description) -> int:
        check_balanced(legs)
        entry_id = self.next_entry
        self.next_entry += 1
        self.entries.append({
            "id": entry_id, "public_id": "je_%016x" % self.rng.getrandbits(63), "kind": kind,
            "description": description, "shop_id": shop_id, "order_id": order_id, "reference": reference,
            "idempotency_key": key, "reverses_id": None, "sealed": False, "effective_at": at, "created_at": at,
        })
        for leg in legs:
            self.postings.append({"id": self.next_posting, "entry_id": entry_id, "account_id": self.account_id(leg),
                                  "amount": leg.amount.amount, "currency": leg.amount.currency})
            self.next_posting += 1
        return entry_id

    def write(self) -> None:
        if not self.entries:
            return
        bulk_insert(JournalEntry, self.entries)
        bulk_insert(Posting, self.postings)
        first, last = self.entries[0]["id"], self.entries[-1]["id"]
        db.session.execute(update(JournalEntry).where(JournalEntry.id.between(first, last))
                           .values(sealed=True).execution_options(synchronize_session=False))
        if self.settlements:
            bulk_insert(Settlement, self.settlements)
        self.entries, self.postings, self.settlements = [], [], []


def post_demo_ledger(ctx) -> int:
    """Seed hook: entries for every succeeded payment whose order has no sale entry yet. Returns orders posted."""
    delay = timedelta(days=current_app.config["SETTLEMENT_DELAY_DAYS"])
    books = _Books(ctx.random("ledger"))
    posted = select(JournalEntry.order_id).where(JournalEntry.kind == "sale", JournalEntry.order_id.is_not(None))
    total = db.session.execute(select(func.count(Payment.id)).where(
        Payment.status == PaymentStatus.succeeded, Payment.order_id.not_in(posted))).scalar()
    stmt = (select(Order.id, Order.public_id, Order.shop_id, Order.status, Order.completed_at, Payment.public_id,
                   Payment.method, Payment.amount, Payment.currency, Payment.succeeded_at, Payment.id)
            .join(Payment, Payment.order_id == Order.id)
            .where(Payment.status == PaymentStatus.succeeded, Order.id.not_in(posted))
            .order_by(Order.id))
    count = 0
    chunks = ctx.iter_chunks(stmt, chunk_size=2000)
    for chunk in ctx.progress(chunks, total=(total + 1999) // 2000, desc="ledger"):
        refunds: dict[int, list] = {}
        for row in db.session.execute(select(Refund.payment_id, Refund.id, Refund.public_id, Refund.amount,
                                             Refund.created_at)
                                      .where(Refund.payment_id.in_([r[10] for r in chunk])).order_by(Refund.id)):
            refunds.setdefault(row[0], []).append(row)
        for (oid, o_public, shop, status, completed_at, p_public, method, amount, currency, paid_at,
             pay_id) in chunk:
            _post_order(books, ctx.end, delay, oid, o_public, shop, status, completed_at, p_public,
                        PaymentMethod(method), Money(amount, currency), paid_at, refunds.get(pay_id, []))
            count += 1
        books.write()
        db.session.flush()
    _recount_balances()
    return count


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; every time here is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _post_order(books, now, delay, oid, o_public, shop, status, completed_at, p_public, method, amount, paid_at,
                refunds) -> None:
    now, completed_at, paid_at = _utc(now), _utc(completed_at), _utc(paid_at)
    pending = 0
    books.post("sale", sale_legs(shop, amount, method), shop_id=shop, order_id=oid, reference=p_public,
               key=f"sale:order:{oid}", at=paid_at,
               description=f"{'Cash' if method == PaymentMethod.cash else 'Card'} sale {o_public}")
    if method == PaymentMethod.card:
        pending += amount.amount
    commission = commission_for(amount)
    if commission.amount:
        books.post("commission", commission_legs(shop, commission), shop_id=shop, order_id=oid, reference=p_public,
                   key=f"commission:order:{oid}", at=paid_at, description=f"Commission on {o_public}")
        pending -= commission.amount
    settles_at = completed_at + delay if (status == OrderStatus.completed and completed_at) else None
    settled = settles_at is not None and settles_at <= now
    settlement_done = False
    for _pid, rid, r_public, r_amount, r_at in refunds:
        r_at = _utc(r_at)
        if settled and not settlement_done and r_at >= settles_at:
            _settle(books, shop, oid, o_public, Money(pending, amount.currency), settles_at)
            settlement_done = True
        refund = Money(r_amount, amount.currency)
        books.post("refund", refund_legs(shop, refund, method, settled=settlement_done), shop_id=shop, order_id=oid,
                   reference=r_public, key=f"refund:{rid}", at=r_at, description=f"Refund on {o_public}")
        if method == PaymentMethod.card and not settlement_done:
            pending -= r_amount
    if settled and not settlement_done:
        _settle(books, shop, oid, o_public, Money(pending, amount.currency), settles_at)


def _settle(books, shop, oid, o_public, amount: Money, at) -> None:
    entry_id = None
    if amount.amount:
        entry_id = books.post("settlement", [debit(MERCHANT_PENDING.code, amount, shop),
                                             credit(MERCHANT_AVAILABLE.code, amount, shop)],
                              shop_id=shop, order_id=oid, reference=o_public, key=f"settle:order:{oid}", at=at,
                              description=f"Settlement of {o_public}")
    books.settlements.append({"order_id": oid, "shop_id": shop, "amount": amount.amount, "currency": amount.currency,
                              "entry_id": entry_id, "settled_at": at})


def _recount_balances() -> None:
    """Every account's balance is the sum of its postings: one statement instead of a million increments."""
    db.session.execute(text(
        "UPDATE ledger_accounts SET balance_amount = "
        "(SELECT COALESCE(SUM(amount), 0) FROM ledger_postings WHERE account_id = ledger_accounts.id)"))
    db.session.expire_all()
