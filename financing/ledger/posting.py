"""Posting balanced journal entries: the one way money moves in the books."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.money import Money

from .chart import account_type
from .errors import UnbalancedEntry
from .models import JournalEntry, LedgerAccount, Posting


@dataclass(frozen=True)
class Leg:
    """One side of an entry: an account (by type and shop) and a signed amount, debit positive."""

    account_type: str
    amount: Money
    shop_id: int | None = None


def debit(account_type_code: str, amount: Money, shop_id: int | None = None) -> Leg:
    return Leg(account_type_code, amount, shop_id)


def credit(account_type_code: str, amount: Money, shop_id: int | None = None) -> Leg:
    return Leg(account_type_code, -amount, shop_id)


def get_account(type_code: str, shop_id: int | None, currency: str) -> LedgerAccount:
    """The account for this type, shop and currency, created on first use (safe under concurrency)."""
    kind = account_type(type_code)
    if kind.per_shop and shop_id is None:
        raise ValueError(f"a {type_code} account belongs to a shop; pass shop_id")
    if not kind.per_shop:
        shop_id = None
    key = LedgerAccount.make_key(type_code, shop_id, currency)
    found = db.session.execute(select(LedgerAccount).where(LedgerAccount.key == key)).scalar_one_or_none()
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            account = LedgerAccount(key=key, type=type_code, shop_id=shop_id, currency=currency, balance_amount=0)
            db.session.add(account)
        return account
    except IntegrityError:
        return db.session.execute(select(LedgerAccount).where(LedgerAccount.key == key)).scalar_one()


def check_balanced(legs: Iterable[Leg]) -> None:
    legs = list(legs)
    if len(legs) < 2:
        raise UnbalancedEntry("A journal entry needs at least two postings.")
    sums: dict[str, int] = defaultdict(int)
    for leg in legs:
        if not isinstance(leg.amount, Money):
            raise UnbalancedEntry("Posting amounts must be Money.")
        if leg.amount.amount == 0:
            raise UnbalancedEntry("A posting of zero moves nothing; leave it out.")
        sums[leg.amount.currency] += leg.amount.amount
    unbalanced = {cur: s for cur, s in sums.items() if s != 0}
    if unbalanced:
        detail = ", ".join(f"{cur} off by {s}" for cur, s in sorted(unbalanced.items()))
        raise UnbalancedEntry(f"A journal entry must balance: {detail}.")


def post_entry(kind: str, legs: Iterable[Leg], *, description: str = "", shop_id: int | None = None,
               order_id: int | None = None, reference: str | None = None, idempotency_key: str | None = None,
               effective_at: datetime | None = None, reverses_id: int | None = None) -> JournalEntry:
    """Write one balanced entry in the caller's transaction (no commit) and return it.

    With an `idempotency_key` already used, the earlier entry is returned and nothing is written,
    so a signal or webhook delivered twice posts once.
    """
    legs = [leg for leg in legs]
    check_balanced(legs)
    if idempotency_key:
        earlier = db.session.execute(
            select(JournalEntry).where(JournalEntry.idempotency_key == idempotency_key)
        ).scalar_one_or_none()
        if earlier is not None:
            return earlier
    entry = JournalEntry(kind=kind, description=description[:255], shop_id=shop_id, order_id=order_id,
                         reference=reference, idempotency_key=idempotency_key, reverses_id=reverses_id,
                         sealed=False)
    if effective_at is not None:
        entry.effective_at = effective_at
    db.session.add(entry)
    db.session.flush()
    for leg in legs:
        account = get_account(leg.account_type, leg.shop_id, leg.amount.currency)
        db.session.add(Posting(entry_id=entry.id, account_id=account.id, amount=leg.amount.amount,
                               currency=leg.amount.currency))
        # An atomic increment: two transactions posting to one account never lose an update.
        db.session.execute(update(LedgerAccount).where(LedgerAccount.id == account.id)
                           .values(balance_amount=LedgerAccount.balance_amount + leg.amount.amount)
                           .execution_options(synchronize_session=False))
        db.session.expire(account, ["balance_amount"])
    db.session.flush()
    entry.sealed = True
    db.session.flush()
    return entry


def reverse_entry(entry_id: int, *, description: str = "", idempotency_key: str | None = None) -> JournalEntry:
    """Correct a mistake the only allowed way: a new entry with every posting negated."""
    original = db.session.get(JournalEntry, entry_id)
    if original is None:
        raise ValueError(f"no journal entry {entry_id}")
    legs = [Leg(p.account.type, -p.money, p.account.shop_id) for p in original.postings]
    return post_entry("reversal", legs, description=description or f"Reversal of {original.public_id}",
                      shop_id=original.shop_id, order_id=original.order_id, reference=original.public_id,
                      idempotency_key=idempotency_key or f"reverse:{original.id}", reverses_id=original.id)
