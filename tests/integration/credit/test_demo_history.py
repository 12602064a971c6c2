"""The demo town's credit history: real draws and withholding in the past, and a book that adds up."""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal

import pytest
from sqlalchemy import select

from financing.credit import lending
from financing.credit.ledger_accounts import FEE_INCOME, LOANS_RECEIVABLE, LOSSES
from financing.credit.models import Loan, Repayment, RepaymentSource
from financing.ledger.models import LedgerAccount, Settlement
from financing.ledger.reconcile import check_postings
from financing.ledger.services import account_balance
from financing.lender import early_warning, portfolio
from financing.lender.models import Alert, AlertStatus
from marketplace.accounts.models import User
from marketplace.catalog.models import Shop
from marketplace.clock import as_of, utcnow
from marketplace.demo.generator import TownSpec, seed_town
from marketplace.extensions import db

END = date(2026, 9, 1)
TOWN = TownSpec(merchants=40, suppliers=4, residents=400, months=6, seed=5, end=END, orders_per_resident_month=4.0)


@pytest.fixture
def town(app):
    return seed_town(TOWN, echo=lambda _msg: None, show_progress=False)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_the_clock_answers_a_replayed_moment_only_inside_the_block():
    moment = datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)
    with as_of(moment):
        assert utcnow() == moment
    assert utcnow() > moment
    with pytest.raises(ValueError):
        with as_of(datetime(2025, 1, 2)):
            pass


def test_the_replayed_history_is_real_credit_whose_book_equals_the_ledger(town):
    """One town (seeding takes a while), three checks."""
    assert {"credit_history", "early_warning"} <= set(town.hooks)
    _merchants_drew_in_past_months_and_sales_repaid_the_agreed_share()
    _the_loan_book_equals_the_ledger_and_the_alerts_are_todays()
    _the_demo_merchant_is_left_out_of_the_replay()


def _merchants_drew_in_past_months_and_sales_repaid_the_agreed_share():
    loans = list(db.session.scalars(select(Loan)))
    assert len(loans) >= 5
    end = datetime(END.year, END.month, END.day, tzinfo=timezone.utc)
    months = {_utc(loan.drawn_at).strftime("%Y-%m") for loan in loans}
    assert len(months) >= 2 and all(_utc(loan.drawn_at) < end for loan in loans)
    assert all(_utc(loan.contract.signed_at) == _utc(loan.drawn_at) for loan in loans)

    # Each withholding is the loan's share of the shop's card sales settled in those days, never more.
    settled = defaultdict(int)
    for shop_id, at, amount in db.session.execute(select(Settlement.shop_id, Settlement.settled_at,
                                                         Settlement.amount).where(Settlement.amount > 0)):
        settled[(shop_id, _utc(at).date())] += amount
    rates = {loan.id: Decimal(loan.withhold_rate) for loan in loans}
    withheld, by_ref = defaultdict(int), {}
    for repayment in db.session.scalars(select(Repayment).where(Repayment.source == RepaymentSource.withholding)):
        withheld[repayment.reference] += repayment.amount
        by_ref[repayment.reference] = repayment
    assert withheld, "sales repaid nothing"
    for reference, amount in withheld.items():
        _, shop_id, first, last = reference.split(":")
        first, last = date.fromisoformat(first), date.fromisoformat(last)
        assert 0 <= (last - first).days < 7
        sales = sum(settled[(int(shop_id), first + timedelta(days=k))] for k in range((last - first).days + 1))
        repayment = by_ref[reference]
        assert repayment.settled_amount == sales
        assert 0 < amount <= (Decimal(sales) * rates[repayment.loan_id]).to_integral_value(ROUND_DOWN)


def _the_loan_book_equals_the_ledger_and_the_alerts_are_todays():
    book = portfolio.summary()
    receivable = sum(a.balance.amount for a in db.session.scalars(
        select(LedgerAccount).where(LedgerAccount.type == LOANS_RECEIVABLE)))
    assert book["drawn_amount"] > 0
    assert book["outstanding_amount"] == receivable
    assert book["fees_booked_amount"] == account_balance(FEE_INCOME, None, "CNY").amount
    assert book["losses_amount"] == account_balance(LOSSES, None, "CNY").amount
    assert lending.credit_reconcile() == [] and check_postings() == []

    end = datetime(END.year, END.month, END.day, tzinfo=timezone.utc)
    expected = {(f.shop_id, f.rule) for f in early_warning.findings(end)}
    open_alerts = {(a.shop_id, a.rule) for a in db.session.scalars(select(Alert).where(
        Alert.status == AlertStatus.open))}
    assert open_alerts == expected


def _the_demo_merchant_is_left_out_of_the_replay():
    shop = db.session.scalar(select(Shop).join(User, Shop.owner_id == User.id)
                             .where(User.email == "merchant@demo.local"))
    assert db.session.scalar(select(Loan.id).where(Loan.shop_id == shop.id)) is None
