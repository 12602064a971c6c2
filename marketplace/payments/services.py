"""Payment use cases: charge a card, take cash, refund, cancel.

Each runs in the caller's transaction and commits nothing: the order flow commits the order,
its payment and (through the `order_paid` / `order_refunded` signals) the ledger's entries
together. The provider call happens inside that transaction; if the caller rolls back after a
successful charge, `flask payments reconcile` finds the orphan by its metadata and reports it.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..money import Money
from ..orders.models import Order, Payment, PaymentMethod, PaymentStatus, Refund
from ..signals import order_paid, order_refunded
from .client import failure_message, payment_client
from .errors import CardDeclined, NothingToPay, RefundTooLarge, ValidationError, translate as _


def _app():
    return current_app._get_current_object()


def current_payment(order: Order) -> Payment | None:
    """The order's live payment: the latest attempt that did not fail or get cancelled."""
    live = [p for p in order.payments if p.status not in (PaymentStatus.failed, PaymentStatus.cancelled)]
    return max(live, key=lambda p: p.id or 0) if live else None


def _paid(order: Order, payment: Payment) -> None:
    payment.succeed()
    db.session.flush()
    order_paid.send(_app(), order_id=order.id, shop_id=order.shop_id, amount=payment.money)


def pay_order_by_card(order: Order, card_token: str, *, idempotency_key: str) -> Payment:
    """Charge the order's total to a card the customer's browser gave the provider (`pm_...`).

    The site never sees card numbers: `card_token` is the provider's payment method id. The
    same idempotency key charges at most once, even when the first answer was lost. Raises
    CardDeclined (the failed attempt is recorded on the payment before raising) or
    PaymentProviderUnavailable. A card that needs 3-D Secure leaves the payment requires_action.
    """
    existing = current_payment(order)
    if existing is not None and existing.status == PaymentStatus.succeeded:
        return existing
    if order.total_amount <= 0:
        raise NothingToPay(_("This order has nothing to pay."))
    # pm_...: a payment method; card_...: a card the browser library tokenised, which the provider
    # accepts as a payment method too.
    if not card_token or not isinstance(card_token, str) or not card_token.startswith(("pm_", "card_")):
        raise ValidationError(_("Choose a card to pay with."), param="payment_method")
    payment = Payment(order=order, method=PaymentMethod.card, amount=order.total_amount, currency=order.currency)
    db.session.add(payment)
    db.session.flush()
    try:
        intent = payment_client().create_payment_intent(
            Money(order.total_amount, order.currency), payment_method=card_token, confirm=True,
            idempotency_key=f"pay:{order.public_id}:{idempotency_key}"[:255],
            metadata={"order": order.public_id, "payment": payment.public_id, "shop_id": str(order.shop_id)})
    except CardDeclined as exc:
        payment.provider_id = getattr(exc, "payment_intent", None)
        payment.fail(failure_message({"code": getattr(exc, "provider_code", "card_declined")}))
        db.session.flush()
        raise
    apply_intent(payment, intent)
    return payment


def apply_intent(payment: Payment, intent: dict) -> None:
    """Bring a payment in line with what the provider says about its PaymentIntent (idempotent)."""
    payment.provider_id = payment.provider_id or intent.get("id")
    status = intent.get("status")
    if payment.status in (PaymentStatus.succeeded, PaymentStatus.failed, PaymentStatus.cancelled):
        return
    if status == "succeeded":
        _paid(payment.order, payment)
    elif status == "requires_action" and payment.status == PaymentStatus.pending:
        payment.require_action()
    elif status == "canceled":
        payment.cancel()
    elif status == "requires_payment_method" and intent.get("last_payment_error"):
        payment.fail(failure_message(intent["last_payment_error"]))
    db.session.flush()


def _awaiting_bank(order: Order) -> Payment | None:
    payment = current_payment(order)
    if payment is None or payment.method != PaymentMethod.card or not payment.provider_id:
        return None
    return payment if payment.status in (PaymentStatus.pending, PaymentStatus.requires_action) else None


def authentication_secret(order: Order) -> str | None:
    """The secret the customer's browser needs to run the bank's check (3-D Secure) on the order's card
    payment, while that check is pending; None otherwise. A check finished meanwhile is applied."""
    payment = _awaiting_bank(order)
    if payment is None:
        return None
    intent = payment_client().retrieve_payment_intent(payment.provider_id)
    if intent.get("status") != "requires_action":
        apply_intent(payment, intent)
        return None
    return intent.get("client_secret")


def refresh_card_payment(order: Order) -> Payment | None:
    """Take the provider's word on an unfinished card payment (after the bank's check in the browser).

    A failed check fails the attempt; nothing was charged and the order can be paid with another card.
    """
    payment = _awaiting_bank(order)
    if payment is not None:
        apply_intent(payment, payment_client().retrieve_payment_intent(payment.provider_id))
    return current_payment(order) or order.payment


def record_cash_payment(order: Order) -> Payment:
    """The merchant has the cash in hand: the order's cash payment succeeds (once)."""
    payment = current_payment(order)
    if payment is not None and payment.status == PaymentStatus.succeeded:
        return payment
    if payment is None or payment.method != PaymentMethod.cash:
        payment = Payment(order=order, method=PaymentMethod.cash, amount=order.total_amount, currency=order.currency)
        db.session.add(payment)
        db.session.flush()
    _paid(order, payment)
    return payment


def refund_payment(order: Order, amount: Money, *, reason: str, user_id: int | None = None) -> Refund:
    """Give `amount` back to the customer (card: through the provider; cash: the merchant hands it back).

    Refuses more than what is left to refund, since some providers do not stop it.
    """
    payment = current_payment(order)
    if payment is None or payment.status != PaymentStatus.succeeded:
        raise RefundTooLarge(_("This order has no payment to refund."), param="amount")
    if not isinstance(amount, Money) or amount.currency != payment.currency or amount.amount <= 0:
        raise RefundTooLarge(_("Give a refund amount above zero in the order's currency."), param="amount")
    if amount > payment.refundable:
        raise RefundTooLarge(_("At most %(amount)s can still be refunded.", amount=payment.refundable.format()),
                             param="amount")
    refund = Refund(payment=payment, amount=amount.amount, currency=amount.currency, reason=(reason or "")[:2000],
                    created_by_id=user_id)
    db.session.add(refund)
    # Count it before asking the provider, so a second refund in this transaction sees the first.
    payment.refunded_amount = payment.refunded_amount + amount.amount
    db.session.flush()
    if payment.method == PaymentMethod.card:
        provider_refund = payment_client().create_refund(
            payment.provider_id, amount, idempotency_key=f"refund:{refund.public_id}",
            metadata={"order": order.public_id, "refund": refund.public_id})
        refund.provider_id = provider_refund.get("id")
        db.session.flush()
    order_refunded.send(_app(), order_id=order.id, shop_id=order.shop_id, amount=amount, refund_id=refund.id)
    return refund


def cancel_payment(order: Order) -> Payment | None:
    """Stop a payment that was not collected (cash not handed over, card not confirmed)."""
    payment = current_payment(order)
    if payment is None or payment.status not in (PaymentStatus.pending, PaymentStatus.requires_action):
        return payment
    if payment.method == PaymentMethod.card and payment.provider_id:
        payment_client().cancel_payment_intent(payment.provider_id, idempotency_key=f"cancel:{payment.public_id}")
    payment.cancel()
    db.session.flush()
    return payment


def payment_by_provider_id(provider_id: str) -> Payment | None:
    return db.session.execute(select(Payment).where(Payment.provider_id == provider_id)).scalar_one_or_none()


def apply_event(event_id: str, event_type: str, obj: dict) -> str:
    """Store a verified provider event once and apply it; a replayed event id changes nothing. Commits."""
    from sqlalchemy import select

    from .models import WebhookEvent

    if db.session.execute(select(WebhookEvent.id).where(WebhookEvent.event_id == event_id)).scalar() is not None:
        return "duplicate"
    record = WebhookEvent(event_id=event_id, type=event_type[:80], object_id=(obj.get("id") or None))
    db.session.add(record)
    db.session.flush()
    outcome = "ignored"
    if event_type.startswith("payment_intent.") and obj.get("id"):
        payment = payment_by_provider_id(obj["id"])
        if payment is None:
            outcome = "unknown payment"
        else:
            before = payment.status
            if event_type == "payment_intent.payment_failed" and payment.status in (
                    PaymentStatus.pending, PaymentStatus.requires_action):
                payment.fail(failure_message(obj.get("last_payment_error")))
            else:
                apply_intent(payment, obj)
            outcome = "applied" if payment.status != before else "already up to date"
    record.outcome = outcome
    db.session.commit()
    return outcome
