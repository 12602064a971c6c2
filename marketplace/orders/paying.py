"""Where the order flow meets the payments package: the one place that calls it.

Card charges, refunds through the provider and the ledger's signals belong to `marketplace.payments`.
Everything here runs in the calling service's transaction and commits nothing.
"""
from __future__ import annotations

from sqlalchemy import insert

from ..extensions import db
from ..money import Money
from ..payments import services as payments
from .models import Order, Payment, PaymentMethod, PaymentStatus, Refund


def charge_card(order: Order, payment_method_id: str, *, idempotency_key: str) -> Payment:
    """Charge the order's total to the card; raises PaymentFailed (402) when the card is refused."""
    return payments.pay_order_by_card(order, payment_method_id, idempotency_key=idempotency_key)


def authentication_secret(order: Order) -> str | None:
    """While the card's bank wants the resident to confirm the payment (3-D Secure): the secret the
    provider's browser library needs to run that check."""
    return payments.authentication_secret(order)


def refresh(order: Order) -> Payment | None:
    """After the bank's check in the browser: how the card payment stands now, by the provider's word."""
    return payments.refresh_card_payment(order)


def has_live_payment(order: Order) -> bool:
    """Paid, or a payment still under way (cash to collect, a card waiting for the bank's check)."""
    return payments.current_payment(order) is not None


_INSERT_PAYMENT = insert(Payment.__table__)


def expect_cash(order: Order) -> None:
    """Cash is handed over at pickup or delivery: until then the payment waits.

    A plain INSERT rather than a Payment object flushed at commit: it is on every cash checkout's path."""
    db.session.execute(_INSERT_PAYMENT, {"order_id": order.id, "method": PaymentMethod.cash,
                                         "amount": order.total_amount, "currency": order.currency})
    db.session.expire(order, ["payments"])


def collect_cash(order: Order) -> None:
    """The merchant has the cash in hand (the order is handed over)."""
    payments.record_cash_payment(order)


def refundable(order: Order) -> Money:
    payment = payments.current_payment(order)
    return payment.refundable if payment is not None else Money.zero(order.currency)


def refund(order: Order, amount: Money, *, reason: str, user_id: int | None = None) -> Refund:
    """Give `amount` back; refuses more than is left to refund."""
    return payments.refund_payment(order, amount, reason=reason, user_id=user_id)


def release(order: Order, *, reason: str, user_id: int | None = None) -> None:
    """The order will not go ahead: give back what was paid, or stop what was not yet collected."""
    payment = payments.current_payment(order)
    if payment is None:
        return
    if payment.status == PaymentStatus.succeeded:
        if payment.refundable.amount:
            refund(order, payment.refundable, reason=reason, user_id=user_id)
    else:
        payments.cancel_payment(order)

