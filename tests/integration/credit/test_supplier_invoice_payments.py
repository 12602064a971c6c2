"""Paying a supplier invoice from the credit line: service, page and API; the books balance, the draw repays."""
from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from financing.credit import invoice_payments, lending, services
from financing.credit.errors import LimitExceeded, LineUnavailable
from financing.credit.ledger_accounts import receivable_balance
from financing.credit.models import Loan, LoanStatus
from financing.ledger.models import JournalEntry
from financing.ledger.reconcile import check_postings
from financing.ledger.services import account_balance, credit, debit, merchant_balance, post_entry
from financing.signals import sale_settled
from marketplace.errors import DomainError, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.money import Money
from merchants.purchasing import payments, services as purchasing
from merchants.purchasing.models import InvoicePaymentMethod, InvoiceStatus
from tests.credit_history import healthy_shop
from tests.factories import PASSWORD, api_token, bearer, make_product, make_shop

CNY = "CNY"


def _invoice(shop, quantity=10, price=4800):
    """A confirmed purchase order of `quantity` x `price`: its invoice is open and owed by `shop`."""
    supplier = make_shop(kind="supplier", name="East Wholesale")
    rice = make_product(supplier, price=price, stock=quantity + 10)
    order = purchasing.create_purchase_order(shop.owner_id, supplier.id, [(rice.id, quantity)])
    purchasing.submit_purchase_order(shop.owner_id, order.id)
    purchasing.confirm_purchase_order(supplier.owner_id, order.id)
    return purchasing.load_order(order.id).invoice


@pytest.fixture
def shop(app):
    shop = healthy_shop(name="Corner Grocery")
    services.refresh_offer(shop.id)
    return shop


@pytest.fixture
def invoice(shop):
    return _invoice(shop)


def _pay(shop, invoice, **kw):
    kw.setdefault("accept_terms", True)
    kw.setdefault("signature_name", "Wang Fang")
    return invoice_payments.pay_supplier_invoice(shop.owner_id, invoice.public_id, **kw)


def _moved() -> tuple[int, int]:
    """How many journal entries and loans exist: what a refusal must leave unchanged."""
    return (db.session.execute(select(func.count()).select_from(JournalEntry)).scalar(),
            db.session.execute(select(func.count()).select_from(Loan)).scalar())


def test_the_line_pays_the_supplier_and_the_books_balance(shop, invoice):
    loan = _pay(shop, invoice)
    db.session.expire_all()
    paid = purchasing.load_invoice(invoice.id)
    assert paid.status == InvoiceStatus.paid and paid.payment_method == InvoicePaymentMethod.credit
    assert paid.payment_reference == loan.public_id
    assert loan.purpose == "supplier_invoice" and loan.supplier_invoice_id == invoice.id
    assert loan.principal_amount == 48000 and loan.total_amount == 48000 + loan.fee_amount > 48000
    assert merchant_balance(shop.id) == Money(0, CNY)  # drawn in and paid straight out
    assert merchant_balance(paid.supplier_shop_id) == Money(48000, CNY)
    assert account_balance(payments.SUPPLIER_PAYABLE, shop.id, CNY) == Money(0, CNY)
    assert receivable_balance(shop.id, CNY).amount == loan.total_amount
    assert "Funds provided: ¥480.00" in loan.contract.terms_text
    assert f"Use of funds: paid directly to East Wholesale for supplier invoice {invoice.public_id}" in (
        loan.contract.terms_text)
    assert check_postings() == [] and lending.credit_reconcile() == []


def test_a_draw_that_paid_a_supplier_is_repaid_from_sales_like_any_draw(shop, invoice):
    loan = _pay(shop, invoice)
    money = Money(1_000_000, CNY)
    entry = post_entry("settlement", [debit("platform_clearing", money), credit("merchant_available", money, shop.id)],
                       shop_id=shop.id, reference="s1", idempotency_key="test:s1")
    sale_settled.send(current_app._get_current_object(), shop_id=shop.id, order_id=0, amount=money, entry_id=entry.id)
    db.session.commit()
    db.session.refresh(loan)
    assert loan.repaid_amount == min(loan.total_amount, 1_000_000 * 15 // 100)
    assert loan.status == LoanStatus.repaid and receivable_balance(shop.id, CNY).amount == 0
    assert check_postings() == [] and lending.credit_reconcile() == []


def test_the_same_form_submitted_twice_pays_once(shop, invoice):
    first = _pay(shop, invoice, request_key="form-1")
    again = _pay(shop, invoice, request_key="form-1")
    assert again.id == first.id
    assert merchant_balance(invoice.supplier_shop_id) == Money(48000, CNY)
    assert db.session.query(Loan).count() == 1


def test_an_invoice_above_the_undrawn_limit_is_refused_and_nothing_moves(shop):
    limit = services.active_offer(shop.id).limit_amount
    big = _invoice(shop, quantity=limit // 4800 + 1)
    before = _moved()
    with pytest.raises(LimitExceeded):
        _pay(shop, big)
    assert _moved() == before
    assert purchasing.load_invoice(big.id).status == InvoiceStatus.open


@pytest.mark.parametrize("kw, error, param", [
    ({"accept_terms": False}, ValidationError, "accept_terms"),
    ({"signature_name": ""}, ValidationError, "signature_name"),
    ({"amount": 47999}, ValidationError, "amount"),
])
def test_missing_consent_or_a_partial_amount_is_refused_and_nothing_moves(shop, invoice, kw, error, param):
    before = _moved()
    with pytest.raises(error) as caught:
        _pay(shop, invoice, **kw)
    assert caught.value.param == param
    assert _moved() == before and purchasing.load_invoice(invoice.id).status == InvoiceStatus.open


def test_another_merchants_paid_or_voided_invoice_is_refused(shop, invoice):
    other = healthy_shop()
    services.refresh_offer(other.id)
    with pytest.raises(NotFound):
        invoice_payments.pay_supplier_invoice(other.owner_id, invoice.public_id, accept_terms=True,
                                              signature_name="X")
    _pay(shop, invoice)
    before = _moved()
    with pytest.raises(DomainError) as caught:
        _pay(shop, invoice)
    assert caught.value.status == 409
    voided = _invoice(shop)
    purchasing.cancel_purchase_order(shop.owner_id, voided.order_id)
    with pytest.raises(DomainError) as caught:
        _pay(shop, voided)
    assert caught.value.code == "invoice_void"
    assert _moved()[1] == before[1]


def test_a_frozen_line_cannot_pay_a_supplier(shop, invoice):
    _pay(shop, _invoice(shop, quantity=1))
    services.open_line(shop.id).freeze("Sales collapsed.")
    db.session.commit()
    before = _moved()
    with pytest.raises(LineUnavailable):
        _pay(shop, invoice)
    assert _moved() == before


def test_the_api_pays_an_invoice_with_a_draw_and_lists_it(client, shop, invoice):
    auth = bearer(api_token(client, shop.owner))
    body = {"supplier_invoice": invoice.public_id, "accept_terms": True, "signature_name": "Li Lei"}
    wrong = client.post("/api/v1/credit/draws", json={**body, "amount": 100}, headers=auth)
    assert wrong.status_code == 400 and wrong.get_json()["error"]["param"] == "amount"
    paid = client.post("/api/v1/credit/draws", json=body, headers={**auth, "Idempotency-Key": "inv-1"})
    assert paid.status_code == 201, paid.get_json()
    draw = paid.get_json()
    assert draw["purpose"] == "supplier_invoice" and draw["supplier_invoice"] == invoice.public_id
    assert draw["amount"] == 48000
    again = client.post("/api/v1/credit/draws", json=body, headers={**auth, "Idempotency-Key": "inv-1"})
    assert again.get_json()["id"] == draw["id"]
    assert client.post("/api/v1/credit/draws", json=body, headers=auth).status_code == 409  # already paid
    listed = client.get("/api/v1/credit/draws", headers=auth).get_json()
    assert [d["id"] for d in listed["data"]] == [draw["id"]]
    unknown = client.post("/api/v1/credit/draws", json={**body, "supplier_invoice": "inv_nope"}, headers=auth)
    assert unknown.status_code == 404


def test_the_pages_offer_the_invoice_and_pay_it_from_the_line(client, shop, invoice):
    client.post("/account/login", data={"email": shop.owner.email, "password": PASSWORD})
    order_page = client.get(f"/purchasing/orders/{invoice.order.public_id}")
    assert f"/credit/invoices/{invoice.public_id}".encode() in order_page.data
    home = client.get("/credit/")
    assert b'id="supplier-invoices"' in home.data and invoice.public_id.encode() in home.data
    page = client.get(f"/credit/invoices/{invoice.public_id}")
    assert page.status_code == 200 and b'id="disclosure"' in page.data and "¥480.00".encode() in page.data
    form = {"accept_terms": "yes", "signature_name": "Wang Fang", "form_key": "k"}
    refused = client.post(f"/credit/invoices/{invoice.public_id}", data={**form, "accept_terms": ""})
    assert refused.status_code == 303 and db.session.query(Loan).count() == 0
    done = client.post(f"/credit/invoices/{invoice.public_id}", data=form)
    assert done.status_code == 303 and "/credit/" in done.headers["Location"]
    assert purchasing.load_invoice(invoice.id).payment_method == InvoicePaymentMethod.credit
    assert client.get(f"/credit/invoices/{invoice.public_id}").status_code == 303  # paid: back to credit
    assert client.get("/credit/invoices/inv_nope").status_code == 404
