"""Supplier invoices in the ledger: issued, paid from the balance, by card (localstripe) or by credit, voided."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from financing.ledger.models import JournalEntry
from financing.ledger.reconcile import check_postings
from financing.ledger.services import account_balance, credit, debit, merchant_balance, post_entry
from marketplace.errors import DomainError, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.money import Money
from merchants.purchasing import payments, services as purchasing
from merchants.purchasing.models import InvoicePaymentMethod, InvoiceStatus, PurchaseOrderStatus
from tests.factories import api_token, bearer, make_product, make_shop, make_user

CNY = "CNY"


def _fund(shop_id: int, amount: int) -> None:
    """Money the merchant has in its available balance, as settled card sales would leave it."""
    post_entry("test_funding", [debit("platform_clearing", Money(amount, CNY)),
                                credit("merchant_available", Money(amount, CNY), shop_id)], shop_id=shop_id)
    db.session.commit()


@pytest.fixture
def invoiced(app):
    """A confirmed order of 10 x ¥48.00: its ¥480.00 invoice is open."""
    supplier = make_shop(kind="supplier", name="East Wholesale")
    rice = make_product(supplier, price=4800, stock=50)
    shop = make_shop(name="Corner Grocery")
    order = purchasing.create_purchase_order(shop.owner_id, supplier.id, [(rice.id, 10)])
    purchasing.submit_purchase_order(shop.owner_id, order.id)
    purchasing.confirm_purchase_order(supplier.owner_id, order.id)
    order = purchasing.load_order(order.id)
    return {"order": order, "invoice": order.invoice, "shop": shop, "supplier": supplier,
            "buyer": shop.owner_id, "seller": supplier.owner_id}


def _payable(shop_id):
    return account_balance(payments.SUPPLIER_PAYABLE, shop_id, CNY)


def _receivable(shop_id):
    return account_balance(payments.SUPPLIER_RECEIVABLE, shop_id, CNY)


def test_a_confirmed_order_puts_the_invoice_in_the_payable_and_the_receivable(invoiced):
    assert _payable(invoiced["shop"].id) == Money(48000, CNY)
    assert _receivable(invoiced["supplier"].id) == Money(48000, CNY)
    assert check_postings() == []


def test_paying_from_the_balance_moves_the_money_to_the_supplier_and_clears_what_is_owed(invoiced):
    _fund(invoiced["shop"].id, 50000)
    purchasing.ship_purchase_order(invoiced["seller"], invoiced["order"].id)
    purchasing.receive_purchase_order(invoiced["buyer"], invoiced["order"].id)
    invoice = payments.pay_invoice(invoiced["buyer"], invoiced["invoice"].public_id, "balance")
    assert invoice.status == InvoiceStatus.paid and invoice.payment_method == InvoicePaymentMethod.balance
    assert invoice.paid_on_time is True and invoice.payment_reference.startswith("je_")
    assert merchant_balance(invoiced["shop"].id) == Money(2000, CNY)
    assert merchant_balance(invoiced["supplier"].id) == Money(48000, CNY)
    assert _payable(invoiced["shop"].id) == Money(0, CNY) == _receivable(invoiced["supplier"].id)
    assert purchasing.load_order(invoiced["order"].id).status == PurchaseOrderStatus.closed
    assert check_postings() == []
    (row,) = purchasing.purchase_history(invoiced["shop"].id)
    assert row["on_time"] is True and row["amount"] == Money(48000, CNY)


def test_a_balance_short_of_the_invoice_is_refused_and_nothing_moves(invoiced):
    _fund(invoiced["shop"].id, 47999)
    entries = db.session.execute(select(func.count()).select_from(JournalEntry)).scalar()
    with pytest.raises(DomainError) as caught:
        payments.pay_invoice(invoiced["buyer"], invoiced["invoice"].id, "balance")
    assert caught.value.code == "balance_insufficient" and "¥0.01 short" in caught.value.message
    assert db.session.execute(select(func.count()).select_from(JournalEntry)).scalar() == entries
    assert merchant_balance(invoiced["shop"].id) == Money(47999, CNY)
    assert purchasing.load_invoice(invoiced["invoice"].id).status == InvoiceStatus.open


def test_nobody_but_the_buyer_pays_and_an_invoice_is_paid_once(invoiced):
    _fund(invoiced["shop"].id, 100000)
    with pytest.raises(PermissionDenied):
        payments.pay_invoice(invoiced["seller"], invoiced["invoice"].id, "balance")
    with pytest.raises(NotFound):
        payments.pay_invoice(make_user("merchant").id, invoiced["invoice"].id, "balance")
    with pytest.raises(DomainError):
        payments.pay_invoice(invoiced["buyer"], invoiced["invoice"].id, "cheque")
    payments.pay_invoice(invoiced["buyer"], invoiced["invoice"].id, "balance")
    with pytest.raises(DomainError) as caught:
        payments.pay_invoice(invoiced["buyer"], invoiced["invoice"].id, "balance")
    assert caught.value.status == 409
    assert merchant_balance(invoiced["shop"].id) == Money(52000, CNY)


def test_cancelling_before_payment_reverses_the_invoice_in_the_books(invoiced):
    purchasing.cancel_purchase_order(invoiced["buyer"], invoiced["order"].id)
    assert _payable(invoiced["shop"].id) == Money(0, CNY) == _receivable(invoiced["supplier"].id)
    kinds = db.session.execute(select(JournalEntry.kind).order_by(JournalEntry.id)).scalars().all()
    assert kinds == ["supplier_invoice", "reversal"]
    with pytest.raises(DomainError):
        payments.pay_invoice(invoiced["buyer"], invoiced["invoice"].id, "balance")


def test_the_credit_line_pays_through_the_seam_after_drawing_into_the_balance(invoiced):
    # What the credit engineer's drawdown does first: the loan puts the money in the buyer's balance.
    post_entry("test_draw", [debit("platform_clearing", Money(48000, CNY)),
                             credit("merchant_available", Money(48000, CNY), invoiced["shop"].id)])
    payments.apply_invoice_payment(invoiced["invoice"].id, InvoicePaymentMethod.credit,
                                   user_id=invoiced["buyer"], reference="draw_test")
    db.session.commit()
    invoice = purchasing.load_invoice(invoiced["invoice"].id)
    assert invoice.payment_method == InvoicePaymentMethod.credit and invoice.payment_reference == "draw_test"
    assert merchant_balance(invoiced["shop"].id) == Money(0, CNY)
    assert merchant_balance(invoiced["supplier"].id) == Money(48000, CNY)


def test_a_late_payment_shows_as_late_in_the_history_and_an_unpaid_one_as_overdue(invoiced):
    invoice = purchasing.load_invoice(invoiced["invoice"].id)
    invoice.issued_at -= timedelta(days=10)
    invoice.due_at = invoice.issued_at + timedelta(days=7)
    db.session.commit()
    (row,) = purchasing.purchase_history(invoiced["shop"].id)
    assert row["on_time"] is False and row["paid_at"] is None
    assert purchasing.purchase_summary(invoiced["shop"].id)["overdue"] == Money(48000, CNY)
    _fund(invoiced["shop"].id, 48000)
    payments.pay_invoice(invoiced["buyer"], invoiced["invoice"].id, "balance")
    (row,) = purchasing.purchase_history(invoiced["shop"].id)
    assert row["on_time"] is False and row["paid_at"] is not None
    summary = purchasing.purchase_summary(invoiced["shop"].id)
    assert summary["overdue_count"] == 0 and summary["paid_late_or_overdue"] == 1


def test_paying_by_card_charges_through_the_provider_and_a_declined_card_changes_nothing(
        payments_app, localstripe_url, client, invoiced):
    from marketplace.accounts.models import User
    from tests.integration.money.provider import card_payment_method

    token = bearer(api_token(client, db.session.get(User, invoiced["buyer"])))
    path = f"/api/v1/invoices/{invoiced['invoice'].public_id}/pay"
    declined = client.post(path, headers=token, json={"method": "card",
                                                      "payment_method_id": card_payment_method(localstripe_url, "4000000000000341")})
    assert declined.status_code == 402, declined.get_json()
    assert purchasing.load_invoice(invoiced["invoice"].id).status == InvoiceStatus.open
    assert client.post(path, headers=token, json={"method": "card"}).status_code == 400
    paid = client.post(path, headers={**token, "Idempotency-Key": "inv-pay-1"},
                       json={"method": "card", "payment_method_id": card_payment_method(localstripe_url)})
    assert paid.status_code == 200, paid.get_json()
    assert paid.get_json()["status"] == "paid" and paid.get_json()["payment_method"] == "card"
    invoice = purchasing.load_invoice(invoiced["invoice"].id)
    assert invoice.payment_reference.startswith("pi_")
    assert merchant_balance(invoiced["supplier"].id) == Money(48000, CNY)
    assert _payable(invoiced["shop"].id) == Money(0, CNY)
    assert check_postings() == []
    seller = bearer(api_token(client, db.session.get(User, invoiced["seller"])))
    assert client.post(path, headers=seller, json={"method": "balance"}).status_code == 403
