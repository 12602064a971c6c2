"""Compare the site's card payments with what the payment provider says, to the minor unit."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..orders.models import Payment, PaymentMethod, PaymentStatus
from .client import payment_client
from .errors import PaymentProviderUnavailable

_PROVIDER_STATUS = {"succeeded": PaymentStatus.succeeded, "canceled": PaymentStatus.cancelled,
                    "requires_action": PaymentStatus.requires_action}


def provider_disagreements() -> list[str]:
    """Every card payment whose status, amount or refunded amount differs at the provider."""
    payments = db.session.execute(
        select(Payment).where(Payment.method == PaymentMethod.card, Payment.provider_id.is_not(None))
    ).scalars().all()
    if not payments:
        return []
    client = payment_client()
    try:
        intents = {i["id"]: i for i in client.list_payment_intents()}
    except PaymentProviderUnavailable as exc:
        return [f"the payment provider could not be asked: {exc.message}"]
    problems = []
    for payment in payments:
        intent = intents.get(payment.provider_id)
        if intent is None:
            try:
                intent = client.retrieve_payment_intent(payment.provider_id)
            except Exception:  # noqa: BLE001 - any failure here is itself the finding
                problems.append(f"payment {payment.public_id}: {payment.provider_id} is unknown to the provider")
                continue
        expected = _PROVIDER_STATUS.get(intent.get("status"))
        if payment.status == PaymentStatus.succeeded and expected != PaymentStatus.succeeded:
            problems.append(f"payment {payment.public_id} succeeded here but is {intent.get('status')} at the provider")
        if payment.status == PaymentStatus.succeeded and intent.get("amount") != payment.amount:
            problems.append(f"payment {payment.public_id} is {payment.amount} here, {intent.get('amount')} there")
        if expected == PaymentStatus.succeeded and payment.status != PaymentStatus.succeeded:
            problems.append(f"payment {payment.public_id} is {payment.status} here but succeeded at the provider")
        if payment.status == PaymentStatus.succeeded:
            refunded = sum(r.get("amount", 0) for r in client.list_refunds(payment.provider_id)
                           if r.get("status") in (None, "succeeded", "pending"))
            if refunded != payment.refunded_amount:
                problems.append(f"payment {payment.public_id} has {payment.refunded_amount} refunded here, "
                                f"{refunded} at the provider")
    return problems


def sync_pending_payments() -> int:
    """Converge without webhooks: ask the provider about every unfinished card payment. Returns how many changed."""
    from .services import apply_intent

    payments = db.session.execute(
        select(Payment).where(Payment.method == PaymentMethod.card, Payment.provider_id.is_not(None),
                              Payment.status.in_([PaymentStatus.pending, PaymentStatus.requires_action]))
    ).scalars().all()
    client, changed = payment_client(), 0
    for payment in payments:
        before = payment.status
        apply_intent(payment, client.retrieve_payment_intent(payment.provider_id))
        changed += payment.status != before
    db.session.commit()
    return changed
