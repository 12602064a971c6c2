"""Orders paid by card through the real localstripe server over HTTP."""
import requests
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import Order
from tests.factories import api_token, bearer
from tests.integration.money.provider import card_payment_method


def _place(client, town, headers, pm="pm_card_visa", **over):
    body = {"shop": town.shop.public_id, "lines": [{"product": town.eggs.public_id, "quantity": 2}],
            "fulfilment": "pickup", "payment_method": "card", "payment_method_id": pm}
    body.update(over)
    return client.post("/api/v1/orders", json=body, headers=headers)


def test_a_card_order_is_charged_once_and_a_rejection_refunds_it_at_the_provider(payments_app, client, town,
                                                                                  localstripe_url):
    resident, merchant = bearer(api_token(client, town.resident)), bearer(api_token(client, town.merchant))
    headers = {**resident, "Idempotency-Key": "card-1"}
    resp = _place(client, town, headers)
    assert resp.status_code == 201, resp.get_json()
    order = resp.get_json()
    assert order["payment"]["status"] == "succeeded" and order["payment"]["id"].startswith("pi_")
    assert _place(client, town, headers).get_json()["id"] == order["id"]
    auth = ("sk_test_demo", "")
    intent = requests.get(f"{localstripe_url}/v1/payment_intents/{order['payment']['id']}", auth=auth).json()
    assert (intent["amount"], intent["status"]) == (2500, "succeeded")

    resp = client.post(f"/api/v1/orders/{order['id']}/reject", json={"reason": "Out of eggs"}, headers=merchant)
    assert resp.status_code == 200 and resp.get_json()["payment"]["amount_refunded"] == 2500
    refunds = requests.get(f"{localstripe_url}/v1/refunds", params={"payment_intent": intent["id"]}, auth=auth).json()
    assert sum(r["amount"] for r in refunds["data"]) == 2500
    assert db.session.get(Product, town.eggs.id).stock_on_hand == 5


def test_a_declined_card_places_no_order_and_takes_no_stock(payments_app, client, town, localstripe_url):
    resident = bearer(api_token(client, town.resident))
    resp = _place(client, town, resident, pm=card_payment_method(localstripe_url, "4000000000000341"))
    assert resp.status_code == 402, resp.get_json()
    assert resp.get_json()["error"]["code"] == "card_declined"
    assert db.session.execute(select(func.count(Order.id))).scalar_one() == 0
    assert db.session.get(Product, town.eggs.id).stock_on_hand == 5


def test_a_completed_card_order_is_refunded_in_parts_never_beyond_the_charge(payments_app, client, town):
    resident, merchant = bearer(api_token(client, town.resident)), bearer(api_token(client, town.merchant))
    oid = _place(client, town, resident).get_json()["id"]
    for step in ("accept", "ready", "complete"):
        client.post(f"/api/v1/orders/{oid}/{step}", headers=merchant)
    assert client.post(f"/api/v1/orders/{oid}/refunds", json={"amount": 1000}, headers=merchant).status_code == 200
    resp = client.post(f"/api/v1/orders/{oid}/refunds", json={"amount": 1501}, headers=merchant)
    assert resp.status_code == 400
    resp = client.post(f"/api/v1/orders/{oid}/refunds", json={"amount": 1500}, headers=merchant)
    assert resp.get_json()["payment"]["amount_refunded"] == 2500
