"""Card payments against a running localstripe over HTTP: pay, refund, decline, timeouts, errors."""
from __future__ import annotations

import pytest

from financing.ledger import services as ledger
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import PaymentStatus
from marketplace.payments import services as payments
from marketplace.payments.client import PaymentClient
from marketplace.payments.errors import CardDeclined, PaymentProviderUnavailable, RefundTooLarge
from marketplace.payments.reconcile import provider_disagreements

from .orders import make_order
from .provider import SlowFirstAnswerProxy, card_payment_method, provider_intents


def intents_for(base_url: str, order) -> list[dict]:
    return [i for i in provider_intents(base_url) if i["metadata"].get("order") == order.public_id]


def test_a_card_payment_charges_the_total_and_the_merchant_sees_it_pending(payments_app, localstripe_url):
    order = make_order(total=12345)
    payment = payments.pay_order_by_card(order, card_payment_method(localstripe_url), idempotency_key="k1")
    db.session.commit()
    assert payment.status == PaymentStatus.succeeded
    assert payment.provider_id.startswith("pi_")
    [intent] = intents_for(localstripe_url, order)
    assert (intent["amount"], intent["currency"], intent["status"]) == (12345, "cny", "succeeded")
    assert ledger.merchant_balances(order.shop_id)["pending"] == Money(12345 - 74, "CNY")
    assert provider_disagreements() == []


def test_paying_again_with_the_same_key_charges_once(payments_app, localstripe_url):
    order = make_order(total=800)
    pm = card_payment_method(localstripe_url)
    first = payments.pay_order_by_card(order, pm, idempotency_key="same")
    db.session.commit()
    second = payments.pay_order_by_card(order, pm, idempotency_key="same")
    db.session.commit()
    assert first.id == second.id
    assert len(intents_for(localstripe_url, order)) == 1


def test_partial_then_full_refund_go_to_the_provider_and_the_books(payments_app, localstripe_url):
    order = make_order(total=10000)
    payments.pay_order_by_card(order, card_payment_method(localstripe_url), idempotency_key="r")
    db.session.commit()
    payments.refund_payment(order, Money(2500, "CNY"), reason="one item was missing")
    db.session.commit()
    assert ledger.merchant_balances(order.shop_id)["pending"] == Money(10000 - 60 - 2500, "CNY")
    with pytest.raises(RefundTooLarge):
        payments.refund_payment(order, Money(7501, "CNY"), reason="too much")
    db.session.rollback()
    payments.refund_payment(order, Money(7500, "CNY"), reason="the rest")
    db.session.commit()
    payment = order.payments[0]
    assert payment.refunded_amount == 10000
    assert ledger.merchant_balances(order.shop_id)["pending"] == Money(-60, "CNY")
    assert provider_disagreements() == []
    with pytest.raises(RefundTooLarge):
        payments.refund_payment(order, Money(1, "CNY"), reason="nothing left")
    db.session.rollback()


def test_a_declined_card_says_so_in_plain_words_and_posts_nothing(payments_app, localstripe_url):
    order = make_order(total=5000)
    with pytest.raises(CardDeclined) as declined:
        payments.pay_order_by_card(order, card_payment_method(localstripe_url, "4000000000000341"),
                                   idempotency_key="d")
    assert "declined" in declined.value.message
    assert declined.value.status == 402
    assert order.payments[0].status == PaymentStatus.failed
    db.session.commit()
    assert ledger.merchant_balances(order.shop_id)["pending"] == Money(0, "CNY")


def test_an_answer_lost_to_a_timeout_is_found_on_retry_and_the_card_is_charged_once(payments_app, localstripe_url):
    order = make_order(total=4321)
    pm = card_payment_method(localstripe_url)
    with SlowFirstAnswerProxy(localstripe_url, "/v1/payment_intents", delay=2.0) as proxy:
        payments_app.config.update(STRIPE_API_BASE=proxy.url, PAYMENT_TIMEOUT_SECONDS=0.5,
                                   PAYMENT_RETRY_BACKOFF_SECONDS=0.01)
        payment = payments.pay_order_by_card(order, pm, idempotency_key="slow")
        db.session.commit()
        assert proxy.posts_seen == 1  # the retry looked the intent up instead of posting again
    payments_app.config["STRIPE_API_BASE"] = localstripe_url
    assert payment.status == PaymentStatus.succeeded
    [intent] = intents_for(localstripe_url, order)
    assert intent["id"] == payment.provider_id


def test_a_provider_that_does_not_answer_is_a_clear_service_error(payments_app):
    from tests.conftest import free_port

    client = PaymentClient(f"http://127.0.0.1:{free_port()}", "sk_test_demo", connect_timeout=0.2, read_timeout=0.2,
                           max_retries=2, backoff_seconds=0.01)
    with pytest.raises(PaymentProviderUnavailable) as unavailable:
        client.retrieve_payment_intent("pi_missing")
    assert unavailable.value.status == 503
    with pytest.raises(ValueError):
        client.request("POST", "/v1/customers", {"email": "a@b.c"})  # a POST without a key is a bug


def test_a_customer_is_created_once_per_key(payments_app, localstripe_url):
    client = PaymentClient.from_config()
    first = client.create_customer(email="li@example.test", name="Li Na", idempotency_key="cus-li")
    assert client.retrieve_customer(first["id"])["email"] == "li@example.test"


def test_an_unconfirmed_card_payment_can_be_cancelled(payments_app, localstripe_url):
    client = PaymentClient.from_config()
    intent = client.create_payment_intent(Money(900, "CNY"), payment_method="pm_card_visa", confirm=False,
                                          capture_method="manual", idempotency_key="cancel-me")
    assert intent["status"] in ("requires_confirmation", "requires_payment_method")
    cancelled = client.cancel_payment_intent(intent["id"], idempotency_key="cancel-me-now")
    assert cancelled["status"] == "canceled"
