"""The purchase order and supplier invoice state machines, without a database."""
from datetime import datetime, timedelta, timezone

import pytest

from marketplace.errors import InvalidTransition
from merchants.purchasing.models import (
    InvoicePaymentMethod, InvoiceStatus, PaymentTerms, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus,
    SupplierInvoice,
)

S = PurchaseOrderStatus


def _order(status=S.draft, lines=((5, 0),)):
    order = PurchaseOrder(status=status)
    for quantity, received in lines:
        order.lines.append(PurchaseOrderLine(quantity=quantity, received_quantity=received))
    return order


def test_an_order_goes_from_draft_to_closed_through_each_step_and_stamps_each():
    order = _order()
    order.submit()
    order.confirm()
    order.ship()
    order.lines[0].received_quantity = 5
    order.record_receipt()
    order.close()
    assert order.status == S.closed
    assert all(getattr(order, f"{s}_at") for s in ("submitted", "confirmed", "shipped", "received", "closed"))


def test_a_part_receipt_leaves_the_order_partially_received_until_the_rest_arrives():
    order = _order(S.shipped, lines=((5, 2), (3, 0)))
    order.record_receipt()
    assert order.status == S.partially_received and order.received_at is None
    order.lines[0].received_quantity = 4
    order.record_receipt()
    assert order.status == S.partially_received
    order.lines[0].received_quantity, order.lines[1].received_quantity = 5, 3
    order.record_receipt()
    assert order.status == S.received and order.received_at is not None


@pytest.mark.parametrize("status", [S.shipped, S.partially_received, S.received, S.closed, S.rejected, S.cancelled])
def test_an_order_cannot_be_cancelled_once_shipped_or_finished(status):
    order = _order(status)
    with pytest.raises(InvalidTransition):
        order.cancel()
    assert order.status == status


@pytest.mark.parametrize("verb", ["confirm", "ship", "close"])
def test_a_draft_must_be_submitted_before_the_supplier_acts_on_it(verb):
    order = _order()
    with pytest.raises(InvalidTransition):
        getattr(order, verb)()
    assert order.status == S.draft


def test_a_rejected_order_keeps_its_reason_and_goes_nowhere_else():
    order = _order(S.submitted)
    order.reject("out of season")
    assert order.reject_reason == "out of season" and order.rejected_at
    with pytest.raises(InvalidTransition):
        order.confirm()


def test_an_open_invoice_past_its_due_date_is_overdue_and_a_paid_one_is_not():
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    invoice = SupplierInvoice(status=InvoiceStatus.open, terms=PaymentTerms.net_7, due_at=now - timedelta(days=1))
    assert invoice.is_overdue(now)
    invoice.mark_paid(InvoicePaymentMethod.balance, "je_1", 1, at=now)
    assert not invoice.is_overdue(now)
    assert invoice.paid_on_time is False
    with pytest.raises(InvalidTransition):
        invoice.void()


def test_pay_now_terms_still_leave_a_day_to_pay():
    assert PaymentTerms.now.days == 1 and PaymentTerms.net_7.days == 7 and PaymentTerms.net_30.days == 30
