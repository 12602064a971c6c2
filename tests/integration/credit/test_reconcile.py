"""`flask ledger reconcile` checks the loan book: receivables, fees and write-offs agree with the loans."""
from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import update

from financing.credit import lending, services
from financing.credit.ledger_accounts import LOANS_RECEIVABLE
from financing.credit.models import Loan
from financing.credit.reconcile import credit_disagreements
from financing.ledger.services import credit, debit, post_entry
from financing.signals import sale_settled
from marketplace.extensions import db
from marketplace.money import Money
from tests.credit_history import healthy_shop


@pytest.fixture
def book(app):
    """Two draws, a withheld settlement, an early repayment and a write-off: every kind of credit entry."""
    shop = healthy_shop()
    services.refresh_offer(shop.id)
    first = lending.draw(shop.owner_id, 40_000, accept_terms=True, signature_name="Wang Fang")
    second = lending.draw(shop.owner_id, 20_000, accept_terms=True, signature_name="Wang Fang")
    money = Money(100_000, "CNY")
    entry = post_entry("settlement", [debit("platform_clearing", money), credit("merchant_available", money, shop.id)],
                       shop_id=shop.id, reference="s1", idempotency_key="test:s1")
    sale_settled.send(current_app._get_current_object(), shop_id=shop.id, order_id=0, amount=money, entry_id=entry.id)
    db.session.commit()
    lending.repay(shop.owner_id, 5_000)
    services.charge_off_loan(second.id, reason="test")
    db.session.commit()
    return shop, first, second


def _reconcile(runner):
    return runner.invoke(args=["ledger", "reconcile", "--no-provider"])


def test_the_reconcile_command_agrees_with_a_book_of_draws_repayments_and_write_offs(runner, book):
    assert credit_disagreements() == []
    result = _reconcile(runner)
    assert result.exit_code == 0, result.output
    assert "loan book agree" in result.output


def test_a_fee_that_the_ledger_did_not_book_is_reported(runner, book):
    _shop, first, _second = book
    db.session.execute(update(Loan).where(Loan.id == first.id).values(fee_amount=Loan.fee_amount + 1,
                                                                        total_amount=Loan.total_amount + 1))
    db.session.commit()
    result = _reconcile(runner)
    assert result.exit_code == 1
    assert "fees charged" in result.output and "credit_fee_income" in result.output
    assert "loans receivable says" in result.output  # the loan now owes a fen the ledger does not


def test_repayments_that_do_not_add_up_to_the_loan_are_reported(book):
    _shop, first, _second = book
    db.session.execute(update(Loan).where(Loan.id == first.id).values(
        repaid_amount=Loan.repaid_amount - 1, repaid_principal_amount=Loan.repaid_principal_amount - 1))
    db.session.commit()
    problems = credit_disagreements()
    assert any(first.public_id in p and "repayments add to" in p for p in problems)


def test_a_write_off_the_ledger_does_not_show_is_reported(book):
    _shop, _first, second = book
    db.session.execute(update(Loan).where(Loan.id == second.id).values(written_off_amount=0))
    db.session.commit()
    assert any(p.startswith("written off") for p in credit_disagreements())


def test_a_receivable_for_a_shop_without_loans_is_reported(app):
    from tests.factories import make_shop

    shop = make_shop()
    money = Money(100, "CNY")
    post_entry("test", [debit(LOANS_RECEIVABLE, money, shop.id), credit("platform_clearing", money)], shop_id=shop.id)
    db.session.commit()
    assert credit_disagreements() == [f"shop {shop.id}: loans owe 0 CNY, loans receivable says 100"]
