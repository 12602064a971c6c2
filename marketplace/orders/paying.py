"""Where the order flow meets the payments package: the one place that calls it.

Card charges, refunds through the provider and the ledger signals belong to `marketplace.payments`.
Everything here runs in the calling service's transaction and commits nothing.
"""
from __future__ import annotations

from flask import current_app

from ..errors import ServiceUnavailable
from ..extensions import db
from ..money import Money
from ..signals import order_paid, order_refunded
from .models import Order, Payment, PaymentMethod, PaymentStatus, Refund


def _payments_service(name: str):
    """The payments package's use case `name`, or None while that package does not offer it."""
    try:
        from ..payments import services
    except ImportError:
        return None
    return getattr(services, name, None)


def charge_card(order: Order, payment_method_id: str, *, idempotency_key: str) -> Payment:
    """Charge the order's total to the card; raises PaymentFailed when the card is refused."""
    pay = _payments_service("pay_order_by_card")
    if pay is None:
        raise ServiceUnavailable("Card payments are not available; choose cash.", param="payment_method")
    return pay(order, payment_method_id, idempotency_key=idempotency_key)


def expect_cash(order: Order) -> Payment:
    """Cash is handed over at pickup or delivery: until then the payment waits."""
    payment = Payment(order=order, method=PaymentMethod.cash, amount=order.total_amount, currency=order.currency)
    db.session.add(payment)
    return payment


def collect_cash(order: Order) -> None:
    """The merchant has the cash in hand (the order is handed over)."""
    record = _payments_service("record_cash_payment")
    if record is not None:
        record(order)
        return
    payment = order.payment
    if payment is None or payment.method != PaymentMethod.cash or payment.status != PaymentStatus.pending:
        return
    payment.succeed()
    db.session.flush()
    order_paid.send(current_app._get_current_object(), order_id=order.id, shop_id=order.shop_id,
                    amount=payment.money)


def refund(order: Order, amount: Money, *, reason: str, user_id: int | None = None) -> Refund:
    """Give `amount` back; the caller has checked it is no more than what is left to refund."""
    refund_payment = _payments_service("refund_payment")
    if refund_payment is not None:
        return refund_payment(order, amount, reason=reason)
    payment = order.payment
    if payment.method == PaymentMethod.card:
        raise ServiceUnavailable("Card refunds are not available yet.")
    payment.refunded_amount += amount.amount
    row = Refund(payment=payment, amount=amount.amount, currency=amount.currency, reason=reason,
                 created_by_id=user_id)
    db.session.add(row)
    db.session.flush()
    order_refunded.send(current_app._get_current_object(), order_id=order.id, shop_id=order.shop_id,
                        amount=amount, refund_id=row.id)
    return row


def release(order: Order, *, reason: str) -> None:
    """The order will not go ahead: give back what was paid, or stop what was not yet collected."""
    payment = order.payment
    if payment is None:
        return
    if payment.status == PaymentStatus.succeeded:
        if payment.refundable.amount:
            refund(order, payment.refundable, reason=reason)
        return
    if payment.status in (PaymentStatus.pending, PaymentStatus.requires_action):
        cancel = _payments_service("cancel_payment")
        if cancel is not None and payment.method == PaymentMethod.card:
            cancel(order)
        else:
            payment.cancel()
