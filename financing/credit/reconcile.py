"""Credit's part of `flask ledger reconcile`: the loan book and the ledger agree to the minor unit.

- each shop's `loans_receivable` equals what its loans still owe (principal + fee, less repayments and
  write-offs), for every shop with either a loan or a receivable;
- `credit_fee_income` equals the fees charged on every draw, and `credit_losses` what was written off;
- each loan's repayments add up to what the loan says was repaid, split into principal and fee.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from marketplace.extensions import db

from . import ledger_accounts as books
from .models import Loan, Repayment


def _ledger(type_code: str) -> dict[tuple[int | None, str], int]:
    """(shop, currency) -> balance as a person reads it, for every account of a type."""
    from financing.ledger.chart import account_type
    from financing.ledger.models import LedgerAccount

    kind = account_type(type_code)
    rows = db.session.execute(select(LedgerAccount.shop_id, LedgerAccount.currency, LedgerAccount.balance_amount)
                              .where(LedgerAccount.type == type_code)).all()
    return {(shop_id, currency): kind.shown(raw) for shop_id, currency, raw in rows}


def receivables_that_disagree() -> list[str]:
    owed: dict[tuple[int, str], int] = defaultdict(int)
    for shop_id, currency, total, repaid, written_off in db.session.execute(
            select(Loan.shop_id, Loan.currency, func.sum(Loan.total_amount), func.sum(Loan.repaid_amount),
                   func.sum(Loan.written_off_amount)).group_by(Loan.shop_id, Loan.currency)):
        owed[(shop_id, currency)] = int(total) - int(repaid) - int(written_off)
    ledger = _ledger(books.LOANS_RECEIVABLE)
    return [f"shop {shop_id}: loans owe {owed.get((shop_id, cur), 0)} {cur}, loans receivable says "
            f"{ledger.get((shop_id, cur), 0)}"
            for shop_id, cur in sorted(set(owed) | set(ledger), key=lambda k: (k[0] or 0, k[1]))
            if owed.get((shop_id, cur), 0) != ledger.get((shop_id, cur), 0)]


def _platform_totals_that_disagree(type_code: str, column, what: str) -> list[str]:
    charged = {cur: int(total) for cur, total in db.session.execute(
        select(Loan.currency, func.sum(column)).group_by(Loan.currency))}
    ledger = {cur: balance for (_shop, cur), balance in _ledger(type_code).items()}
    return [f"{what}: the loans say {charged.get(cur, 0)} {cur}, {type_code} says {ledger.get(cur, 0)}"
            for cur in sorted(set(charged) | set(ledger)) if charged.get(cur, 0) != ledger.get(cur, 0)]


def fees_that_disagree() -> list[str]:
    """Fee income booked equals the fees charged: the whole fee is earned on the draw."""
    return _platform_totals_that_disagree(books.FEE_INCOME, Loan.fee_amount, "fees charged")


def losses_that_disagree() -> list[str]:
    return _platform_totals_that_disagree(books.LOSSES, Loan.written_off_amount, "written off")


def repayments_that_disagree() -> list[str]:
    parts = {loan_id: (int(amount), int(principal), int(fee)) for loan_id, amount, principal, fee in db.session.execute(
        select(Repayment.loan_id, func.sum(Repayment.amount), func.sum(Repayment.principal_amount),
               func.sum(Repayment.fee_amount)).group_by(Repayment.loan_id))}
    problems = []
    for loan in db.session.execute(select(Loan).order_by(Loan.id)).scalars():
        amount, principal, fee = parts.get(loan.id, (0, 0, 0))
        if (amount, principal, fee) != (loan.repaid_amount, loan.repaid_principal_amount, loan.repaid_fee_amount):
            problems.append(f"{loan.public_id}: repayments add to {amount} ({principal} principal, {fee} fee), "
                            f"the loan says {loan.repaid_amount} ({loan.repaid_principal_amount}, "
                            f"{loan.repaid_fee_amount})")
        if loan.outstanding_amount < 0:
            problems.append(f"{loan.public_id}: repaid and written off more than it owed")
    return problems


def credit_disagreements() -> list[str]:
    """Every credit check; an empty list means the loan book and the ledger agree."""
    return (receivables_that_disagree() + fees_that_disagree() + losses_that_disagree()
            + repayments_that_disagree())
