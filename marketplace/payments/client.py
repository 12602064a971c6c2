"""A thin client for a Stripe-compatible REST API, written with `requests` (no vendor SDK).

Every POST carries an `Idempotency-Key`. Network errors, 409 and 5xx are retried a bounded
number of times with exponential backoff, under the same key. Because not every
Stripe-compatible server honours idempotency keys (localstripe does not), a retried create
first looks the object up by the key, which the client also writes into its metadata: a
request whose answer was lost in a timeout is found, not sent again, so a card is charged once.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import requests
from flask import current_app

from ..money import Money
from .errors import CardDeclined, PaymentProviderError, PaymentProviderUnavailable, mark as _l, translate as _

log = logging.getLogger(__name__)

KEY_METADATA = "idempotency_key"
RETRYABLE_STATUS = {409} | set(range(500, 600))
_DECLINE_MESSAGES = {
    "card_declined": _l("Your card was declined. Try another card or pay in cash."),
    "insufficient_funds": _l("Your card has insufficient funds. Try another card or pay in cash."),
    "expired_card": _l("Your card has expired. Try another card."),
    "incorrect_cvc": _l("The card's security code is wrong."),
    "processing_error": _l("The card could not be processed. Try again in a moment."),
}
# The customer's bank did not confirm the payment (3-D Secure failed or was abandoned).
AUTHENTICATION_FAILED = "payment_intent_authentication_failure"
_AUTHENTICATION_FAILED_MESSAGE = _l(
    "Your bank did not confirm the payment, so nothing was charged. Pay with another card, or cancel the order.")


def failure_message(error: dict | None) -> str:
    """What went wrong with a payment attempt, in the customer's words, from the provider's error object.

    In English, as it is stored: whoever reads it later (a Chinese page, an English API client) translates
    it with `translate`, since a webhook or a job may be the one that records it."""
    code = (error or {}).get("decline_code") or (error or {}).get("code") or ""
    if code == AUTHENTICATION_FAILED:
        return _AUTHENTICATION_FAILED_MESSAGE
    return _DECLINE_MESSAGES.get(code, _DECLINE_MESSAGES["card_declined"])


def encode_form(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: nested dicts as `a[b]=c`, lists as `a[0]=c`, booleans as true/false."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, dict):
            pairs += encode_form(value, name)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                pairs += encode_form({str(i): item}, name)
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))
    return pairs


class PaymentClient:
    def __init__(self, base_url: str, secret_key: str, *, connect_timeout: float = 3.05, read_timeout: float = 10,
                 max_retries: int = 3, backoff_seconds: float = 0.25, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self.session = session or requests.Session()

    @classmethod
    def from_config(cls, config=None) -> "PaymentClient":
        config = config or current_app.config
        return cls(config["STRIPE_API_BASE"], config["STRIPE_SECRET_KEY"],
                   connect_timeout=float(config.get("PAYMENT_CONNECT_TIMEOUT_SECONDS", 3.05)),
                   read_timeout=float(config["PAYMENT_TIMEOUT_SECONDS"]),
                   max_retries=int(config.get("PAYMENT_MAX_RETRIES", 3)),
                   backoff_seconds=float(config.get("PAYMENT_RETRY_BACKOFF_SECONDS", 0.25)))

    # -- transport ---------------------------------------------------------------------------------------------

    def request(self, method: str, path: str, data: dict | None = None, *, idempotency_key: str | None = None,
                params: dict | None = None, lookup: Callable[[], dict | None] | None = None) -> dict:
        """Send, retrying on network errors, 409 and 5xx; before a retry, `lookup` may find the first try's result."""
        if method == "POST" and not idempotency_key:
            raise ValueError("every POST to the payment provider needs an idempotency key")
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        url = self.base_url + path
        body = encode_form(data or {})
        attempt = 0
        while True:
            if attempt and lookup is not None:
                found = self._lookup_quietly(lookup)
                if found is not None:
                    log.info("payment provider: %s %s found by its idempotency key after a failed try", method, path)
                    return found
            try:
                response = self.session.request(method, url, data=body or None, params=params, headers=headers,
                                                auth=(self.secret_key, ""), timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failure: Exception | requests.Response = exc
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return self._answer(response)
                failure = response
            attempt += 1
            if attempt > self.max_retries:
                log.warning("payment provider: %s %s failed after %d tries: %s", method, path, attempt, failure)
                raise PaymentProviderUnavailable(
                    _("The payment service is not answering. Nothing was charged twice; try again in a minute."))
            time.sleep(self.backoff_seconds * (2 ** (attempt - 1)))

    def _lookup_quietly(self, lookup: Callable[[], dict | None]) -> dict | None:
        try:
            return lookup()
        except (requests.ConnectionError, requests.Timeout, PaymentProviderError):
            return None

    @staticmethod
    def _answer(response: requests.Response) -> dict:
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code < 400:
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        error = error if isinstance(error, dict) else {}
        code = error.get("decline_code") or error.get("code") or ""
        if response.status_code == 402 or error.get("type") == "card_error" or code in _DECLINE_MESSAGES:
            exc = CardDeclined(_(_DECLINE_MESSAGES.get(code, _DECLINE_MESSAGES["card_declined"])))
            exc.provider_code = code or "card_declined"
            exc.charge_id = error.get("charge")
            exc.payment_intent = error.get("payment_intent")
            raise exc
        if response.status_code in (401, 403):
            log.error("payment provider refused our key: %s", error.get("message"))
            raise PaymentProviderUnavailable(_("Card payments are not set up correctly. Pay in cash, or try later."))
        log.warning("payment provider answered %s: %s", response.status_code, error.get("message"))
        raise PaymentProviderError(
            _("The payment service refused the request: %(reason)s", reason=error.get("message") or response.reason))

    def list_all(self, path: str, params: dict | None = None, *, max_pages: int = 20) -> list[dict]:
        items, params = [], dict(params or {}, limit=100)
        for _ in range(max_pages):
            page = self.request("GET", path, params=params)
            items += page.get("data", [])
            if not page.get("has_more") or not page.get("data"):
                break
            params["starting_after"] = page["data"][-1]["id"]
        return items

    def _find_by_key(self, path: str, key: str, params: dict | None = None) -> dict | None:
        for item in self.list_all(path, params):
            if (item.get("metadata") or {}).get(KEY_METADATA) == key:
                return item
        return None

    # -- PaymentIntents ----------------------------------------------------------------------------------------

    def create_payment_intent(self, amount: Money, *, idempotency_key: str, payment_method: str | None = None,
                              confirm: bool = False, capture_method: str = "automatic",
                              customer: str | None = None, metadata: dict | None = None) -> dict:
        data = {"amount": amount.amount, "currency": amount.currency.lower(), "payment_method": payment_method,
                "confirm": confirm, "capture_method": capture_method, "customer": customer,
                "metadata": dict(metadata or {}, **{KEY_METADATA: idempotency_key})}
        return self.request("POST", "/v1/payment_intents", data, idempotency_key=idempotency_key,
                            lookup=lambda: self._find_by_key("/v1/payment_intents", idempotency_key))

    def retrieve_payment_intent(self, intent_id: str) -> dict:
        return self.request("GET", f"/v1/payment_intents/{intent_id}")

    def confirm_payment_intent(self, intent_id: str, *, idempotency_key: str) -> dict:
        return self.request("POST", f"/v1/payment_intents/{intent_id}/confirm", idempotency_key=idempotency_key)

    def capture_payment_intent(self, intent_id: str, *, idempotency_key: str, amount: Money | None = None) -> dict:
        data = {"amount_to_capture": amount.amount} if amount is not None else {}
        return self.request("POST", f"/v1/payment_intents/{intent_id}/capture", data, idempotency_key=idempotency_key)

    def cancel_payment_intent(self, intent_id: str, *, idempotency_key: str) -> dict:
        return self.request("POST", f"/v1/payment_intents/{intent_id}/cancel", idempotency_key=idempotency_key)

    def list_payment_intents(self) -> list[dict]:
        return self.list_all("/v1/payment_intents")

    # -- Refunds -----------------------------------------------------------------------------------------------

    def create_refund(self, payment_intent: str, amount: Money, *, idempotency_key: str,
                      metadata: dict | None = None) -> dict:
        data = {"payment_intent": payment_intent, "amount": amount.amount,
                "metadata": dict(metadata or {}, **{KEY_METADATA: idempotency_key})}
        return self.request("POST", "/v1/refunds", data, idempotency_key=idempotency_key,
                            lookup=lambda: self._find_by_key("/v1/refunds", idempotency_key,
                                                             {"payment_intent": payment_intent}))

    def list_refunds(self, payment_intent: str) -> list[dict]:
        return self.list_all("/v1/refunds", {"payment_intent": payment_intent})

    # -- Customers ---------------------------------------------------------------------------------------------

    def create_customer(self, *, email: str, name: str, idempotency_key: str, metadata: dict | None = None) -> dict:
        data = {"email": email, "name": name, "metadata": dict(metadata or {}, **{KEY_METADATA: idempotency_key})}
        return self.request("POST", "/v1/customers", data, idempotency_key=idempotency_key,
                            lookup=lambda: self._find_by_key("/v1/customers", idempotency_key))

    def retrieve_customer(self, customer_id: str) -> dict:
        return self.request("GET", f"/v1/customers/{customer_id}")

    # -- Payouts (where the provider supports them) ------------------------------------------------------------

    def create_payout(self, amount: Money, *, idempotency_key: str, metadata: dict | None = None) -> dict:
        data = {"amount": amount.amount, "currency": amount.currency.lower(),
                "metadata": dict(metadata or {}, **{KEY_METADATA: idempotency_key})}
        return self.request("POST", "/v1/payouts", data, idempotency_key=idempotency_key)


def payment_client() -> PaymentClient:
    """The client for the current app's settings (cheap: one requests.Session per call)."""
    return PaymentClient.from_config()
