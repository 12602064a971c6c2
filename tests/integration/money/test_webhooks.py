"""POST /webhooks/payments: signed events are applied once; bad or old signatures are refused."""
from __future__ import annotations

import json
import time

import pytest

from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Payment, PaymentMethod, PaymentStatus
from marketplace.payments.client import PaymentClient
from marketplace.payments.models import WebhookEvent
from marketplace.payments.signatures import sign
from financing.ledger import services as ledger

from .orders import make_order

SECRET = "whsec_demo"


def pending_card_payment(localstripe_url):
    """An order whose card payment the provider knows but has not confirmed yet (as after 3-D Secure)."""
    order = make_order(total=6600)
    intent = PaymentClient.from_config().create_payment_intent(
        Money(6600, "CNY"), payment_method="pm_card_visa", confirm=False, idempotency_key=f"wh-{order.public_id}",
        metadata={"order": order.public_id})
    payment = Payment(order=order, method=PaymentMethod.card, amount=6600, currency="CNY", provider_id=intent["id"])
    db.session.add(payment)
    db.session.commit()
    confirmed = PaymentClient.from_config().confirm_payment_intent(intent["id"], idempotency_key=f"c-{intent['id']}")
    assert confirmed["status"] == "succeeded"
    return order, payment, confirmed


def event_body(event_id: str, kind: str, obj: dict) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}).encode()


def post(client, body: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/webhooks/payments", data=body, headers=headers)


def test_an_event_delivered_three_times_is_applied_once(payments_app, client, localstripe_url):
    order, payment, intent = pending_card_payment(localstripe_url)
    body = event_body("evt_three_times", "payment_intent.succeeded", intent)
    outcomes = [post(client, body, sign(body, SECRET)).get_json()["outcome"] for _ in range(3)]
    assert outcomes == ["applied", "duplicate", "duplicate"]
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == PaymentStatus.succeeded
    assert db.session.query(WebhookEvent).count() == 1
    assert ledger.merchant_balances(order.shop_id)["pending"] == Money(6600 - 40, "CNY")


def test_a_new_event_about_a_payment_already_applied_changes_nothing(payments_app, client, localstripe_url):
    order, payment, intent = pending_card_payment(localstripe_url)
    for n in range(2):
        body = event_body(f"evt_again_{n}", "payment_intent.succeeded", intent)
        post(client, body, sign(body, SECRET))
    assert ledger.merchant_balances(order.shop_id)["pending"] == Money(6600 - 40, "CNY")


@pytest.mark.provider_not_checked  # the payment succeeded at the provider; no accepted event said so here
def test_a_bad_signature_or_an_old_timestamp_is_refused_and_changes_nothing(payments_app, client, localstripe_url):
    _order, payment, intent = pending_card_payment(localstripe_url)
    body = event_body("evt_forged", "payment_intent.succeeded", intent)
    refused = [
        post(client, body, None),
        post(client, body, sign(body, "whsec_someone_else")),
        post(client, body, sign(body, SECRET, timestamp=int(time.time()) - 301)),
        post(client, body + b" ", sign(body, SECRET)),
        post(client, body, "t=abc,v1=00"),
    ]
    assert [r.status_code for r in refused] == [400] * 5
    assert all(r.get_json()["error"]["code"] == "bad_signature" for r in refused)
    assert db.session.get(Payment, payment.id).status == PaymentStatus.pending
    assert db.session.query(WebhookEvent).count() == 0


def test_any_of_several_signatures_may_match_while_a_secret_is_rolled(payments_app, client, localstripe_url):
    _order, payment, intent = pending_card_payment(localstripe_url)
    body = event_body("evt_rolled", "payment_intent.succeeded", intent)
    good = sign(body, SECRET)
    stamp, digest = good.split(",")
    header = f"{stamp},v1={'0' * 64},{digest}"
    assert post(client, body, header).status_code == 200


def test_a_body_that_is_not_an_event_is_a_clear_400(payments_app, client):
    body = b'{"hello": "world"}'
    resp = post(client, body, sign(body, SECRET))
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "invalid_event"


@pytest.mark.provider_not_checked  # its payment is at a provider of its own, stopped at the end
def test_events_signed_and_sent_by_localstripe_itself_are_accepted(payments_app, tmp_path):
    """A localstripe of this test's own (so its webhook setting reaches no other test) posts to a live site."""
    import os
    import subprocess
    import sys
    import threading

    import requests
    from werkzeug.serving import make_server

    from tests.conftest import free_port, wait_for_port

    port = free_port()
    script = os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts", "run_localstripe.py")
    proc = subprocess.Popen([sys.executable, script, "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    site = make_server("127.0.0.1", free_port(), payments_app, threaded=True)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        wait_for_port(port)
        provider = f"http://127.0.0.1:{port}"
        payments_app.config["STRIPE_API_BASE"] = provider
        requests.post(f"{provider}/_config/webhooks/site", auth=("sk_test_demo", ""), timeout=10, data={
            "url": f"http://127.0.0.1:{site.server_port}/webhooks/payments", "secret": SECRET}).raise_for_status()
        order, payment, _intent = pending_card_payment(provider)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(Payment, payment.id).status == PaymentStatus.succeeded:
                break
            time.sleep(0.2)
        assert db.session.get(Payment, payment.id).status == PaymentStatus.succeeded
        assert db.session.query(WebhookEvent).filter(WebhookEvent.type == "payment_intent.succeeded").count() == 1
    finally:
        site.shutdown()
        proc.terminate()
        proc.wait(timeout=10)
