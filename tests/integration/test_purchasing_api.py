"""The purchasing JSON API: the whole journey, Stripe-style errors, and nobody acting on another's order."""
from __future__ import annotations

import pytest

from marketplace.catalog.models import Product
from marketplace.extensions import db
from merchants.purchasing import services as purchasing
from tests.factories import api_token, bearer, make_product, make_shop, make_user


@pytest.fixture
def parties(app, client):
    supplier = make_shop(kind="supplier", name="East Wholesale")
    rice = make_product(supplier, sku="W-RICE", name="Rice 10 kg", price=5000, stock=100)
    purchasing.set_wholesale_terms(supplier.owner_id, rice.id, min_order_quantity=2, tiers=[(10, 4800)])
    shop = make_shop(name="Corner Grocery")
    from marketplace.accounts.models import User

    buyer = db.session.get(User, shop.owner_id)
    seller = db.session.get(User, supplier.owner_id)
    return {"supplier": supplier.public_id, "rice": rice.public_id, "rice_id": rice.id,
            "buyer": bearer(api_token(client, buyer)), "seller": bearer(api_token(client, seller))}


def test_the_journey_through_the_api_from_draft_to_received_in_two_parts(client, parties):
    b, s = parties["buyer"], parties["seller"]
    resp = client.post("/api/v1/purchase-orders", headers=b, json={
        "supplier": parties["supplier"], "lines": [{"product": parties["rice"], "quantity": 10}]})
    assert resp.status_code == 201, resp.get_json()
    order = resp.get_json()
    assert order["object"] == "purchase_order" and order["id"].startswith("po_")
    assert order["status"] == "draft" and order["total"] == 48000 and order["currency"] == "CNY"
    po = order["id"]
    assert client.get("/api/v1/purchase-orders", headers=s).get_json()["data"] == []  # a draft is the buyer's own
    assert client.get(f"/api/v1/purchase-orders/{po}", headers=s).status_code == 404
    assert client.post(f"/api/v1/purchase-orders/{po}/submit", headers=b).get_json()["status"] == "submitted"
    incoming = client.get("/api/v1/purchase-orders?side=supplier", headers=s).get_json()
    assert [o["id"] for o in incoming["data"]] == [po]
    confirmed = client.post(f"/api/v1/purchase-orders/{po}/confirm", headers=s).get_json()
    assert confirmed["status"] == "confirmed" and confirmed["invoice"].startswith("inv_")
    assert client.post(f"/api/v1/purchase-orders/{po}/ship", headers=s).get_json()["status"] == "shipped"
    line = confirmed["lines"][0]["id"]
    part = client.post(f"/api/v1/purchase-orders/{po}/receive", headers=b,
                       json={"lines": [{"line": line, "quantity": 4}]})
    assert part.status_code == 200 and part.get_json()["status"] == "partially_received"
    rest = client.post(f"/api/v1/purchase-orders/{po}/receive", headers=b,
                       json={"lines": [{"product": parties["rice"], "quantity": 6}]}).get_json()
    assert rest["status"] == "received" and rest["lines"][0]["received_quantity"] == 10
    assert rest["received_at"] and rest["shipped_at"] and len(rest["receipts"]) == 2
    mine = db.session.execute(db.select(Product).where(Product.public_id == rest["lines"][0]["into_product"])
                              ).scalar_one()
    assert mine.stock_on_hand == 10
    invoices = client.get("/api/v1/invoices", headers=b).get_json()["data"]
    assert [(i["amount"], i["status"], i["overdue"]) for i in invoices] == [(48000, "open", False)]
    assert client.get(f"/api/v1/invoices/{invoices[0]['id']}", headers=s).status_code == 200
    history = client.get("/api/v1/purchase-history", headers=b).get_json()
    assert history["summary"]["spend"] == 48000 and history["summary"]["suppliers"] == 1


def test_a_retried_create_with_the_same_idempotency_key_makes_one_order(client, parties):
    body = {"supplier": parties["supplier"], "lines": [{"product": parties["rice"], "quantity": 2}]}
    headers = {**parties["buyer"], "Idempotency-Key": "po-create-1"}
    first = client.post("/api/v1/purchase-orders", headers=headers, json=body)
    second = client.post("/api/v1/purchase-orders", headers=headers, json=body)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(client.get("/api/v1/purchase-orders", headers=parties["buyer"]).get_json()["data"]) == 1


@pytest.mark.parametrize("body, status, param", [
    ({"lines": []}, 400, "supplier"),
    ({"supplier": "SUP", "lines": "rice"}, 400, "lines"),
    ({"supplier": "SUP", "lines": [{"product": "RICE", "quantity": 0}]}, 400, "lines[0].quantity"),
    ({"supplier": "SUP", "lines": [{"product": "RICE", "quantity": -1}]}, 400, "lines[0].quantity"),
    ({"supplier": "SUP", "lines": [{"product": "RICE", "quantity": "2"}]}, 400, "lines[0].quantity"),
    ({"supplier": "SUP", "lines": [{"product": "RICE", "quantity": 1}]}, 400, "lines[0].quantity"),
    ({"supplier": "SUP", "lines": [{"product": "prd_none", "quantity": 2}]}, 400, "lines[0].product"),
    ({"supplier": "shop_none", "lines": [{"product": "RICE", "quantity": 2}]}, 404, "supplier"),
    ({"supplier": "SUP", "lines": [{"product": "RICE", "quantity": 2}], "payment_terms": "net_90"}, 400,
     "payment_terms"),
])
def test_bad_orders_get_a_clear_error_naming_the_field(client, parties, body, status, param):
    body = {k: v for k, v in body.items()}
    if body.get("supplier") == "SUP":
        body["supplier"] = parties["supplier"]
    if isinstance(body.get("lines"), list):
        body["lines"] = [{**ln, "product": parties["rice"] if ln["product"] == "RICE" else ln["product"]}
                         for ln in body["lines"]]
    resp = client.post("/api/v1/purchase-orders", headers=parties["buyer"], json=body)
    assert resp.status_code == status, resp.get_json()
    error = resp.get_json()["error"]
    assert error["param"] == param and error["message"]
    assert client.get("/api/v1/purchase-orders", headers=parties["buyer"]).get_json()["data"] == []


def test_a_forbidden_step_is_a_409_and_another_partys_order_is_a_404(client, parties):
    b, s = parties["buyer"], parties["seller"]
    po = client.post("/api/v1/purchase-orders", headers=b, json={
        "supplier": parties["supplier"], "lines": [{"product": parties["rice"], "quantity": 2}],
        "submit": True}).get_json()["id"]
    resp = client.post(f"/api/v1/purchase-orders/{po}/ship", headers=s)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_transition"
    assert client.post(f"/api/v1/purchase-orders/{po}/confirm", headers=b).status_code == 403
    stranger = bearer(api_token(client, make_user("merchant")))
    for path in (f"/api/v1/purchase-orders/{po}", ):
        assert client.get(path, headers=stranger).status_code == 404
    for verb in ("submit", "confirm", "ship", "cancel", "receive"):
        resp = client.post(f"/api/v1/purchase-orders/{po}/{verb}", headers=stranger, json={})
        assert resp.status_code == 404, verb
    resp = client.post(f"/api/v1/purchase-orders/{po}/reject", headers=s, json={})
    assert resp.status_code == 400 and resp.get_json()["error"]["param"] == "reason"
    assert client.get(f"/api/v1/purchase-orders/{po}", headers=b).get_json()["status"] == "submitted"
    assert client.post(f"/api/v1/purchase-orders/{po}/submit").status_code == 401


def test_suppliers_and_their_terms_are_listed_near_a_point(client, parties):
    hits = client.get("/api/v1/suppliers?lat=28.656&lon=121.421&radius_km=5", headers=parties["buyer"]).get_json()
    assert [h["id"] for h in hits["data"]] == [parties["supplier"]]
    products = client.get(f"/api/v1/suppliers/{parties['supplier']}/products", headers=parties["buyer"]).get_json()
    (rice,) = products["data"]
    assert rice["min_order_quantity"] == 2
    assert rice["price_tiers"] == [{"min_quantity": 1, "unit_price": 5000}, {"min_quantity": 10, "unit_price": 4800}]
    assert client.get("/api/v1/suppliers?lat=28.6", headers=parties["buyer"]).status_code == 400
    resp = client.put(f"/api/v1/products/{parties['rice']}/wholesale-terms", headers=parties["seller"],
                      json={"min_order_quantity": 5, "lead_time_days": 3,
                            "price_tiers": [{"min_quantity": 20, "unit_price": 4600}]})
    assert resp.status_code == 200 and resp.get_json()["min_order_quantity"] == 5
    resp = client.put(f"/api/v1/products/{parties['rice']}/wholesale-terms", headers=parties["buyer"], json={})
    assert resp.status_code == 404


def test_every_purchasing_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/purchase-orders", "/api/v1/purchase-orders/{po_id}",
                 "/api/v1/purchase-orders/{po_id}/receive", "/api/v1/purchase-orders/{po_id}/confirm",
                 "/api/v1/invoices", "/api/v1/suppliers", "/api/v1/purchase-history"):
        assert path in paths, path
    assert paths["/api/v1/purchase-orders/{po_id}/ship"]["post"]["summary"] == "Mark an order shipped (supplier)"
