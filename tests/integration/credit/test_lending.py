"""Draws, withholding, early repayment and ageing through the real ledger: money always adds up."""
from datetime import timedelta

import pytest
from flask import current_app

from financing.credit import lending, services
from financing.credit.errors import LimitExceeded, LineUnavailable, NoOffer, OfferExpired
from financing.credit.ledger_accounts import receivable_balance
from financing.credit.models import LineStatus, Loan, LoanStatus, OfferStatus
from financing.ledger.reconcile import check_postings
from financing.ledger.services import merchant_balance
from financing.signals import sale_settled
from marketplace.errors import ValidationError
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.statemachine import utcnow
from tests.credit_history import healthy_shop, settle


@pytest.fixture
def shop(app):
    shop = healthy_shop()
    services.refresh_offer(shop.id)
    return shop


def _draw(shop, amount, **kw):
    kw.setdefault("accept_terms", True)
    kw.setdefault("signature_name", "Wang Fang")
    return lending.draw(shop.owner_id, amount, **kw)


def test_a_draw_puts_the_money_in_the_balance_with_a_signed_contract(shop):
    before = merchant_balance(shop.id)
    loan = _draw(shop, 50_000, ip="10.0.0.7", user_agent="test")
    assert merchant_balance(shop.id) - before == Money(50_000, "CNY")
    assert loan.fee_amount == 50_000 * int(loan.fee_rate.split(".")[1]) // 100
    assert receivable_balance(shop.id, "CNY").amount == loan.total_amount
    contract = loan.contract
    import hashlib

    assert hashlib.sha256(contract.terms_text.encode()).hexdigest() == contract.terms_sha256
    assert "Funds provided: ¥500.00" in contract.terms_text and "Signed: Wang Fang" in contract.terms_text
    assert "Use of funds: paid into your available balance" in contract.terms_text
    assert contract.signed_from_ip == "10.0.0.7"
    assert loan.line.offer.status == OfferStatus.accepted
    assert check_postings() == [] and lending.credit_reconcile() == []


def test_draw_again_up_to_the_undrawn_limit_and_no_further(shop):
    limit = services.open_line(shop.id) or services.active_offer(shop.id)
    limit = limit.limit_amount
    _draw(shop, limit - 10_000)
    _draw(shop, 5_000)
    before = merchant_balance(shop.id)
    with pytest.raises(LimitExceeded):
        _draw(shop, 5_001)
    db.session.rollback()
    assert merchant_balance(shop.id) == before
    assert db.session.query(Loan).count() == 2


@pytest.mark.parametrize("amount, kw, param", [
    (0, {}, "amount"), (-100, {}, "amount"), ("100", {}, "amount"),
    (100, {"accept_terms": False}, "accept_terms"), (100, {"signature_name": "  "}, "signature_name"),
])
def test_bad_draws_are_refused_and_move_nothing(shop, amount, kw, param):
    with pytest.raises(ValidationError) as err:
        _draw(shop, amount, **kw)
    assert err.value.param == param
    db.session.rollback()
    assert db.session.query(Loan).count() == 0 and merchant_balance(shop.id).amount == 0


def test_a_double_submit_draws_once(shop):
    first = _draw(shop, 20_000, request_key="form-abc")
    again = _draw(shop, 20_000, request_key="form-abc")
    assert again.id == first.id
    assert merchant_balance(shop.id).amount == 20_000


def test_an_expired_offer_cannot_be_taken(shop):
    offer = services.active_offer(shop.id)
    offer.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(OfferExpired):
        _draw(shop, 10_000)


def test_another_merchant_cannot_draw_on_this_line(shop):
    from tests.factories import make_shop

    other = make_shop()
    with pytest.raises(NoOffer):
        lending.draw(other.owner_id, 10_000, accept_terms=True, signature_name="X")
    with pytest.raises(Exception) as err:
        lending.draw(other.owner_id, 10_000, accept_terms=True, signature_name="X", shop_id=shop.id)
    assert err.value.status == 403


def test_settlements_withhold_exactly_the_agreed_share_oldest_draw_first(shop):
    first = _draw(shop, 30_000)
    second = _draw(shop, 30_000)
    rate = first.withhold_rate
    entry_id = settle(shop, 12_345, "s1")
    kept = 12_345 * int(rate.split(".")[1]) // 100  # 15% of 123.45, rounded down
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.repaid_amount == kept and second.repaid_amount == 0
    assert first.repaid_principal_amount + first.repaid_fee_amount == kept
    assert merchant_balance(shop.id).amount == 60_000 + 12_345 - kept
    # The same settlement delivered again withholds nothing more.
    sale_settled.send(current_app._get_current_object(), shop_id=shop.id, order_id=0,
                      amount=Money(12_345, "CNY"), entry_id=entry_id)
    db.session.commit()
    db.session.refresh(first)
    assert first.repaid_amount == kept
    assert check_postings() == [] and lending.credit_reconcile() == []


def test_withholding_spills_into_the_next_draw_and_closes_the_first(shop):
    first = _draw(shop, 10_000)
    second = _draw(shop, 10_000)
    settle(shop, 1_000_000, "big")
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == LoanStatus.repaid and first.outstanding_amount == 0
    assert second.status == LoanStatus.repaid
    assert receivable_balance(shop.id, "CNY").amount == 0
    assert lending.credit_reconcile() == []


def test_early_repayment_reduces_what_is_owed(shop):
    loan = _draw(shop, 40_000)
    owed = loan.outstanding_amount
    lending.repay(shop.owner_id, 15_000)
    db.session.refresh(loan)
    assert loan.outstanding_amount == owed - 15_000
    assert receivable_balance(shop.id, "CNY").amount == owed - 15_000
    with pytest.raises(ValidationError):
        lending.repay(shop.owner_id, 0)
    with pytest.raises(ValidationError):
        lending.repay(shop.owner_id, owed)  # more than the balance holds (it has 250.00)
    assert lending.credit_reconcile() == [] and check_postings() == []


def test_a_missed_minimum_makes_the_loan_delinquent_freezes_the_line_and_later_charges_it_off(shop):
    loan = _draw(shop, 40_000)
    later = utcnow() + timedelta(days=61)
    assert lending.age_loans(now=later)["delinquent"] == 1
    db.session.refresh(loan)
    assert loan.status == LoanStatus.delinquent and loan.delinquency_bucket == "1-30"
    assert services.open_line(shop.id).status == LineStatus.frozen
    with pytest.raises(LineUnavailable):
        _draw(shop, 1_000)
    db.session.rollback()
    lending.age_loans(now=utcnow() + timedelta(days=60 + 121))
    db.session.refresh(loan)
    assert loan.status == LoanStatus.charged_off and loan.written_off_amount == loan.total_amount
    assert receivable_balance(shop.id, "CNY").amount == 0
    assert lending.credit_reconcile() == [] and check_postings() == []


def test_paying_the_minimum_brings_a_delinquent_loan_back_to_current(shop):
    loan = _draw(shop, 40_000)
    lending.age_loans(now=utcnow() + timedelta(days=61))
    settle(shop, 1_000_000, "catch-up")
    db.session.refresh(loan)
    assert loan.status == LoanStatus.repaid
    assert services.open_line(shop.id).status == LineStatus.open


def test_a_lender_can_write_a_loan_off_through_the_ledger(shop):
    loan = _draw(shop, 40_000)
    written = services.charge_off_loan(loan.id, reason="fraud", user_id=None)
    db.session.commit()
    db.session.refresh(loan)
    assert written == loan.total_amount and loan.status == LoanStatus.charged_off
    assert receivable_balance(shop.id, "CNY").amount == 0
    assert services.open_line(shop.id).status == LineStatus.frozen
    assert lending.credit_reconcile() == [] and check_postings() == []
