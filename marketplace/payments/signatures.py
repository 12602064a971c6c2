"""Stripe's webhook signature scheme: HMAC-SHA256 over "<timestamp>.<body>", checked with a time tolerance."""
from __future__ import annotations

import hashlib
import hmac
import time

from .errors import BadSignature

DEFAULT_TOLERANCE_SECONDS = 300


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header value the provider would send (tests and tools use it to send real-looking events)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(payload: bytes, header: str | None, secret: str, *, tolerance: int = DEFAULT_TOLERANCE_SECONDS,
           now: float | None = None) -> int:
    """Return the signed timestamp, or raise BadSignature saying what is wrong."""
    if not header:
        raise BadSignature("Missing Stripe-Signature header.")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise BadSignature("The signature's timestamp is not a number.") from None
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise BadSignature("The Stripe-Signature header needs t= and at least one v1=.")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise BadSignature("The event's timestamp is too old (or in the future); it may be a replay.")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise BadSignature("No signature matches the payload.")
    return timestamp
