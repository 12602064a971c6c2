"""The orders JSON API: Stripe-style objects and errors, idempotent placement, each step."""
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import Order
from tests.factories import api_token, bearer, make_product, make_shop


def _tokens(client, town):
    return bearer(api_token(client, town.resident)), bearer(api_token(client, town.merchant))


def _body(town, **over):
    body = {"shop": town.shop.public_id, "lines": [{"product": town.eggs.public_id, "quantity": 2}],
            "fulfilment": "pickup", "payment_method": "cash"}
    body.update(over)
    return body


def test_a_resident_orders_and_the_merchant_takes_it_to_completion(client, town):
    resident, merchant = _tokens(client, town)
    resp = client.post("/api/v1/orders", json=_body(town), headers=resident)
    assert resp.status_code == 201, resp.get_json()
    order = resp.get_json()
    assert (order["object"], order["status"], order["total"], order["currency"]) == ("order", "placed", 2500, "CNY")
    assert order["lines"] == [{"product": town.eggs.public_id, "name": "Eggs", "quantity": 2,
                               "unit_price": 1250, "amount": 2500}]
    assert order["payment"]["status"] == "pending" and order["payment"]["method"] == "cash"
    oid = order["id"]
    assert client.get(f"/api/v1/orders/{oid}", headers=merchant).get_json()["id"] == oid
    for step, status in (("accept", "accepted"), ("ready", "ready"), ("complete", "completed")):
        resp = client.post(f"/api/v1/orders/{oid}/{step}", headers=merchant)
        assert resp.status_code == 200 and resp.get_json()["status"] == status
    done = resp.get_json()
    assert done["payment"]["status"] == "succeeded" and done["completed_at"] >= done["accepted_at"]
    resp = client.post(f"/api/v1/orders/{oid}/refunds", json={"amount": 500}, headers=merchant)
    assert resp.get_json()["payment"]["amount_refunded"] == 500
    resp = client.post(f"/api/v1/orders/{oid}/refunds", json={"amount": 2001}, headers=merchant)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "refund_exceeds_paid"
    resp = client.post(f"/api/v1/orders/{oid}/review", json={"rating": 5, "text": "Quick"}, headers=resident)
    assert resp.status_code == 201 and resp.get_json()["rating"] == 5
    listed = client.get("/api/v1/orders", headers=resident).get_json()
    assert [o["id"] for o in listed["data"]] == [oid] and listed["has_more"] is False


def test_a_retried_placement_with_the_same_key_replays_the_first_order(client, town):
    resident, _ = _tokens(client, town)
    headers = {**resident, "Idempotency-Key": "checkout-42"}
    first = client.post("/api/v1/orders", json=_body(town), headers=headers)
    again = client.post("/api/v1/orders", json=_body(town), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert db.session.execute(select(func.count(Order.id))).scalar_one() == 1
    assert db.session.get(Product, town.eggs.id).stock_on_hand == 3


def test_invalid_orders_get_clear_errors_and_change_nothing(client, town):
    resident, merchant = _tokens(client, town)
    other = make_product(make_shop(name="Other"), stock=4)
    cases = [
        (_body(town, lines=[{"product": other.public_id, "quantity": 1}]), 404, "lines[0].product"),
        (_body(town, lines=[{"product": town.eggs.public_id, "quantity": 0}]), 400, "lines[0].quantity"),
        (_body(town, lines=[{"product": town.eggs.public_id, "quantity": -1}]), 400, "lines[0].quantity"),
        (_body(town, lines=[{"product": town.eggs.public_id, "quantity": "2"}]), 400, "lines[0].quantity"),
        (_body(town, lines="eggs"), 400, "lines"),
        (_body(town, payment_method="cheque"), 400, "payment_method"),
        (_body(town, fulfilment="delivery", address="Far", lat=29.5, lon=121.4), 400, "address"),
        (_body(town, fulfilment="delivery", address="Near", lat=town.home[0], lon=town.home[1],
               lines=[{"product": town.milk.public_id, "quantity": 1}]), 400, "lines"),
        (_body(town, shop="shop_missing"), 404, "shop"),
        (_body(town, lines=[{"product": town.eggs.public_id, "quantity": 6}]), 409, "quantity"),
    ]
    for body, status, param in cases:
        resp = client.post("/api/v1/orders", json=body, headers=resident)
        assert resp.status_code == status, (body, resp.get_json())
        assert resp.get_json()["error"]["param"] == param
    assert client.post("/api/v1/orders", data="nope", headers=resident).status_code == 400
    assert client.post("/api/v1/orders", json=_body(town), headers=merchant).status_code == 403
    assert client.post("/api/v1/orders", json=_body(town)).status_code == 401
    town.shop.is_open = False
    db.session.commit()
    resp = client.post("/api/v1/orders", json=_body(town), headers=resident)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "shop_closed"
    assert db.session.execute(select(func.count(Order.id))).scalar_one() == 0
    assert db.session.get(Product, town.eggs.id).stock_on_hand == 5


def test_rejecting_needs_a_reason_and_a_cancelled_order_cannot_be_accepted(client, town):
    resident, merchant = _tokens(client, town)
    oid = client.post("/api/v1/orders", json=_body(town), headers=resident).get_json()["id"]
    assert client.post(f"/api/v1/orders/{oid}/reject", json={}, headers=merchant).status_code == 400
    resp = client.post(f"/api/v1/orders/{oid}/reject", json={"reason": "Closed early"}, headers=merchant)
    assert resp.get_json()["status"] == "rejected" and resp.get_json()["reject_reason"] == "Closed early"
    oid2 = client.post("/api/v1/orders", json=_body(town), headers=resident).get_json()["id"]
    assert client.post(f"/api/v1/orders/{oid2}/cancel", headers=resident).get_json()["status"] == "cancelled"
    resp = client.post(f"/api/v1/orders/{oid2}/accept", headers=merchant)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_transition"
    assert db.session.get(Product, town.eggs.id).stock_on_hand == 5


def test_an_order_is_invisible_to_everyone_but_its_resident_and_its_shop(client, town):
    from tests.factories import make_user

    resident, _ = _tokens(client, town)
    oid = client.post("/api/v1/orders", json=_body(town), headers=resident).get_json()["id"]
    stranger = bearer(api_token(client, make_user("merchant")))
    assert client.get(f"/api/v1/orders/{oid}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/orders/{oid}/accept", headers=stranger).status_code == 404


def test_every_order_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/orders"] and "get" in paths["/api/v1/orders/{order_id}"]
    for step in ("accept", "reject", "ready", "complete", "cancel", "refunds", "review"):
        assert "post" in paths[f"/api/v1/orders/{{order_id}}/{step}"]
