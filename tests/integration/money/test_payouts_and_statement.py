"""Settled money is paid out daily to the merchant's bank; the merchant sees every line, on the page and the API."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from financing.ledger import payouts, services as ledger
from financing.ledger.errors import NoBankAccount
from financing.ledger.models import PayoutStatus
from financing.ledger.reconcile import check_books
from marketplace.errors import ValidationError
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Payment, PaymentMethod
from marketplace.payments import services as payments
from tests.factories import PASSWORD, api_token, bearer

from .orders import complete, make_order

TODAY = date(2026, 11, 29)


def settled_card_sale(total: int = 10000, shop=None):
    """A card sale posted the way the card flow posts it, completed two days ago and settled."""
    order = make_order(shop, total=total)
    payment = Payment(order=order, method=PaymentMethod.card, amount=total, currency="CNY", provider_id=None)
    db.session.add(payment)
    db.session.flush()
    payments._paid(order, payment)
    db.session.commit()
    complete(order, days_ago=2)
    ledger.settle_due_orders()
    return order


def add_bank(shop_id):
    return payouts.save_bank_account(shop_id, holder_name="王小明", bank_name="台州银行",
                                     account_number="6230 1234 5678 9012", branch_code="313345010019")


def test_a_daily_payout_sends_the_available_balance_once_and_writes_the_bank_file(app):
    order = settled_card_sale(10000)
    shop_id = order.shop_id
    with pytest.raises(NoBankAccount):
        payouts.pay_out_shop(shop_id, "CNY", TODAY)
    db.session.rollback()
    add_bank(shop_id)
    [payout] = payouts.run_daily_payouts(TODAY)
    assert payouts.run_daily_payouts(TODAY) == []  # once per day, however often the job runs
    assert payout.money == Money(9940, "CNY")
    assert ledger.merchant_balances(shop_id) == {"available": Money(0, "CNY"), "pending": Money(0, "CNY")}
    rows = list(csv.DictReader(io.StringIO(payouts.settlement_file(TODAY))))
    assert rows == [{"payout_id": payout.public_id, "run_date": "2026-11-29", "shop_id": str(shop_id),
                     "holder_name": "王小明", "bank_name": "台州银行", "branch_code": "313345010019",
                     "account_number": "6230123456789012", "amount": "99.40", "currency": "CNY",
                     "reference": payout.public_id}]
    payouts.confirm_payout(payout.public_id)
    assert payout.status == PayoutStatus.paid
    assert ledger.account_balance("payouts_in_transit", None, "CNY") == Money(0, "CNY")
    assert check_books() == []


def test_a_returned_payout_makes_the_money_available_again(app):
    order = settled_card_sale(5000)
    add_bank(order.shop_id)
    [payout] = payouts.run_daily_payouts(TODAY)
    payouts.fail_payout(payout.public_id, "account closed")
    assert ledger.merchant_balance(order.shop_id) == Money(4970, "CNY")
    with pytest.raises(Exception):
        payouts.confirm_payout(payout.public_id)  # a returned payout cannot also be paid
    db.session.rollback()


def test_bad_bank_details_are_refused_with_a_reason(app):
    order = make_order()
    with pytest.raises(ValidationError) as refused:
        payouts.save_bank_account(order.shop_id, holder_name="Li", bank_name="Bank", account_number="12")
    assert refused.value.param == "account_number"


def test_a_refund_after_settlement_comes_out_of_the_available_balance(app):
    order = settled_card_sale(10000)
    order.payments[0].provider_id = None
    payment = order.payments[0]
    payment.refunded_amount += 2000
    from marketplace.orders.models import Refund
    from marketplace.signals import order_refunded

    refund = Refund(payment=payment, amount=2000, currency="CNY", reason="damaged")
    db.session.add(refund)
    db.session.flush()
    order_refunded.send(app, order_id=order.id, shop_id=order.shop_id, amount=Money(2000, "CNY"), refund_id=refund.id)
    db.session.commit()
    assert ledger.merchant_balances(order.shop_id) == {"available": Money(7940, "CNY"), "pending": Money(0, "CNY")}


def test_the_balance_api_and_its_transactions_explain_every_fen(app, client):
    order = settled_card_sale(10000)
    owner = order.shop.owner if hasattr(order.shop, "owner") else None
    from marketplace.accounts.models import User

    owner = db.session.get(User, order.shop.owner_id)
    token = api_token(client, owner, PASSWORD)
    body = client.get("/api/v1/balance", headers=bearer(token)).get_json()
    assert body["available"] == [{"amount": 9940, "currency": "CNY"}]
    assert body["pending"] == [{"amount": 0, "currency": "CNY"}]
    page = client.get("/api/v1/balance/transactions?limit=2", headers=bearer(token)).get_json()
    assert [t["type"] for t in page["data"]] == ["settlement", "commission"]
    assert page["has_more"] is True
    assert page["data"][0]["balance_after"] == 9940
    assert (page["data"][0]["available_change"], page["data"][0]["pending_change"]) == (9940, -9940)
    rest = client.get(f"/api/v1/balance/transactions?starting_after={page['data'][1]['id']}",
                      headers=bearer(token)).get_json()
    assert [(t["type"], t["amount"], t["balance_after"]) for t in rest["data"]] == [("sale", 10000, 10000)]
    bad = client.get("/api/v1/balance/transactions?starting_after=je_nope", headers=bearer(token))
    assert bad.status_code == 400 and bad.get_json()["error"]["param"] == "starting_after"
    assert client.get("/api/v1/balance").status_code == 401


def test_the_money_page_shows_balances_lines_and_exports_csv(app, client):
    order = settled_card_sale(10000)
    from marketplace.accounts.models import User

    owner = db.session.get(User, order.shop.owner_id)
    client.post("/account/login", data={"email": owner.email, "password": PASSWORD})
    page = client.get("/merchant/money/?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "99.40" in html and 'data-entry="' in html
    only_sales = client.get("/merchant/money/?type=sale").get_data(as_text=True)
    assert only_sales.count('data-entry="') == 1
    exported = client.get("/merchant/money/transactions.csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["type"] for r in rows] == ["sale", "commission", "settlement"]
    assert rows[-1]["balance_after"] == "99.40"
    saved = client.post("/merchant/money/bank-account", data={"holder_name": "Wang", "bank_name": "Taizhou Bank",
                                                              "account_number": "12"})
    assert saved.status_code == 400
    saved = client.post("/merchant/money/bank-account", data={"holder_name": "Wang", "bank_name": "Taizhou Bank",
                                                              "account_number": "6230123456789012"})
    assert saved.status_code == 302
    assert payouts.bank_account_of(order.shop_id).account_number == "6230123456789012"
