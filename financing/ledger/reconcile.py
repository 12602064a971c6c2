"""Reconciliation: does every entry balance, every balance equal its postings, every paid order have its entries?

Each check returns a list of human-readable problems; an empty list means the books agree.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Payment, PaymentStatus, Refund

from .models import JournalEntry, LedgerAccount, Posting

# Checks other areas add to `check_books` (credit's loan book, say): each returns a list of problems.
_EXTRA_CHECKS: dict[str, Callable[[], list[str]]] = {}


def register_check(name: str, check: Callable[[], list[str]]) -> None:
    """Add an area's own reconciliation to `check_books` (and so to `flask ledger reconcile`)."""
    _EXTRA_CHECKS[name] = check


def unbalanced_entries() -> list[str]:
    rows = db.session.execute(
        select(JournalEntry.public_id, Posting.currency, func.sum(Posting.amount))
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .group_by(JournalEntry.id, JournalEntry.public_id, Posting.currency)
        .having(func.sum(Posting.amount) != 0)
    ).all()
    problems = [f"entry {pid} is off by {total} in {cur}" for pid, cur, total in rows]
    unsealed = db.session.execute(select(JournalEntry.public_id).where(JournalEntry.sealed.is_(False))).scalars()
    problems += [f"entry {pid} was never sealed (its postings were not all written)" for pid in unsealed]
    return problems


def balances_that_disagree() -> list[str]:
    sums = (select(Posting.account_id, func.sum(Posting.amount).label("total"))
            .group_by(Posting.account_id).subquery())
    rows = db.session.execute(
        select(LedgerAccount.key, LedgerAccount.balance_amount, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
        .where(LedgerAccount.balance_amount != func.coalesce(sums.c.total, 0))
    ).all()
    return [f"account {key} shows {shown} but its postings sum to {total}" for key, shown, total in rows]


def paid_orders_without_entries() -> list[str]:
    sales = select(JournalEntry.order_id).where(JournalEntry.kind == "sale")
    missing = db.session.execute(
        select(Payment.public_id).where(Payment.status == PaymentStatus.succeeded, Payment.order_id.not_in(sales))
    ).scalars().all()
    problems = [f"payment {pid} succeeded but its order has no sale entry" for pid in missing]
    refunded = select(JournalEntry.idempotency_key).where(JournalEntry.kind == "refund")
    rows = db.session.execute(select(Refund.id, Refund.public_id)).all()
    keys = set(db.session.execute(refunded).scalars())
    problems += [f"refund {pid} has no refund entry" for rid, pid in rows if f"refund:{rid}" not in keys]
    return problems


def check_postings() -> list[str]:
    """The books agree with themselves: what the test suite checks after every test (a test that
    writes paid orders around the signals, like a partial demo seed, still passes this one)."""
    return unbalanced_entries() + balances_that_disagree()


def check_books() -> list[str]:
    """Every database-only check (no provider): the postings, every paid order and refund posted, and
    the checks other areas registered (credit: loans receivable, fees and write-offs)."""
    problems = check_postings() + paid_orders_without_entries()
    for check in _EXTRA_CHECKS.values():
        problems += check()
    return problems
