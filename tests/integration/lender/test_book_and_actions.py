"""The loan book agrees with the ledger, and officers' actions work on real drawn lines."""
from datetime import timedelta

import pytest

from financing.credit import lending, services
from financing.credit.errors import LineUnavailable
from financing.credit.ledger_accounts import FEE_INCOME, LOANS_RECEIVABLE, LOSSES, receivable_balance
from financing.credit.models import LineStatus, LoanStatus
from financing.ledger.models import LedgerAccount
from financing.ledger.reconcile import check_postings
from financing.ledger.services import account_balance, merchant_balance
from financing.lender import actions, portfolio
from financing.lender.models import ActionKind, Alert, AlertRule, AlertStatus, OfficerAction, Severity
from marketplace.errors import Conflict, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.statemachine import utcnow
from tests.credit_history import healthy_shop, settle
from tests.factories import api_token, bearer, make_user


@pytest.fixture
def officer(app):
    return make_user("lender")


def _borrower(amount: int) -> tuple:
    """A healthy shop that has accepted its offer by drawing `amount`."""
    shop = healthy_shop()
    services.refresh_offer(shop.id)
    loan = lending.draw(shop.owner_id, amount, accept_terms=True, signature_name="Chen Li")
    return shop, loan


def _alert(shop) -> Alert:
    alert = Alert(shop_id=shop.id, rule=AlertRule.sales_collapse, severity=Severity.high, summary="Sales fell",
                  merchant_message="Your sales fell last week.", evidence={}, raised_at=utcnow(),
                  last_seen_at=utcnow())
    db.session.add(alert)
    db.session.commit()
    return alert


def _ledger_total(type_code: str) -> int:
    """The balance of every account of a type, summed over shops, as a person reads it."""
    return sum(account.balance.amount for account in db.session.query(LedgerAccount).filter_by(type=type_code))


def test_the_loan_book_equals_the_ledger_to_the_fen(app, officer):
    repaying, _ = _borrower(30_000)
    settle(repaying, 12_345, "day-1")
    settle(repaying, 9_999, "day-2")
    written_off, _ = _borrower(20_000)
    actions.record_action(written_off.id, officer.id, ActionKind.charge_off, "Shop closed, owner gone")
    repaid, loan = _borrower(10_000)
    settle(repaid, 20_000, "day-3")
    db.session.refresh(loan)
    lending.repay(repaid.owner_id, loan.outstanding_amount)

    book = portfolio.summary()

    assert book["outstanding_amount"] == _ledger_total(LOANS_RECEIVABLE) > 0
    assert book["fees_booked_amount"] == account_balance(FEE_INCOME, None, "CNY").amount > 0
    assert book["losses_amount"] == account_balance(LOSSES, None, "CNY").amount > 0
    assert book["drawn_amount"] == 60_000
    assert (book["drawn_amount"] + book["fees_booked_amount"] - book["repaid_amount"] - book["losses_amount"]
            == book["outstanding_amount"])
    assert 0 < book["fees_collected_amount"] < book["fees_booked_amount"]
    assert (book["loans_open"], book["charged_off_loans"]) == (1, 1)
    assert check_postings() == [] and lending.credit_reconcile() == []


def test_a_freeze_stops_new_draws_and_an_unfreeze_lets_them_again(app, officer):
    shop, _ = _borrower(10_000)
    action = actions.record_action(shop.id, officer.id, "freeze", "Sales collapsed, waiting to hear back")
    assert services.open_line(shop.id).status == LineStatus.frozen
    assert action.details["undrawn_frozen"] is True and action.officer_id == officer.id

    before = merchant_balance(shop.id)
    with pytest.raises(LineUnavailable):
        lending.draw(shop.owner_id, 5_000, accept_terms=True, signature_name="Chen Li")
    db.session.rollback()
    assert merchant_balance(shop.id) == before
    with pytest.raises(Conflict):
        actions.record_action(shop.id, officer.id, "freeze", "Again, by mistake")
    db.session.rollback()

    actions.record_action(shop.id, officer.id, "unfreeze", "Spoke with the owner, sales are back")
    lending.draw(shop.owner_id, 5_000, accept_terms=True, signature_name="Chen Li")
    assert merchant_balance(shop.id) - before == Money(5_000, "CNY")
    with pytest.raises(Conflict):
        actions.record_action(shop.id, officer.id, "unfreeze", "Not frozen any more")
    db.session.rollback()
    kinds = [a.kind for a in db.session.query(OfficerAction).filter_by(shop_id=shop.id).order_by(OfficerAction.id)]
    assert kinds == [ActionKind.freeze, ActionKind.unfreeze]


def test_charging_off_writes_off_what_is_owed_through_the_ledger_and_answers_the_alert(app, officer):
    shop, loan = _borrower(25_000)
    settle(shop, 20_000, "day-1")
    db.session.refresh(loan)
    owed = loan.outstanding_amount
    alert = _alert(shop)

    action = actions.record_action(shop.id, officer.id, "charge_off", "Closed for good", alert=alert.public_id)

    db.session.refresh(loan)
    assert loan.status == LoanStatus.charged_off and loan.written_off_amount == owed
    assert action.details == {"loans": [loan.public_id], "written_off_amount": owed}
    assert receivable_balance(shop.id, "CNY").amount == 0
    assert account_balance(LOSSES, None, "CNY").amount == owed
    assert alert.status == AlertStatus.resolved and "charge_off" in alert.resolution
    assert check_postings() == [] and lending.credit_reconcile() == []
    with pytest.raises(Conflict):
        actions.record_action(shop.id, officer.id, "charge_off", "Twice")


def test_a_payment_plan_is_recorded_for_an_open_loan_only(app, officer):
    shop, _ = _borrower(10_000)
    until = (utcnow() + timedelta(days=60)).date().isoformat()
    action = actions.record_action(shop.id, officer.id, "payment_plan", "Agreed by phone",
                                   details={"weekly_amount": 2_500, "until": until})
    assert action.details["weekly_amount"] == 2_500 and action.details["until"] == until
    for details, param in [({"weekly_amount": "x", "until": until}, "weekly_amount"),
                           ({"weekly_amount": 0, "until": until}, "weekly_amount"),
                           ({"weekly_amount": 100, "until": "2020-01-01"}, "until")]:
        with pytest.raises(ValidationError) as err:
            actions.record_action(shop.id, officer.id, "payment_plan", "Bad input", details=details)
        assert err.value.param == param


def test_refused_actions_change_nothing(app, officer):
    shop, _ = _borrower(10_000)
    other, _ = _borrower(10_000)
    others_alert = _alert(other)
    for kwargs, error in [({"kind": "freeze", "reason": "no"}, ValidationError),
                          ({"kind": "launch", "reason": "Unknown kind"}, ValidationError),
                          ({"kind": "freeze", "reason": "Wrong alert", "alert": others_alert.public_id}, NotFound),
                          ({"kind": "freeze", "reason": "Unknown alert", "alert": "alrt_nothing"}, NotFound),
                          ({"kind": "resolve", "reason": "Which alert?"}, ValidationError)]:
        with pytest.raises(error):
            actions.record_action(shop.id, officer.id, **kwargs)
        db.session.rollback()
    assert services.open_line(shop.id).status == LineStatus.open
    assert db.session.query(OfficerAction).count() == 0
    assert others_alert.status == AlertStatus.open


def test_the_api_freezes_the_line_an_alert_is_about(app, client, officer):
    shop, _ = _borrower(10_000)
    alert = _alert(shop)
    headers = bearer(api_token(client, officer))
    resp = client.post(f"/api/v1/lender/alerts/{alert.public_id}/actions", headers=headers,
                       json={"kind": "freeze", "reason": "Sales collapsed"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["alert"] == alert.public_id
    db.session.expire_all()
    assert services.open_line(shop.id).status == LineStatus.frozen
    assert db.session.get(Alert, alert.id).status == AlertStatus.resolved

    again = client.post(f"/api/v1/lender/alerts/{alert.public_id}/actions", headers=headers,
                        json={"kind": "freeze", "reason": "Twice"})
    assert again.status_code == 409 and again.get_json()["error"]["param"] == "kind"


def test_the_merchant_page_records_an_action_on_an_alert_and_refuses_an_unknown_alert(app, client, officer):
    shop, _ = _borrower(10_000)
    alert = _alert(shop)
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/account/login", data={"email": officer.email, "password": "secret123"}).status_code == 302
    url = f"/lender/merchants/{shop.public_id}/actions"

    unknown = client.post(url, data={"kind": "freeze", "reason": "Sales collapsed", "alert": "alrt_nothing"})
    assert unknown.status_code == 404 and "No such alert" in unknown.get_data(as_text=True)
    assert services.open_line(shop.id).status == LineStatus.open

    done = client.post(url, data={"kind": "freeze", "reason": "Sales collapsed", "alert": alert.public_id})
    assert done.status_code == 302
    db.session.expire_all()
    assert services.open_line(shop.id).status == LineStatus.frozen
    assert db.session.get(Alert, alert.id).status == AlertStatus.resolved


def test_the_console_names_categories_and_statuses_in_the_officers_language(app, client, officer):
    shop, _ = _borrower(10_000)
    shop.category = "noodles_snacks"
    _alert(shop)
    assert client.post("/account/login", data={"email": officer.email, "password": "secret123"}).status_code == 302
    chinese = {"Accept-Language": "zh-CN"}
    for url in ("/lender/", "/lender/alerts", f"/lender/merchants/{shop.public_id}"):
        page = client.get(url, headers=chinese).get_data(as_text=True)
        assert "面馆小吃" in page and "noodles_snacks" not in page, url
    profile = client.get(f"/lender/merchants/{shop.public_id}", headers=chinese).get_data(as_text=True)
    assert "待处理" in profile and ">current<" not in profile
