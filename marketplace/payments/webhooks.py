"""`POST /webhooks/payments`: events from the provider, verified, stored once, applied idempotently.

Payment state also converges without webhooks: `flask payments reconcile` asks the provider.
"""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from ..extensions import csrf, db
from .errors import BadSignature
from .signatures import verify

bp = Blueprint("payment_webhooks", __name__)
csrf.exempt(bp)

_INTENT_EVENTS = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
                  "payment_intent.requires_action", "payment_intent.amount_capturable_updated"}


def _error(status: int, message: str, code: str):
    return jsonify({"error": {"type": "invalid_request_error", "code": code, "message": message}}), status


@bp.post("/webhooks/payments")
def receive():
    """Receive one provider event. 400 for a bad signature or body; 200 once stored (even a replay)."""
    payload = request.get_data(cache=False)
    try:
        verify(payload, request.headers.get("Stripe-Signature"), current_app.config["STRIPE_WEBHOOK_SECRET"],
               tolerance=int(current_app.config.get("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300)))
    except BadSignature as exc:
        return _error(400, exc.message, exc.code)
    try:
        event = json.loads(payload)
        event_id, event_type = event["id"], event["type"]
        obj = event.get("data", {}).get("object") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return _error(400, "The body is not a provider event.", "invalid_event")
    from .services import apply_event

    try:
        outcome = apply_event(str(event_id), str(event_type), obj)
    except IntegrityError:
        # The same event arrived twice at once: the other request stored and applied it.
        db.session.rollback()
        outcome = "duplicate"
    return jsonify({"received": True, "outcome": outcome})
