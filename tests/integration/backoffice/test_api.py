"""The back-office JSON API: shops, products and stock movements, owner only, Stripe-style errors."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product, StockMovement
from marketplace.extensions import db
from tests.factories import api_token, bearer, make_product, make_shop, make_user

SHOP = {"name": "Chen's Tea", "category": "tea", "latitude": 28.65, "longitude": 121.43, "delivery_fee": 500,
        "minimum_order": 3000, "opening_hours": {"mon": [["09:00", "21:00"]]}}


@pytest.fixture
def merchant_headers(client):
    return bearer(api_token(client, make_user("merchant")))


def _make_shop(client, headers, **extra):
    resp = client.post("/api/v1/shops", json={**SHOP, **extra}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_a_merchant_opens_a_shop_adds_a_product_and_adjusts_its_stock(client, merchant_headers):
    shop = _make_shop(client, merchant_headers)
    assert shop["id"].startswith("shop_") and shop["delivery_fee"] == 500 and shop["currency"] == "CNY"
    resp = client.post(f"/api/v1/shops/{shop['id']}/products", headers=merchant_headers,
                       json={"sku": "OOLONG-250", "name": "Oolong 250 g", "price": 4800, "stock_on_hand": 12,
                             "low_stock_threshold": 3})
    assert resp.status_code == 201, resp.get_json()
    product = resp.get_json()
    assert {k: product[k] for k in ("sku", "price", "currency", "stock_on_hand", "shop")} == {
        "sku": "OOLONG-250", "price": 4800, "currency": "CNY", "stock_on_hand": 12, "shop": shop["id"]}
    resp = client.post(f"/api/v1/products/{product['id']}/stock-movements", headers=merchant_headers,
                       json={"quantity": -2, "reason": "damaged", "note": "torn bag"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["running_count"] == 10
    movements = client.get(f"/api/v1/products/{product['id']}/stock-movements", headers=merchant_headers).get_json()
    assert [(m["quantity"], m["running_count"], m["reason"]) for m in movements["data"]] == [
        (-2, 10, "adjustment"), (12, 12, "initial")]
    assert client.get(f"/api/v1/products/{product['id']}", headers=merchant_headers).get_json()["stock_on_hand"] == 10


def test_patching_a_shop_and_a_product_changes_only_the_fields_given(client, merchant_headers):
    shop = _make_shop(client, merchant_headers)
    resp = client.patch(f"/api/v1/shops/{shop['id']}", json={"delivery_radius_km": 1.5, "is_open": False},
                        headers=merchant_headers)
    assert resp.status_code == 200 and resp.get_json()["delivery_radius_km"] == 1.5
    assert resp.get_json()["name"] == SHOP["name"] and resp.get_json()["is_open"] is False
    product = client.post(f"/api/v1/shops/{shop['id']}/products", headers=merchant_headers,
                          json={"sku": "A", "name": "A", "price": 100}).get_json()
    resp = client.patch(f"/api/v1/products/{product['id']}", json={"price": 120, "status": "archived"},
                        headers=merchant_headers)
    assert resp.get_json()["price"] == 120 and resp.get_json()["status"] == "archived"
    listed = client.get(f"/api/v1/shops/{shop['id']}/products?status=archived", headers=merchant_headers).get_json()
    assert [p["id"] for p in listed["data"]] == [product["id"]]


@pytest.mark.parametrize("method, path, body, status, param", [
    ("post", "/api/v1/shops", {**SHOP, "latitude": 95}, 400, "latitude"),
    ("post", "/api/v1/shops", {**SHOP, "longitude": "121"}, 400, "longitude"),
    ("post", "/api/v1/shops", {k: v for k, v in SHOP.items() if k != "name"}, 400, "name"),
    ("post", "/api/v1/shops", {**SHOP, "opening_hours": {"mon": [["9", "5"]]}}, 400, "opening_hours"),
    ("post", "/api/v1/shops", {**SHOP, "delivery_fee": 5.5}, 400, "delivery_fee"),
    ("patch", "/api/v1/shops/{shop}", {"owner_id": 1}, 400, "owner_id"),
    ("post", "/api/v1/shops/{shop}/products", {"sku": "X", "name": "X", "price": 9.99}, 400, "price"),
    ("post", "/api/v1/shops/{shop}/products", {"sku": "X", "name": "X", "price": 100, "stock_on_hand": -1}, 400,
     "stock_on_hand"),
    ("post", "/api/v1/shops/{shop}/products", {"sku": "TAKEN", "name": "X", "price": 100}, 409, "sku"),
    ("patch", "/api/v1/products/{product}", {"stock_on_hand": 100}, 400, "stock_on_hand"),
    ("post", "/api/v1/products/{product}/stock-movements", {"quantity": -6, "reason": "lost"}, 409, "quantity"),
    ("post", "/api/v1/products/{product}/stock-movements", {"quantity": 0, "reason": "lost"}, 400, "quantity"),
    ("post", "/api/v1/products/{product}/stock-movements", {"quantity": "5", "reason": "lost"}, 400, "quantity"),
    ("post", "/api/v1/products/{product}/stock-movements", {"quantity": 5}, 400, "reason"),
    ("get", "/api/v1/products/{product}/stock-movements?starting_after=x", None, 400, "starting_after"),
    ("get", "/api/v1/shops/{shop}/products?status=gone", None, 400, "status"),
])
def test_bad_requests_get_a_clear_error_and_change_nothing(client, merchant_headers, method, path, body, status,
                                                           param):
    shop = _make_shop(client, merchant_headers)
    product = client.post(f"/api/v1/shops/{shop['id']}/products", headers=merchant_headers,
                          json={"sku": "TAKEN", "name": "Taken", "price": 100, "stock_on_hand": 5}).get_json()
    resp = getattr(client, method)(path.format(shop=shop["id"], product=product["id"]), json=body,
                                   headers=merchant_headers)
    assert resp.status_code == status, resp.get_json()
    error = resp.get_json()["error"]
    assert error["param"] == param and error["message"]
    assert db.session.execute(select(func.count()).select_from(Product)).scalar() == 1
    assert db.session.execute(select(func.count()).select_from(StockMovement)).scalar() == 1
    assert db.session.get(Product, db.session.execute(select(Product.id)).scalar()).stock_on_hand == 5


def test_a_malformed_body_is_a_400(client, merchant_headers):
    resp = client.post("/api/v1/shops", data="{not json", headers={**merchant_headers,
                                                                   "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"]["type"] == "invalid_request_error"


def test_a_retried_stock_movement_with_the_same_key_moves_stock_once(client, merchant_headers):
    shop = _make_shop(client, merchant_headers)
    product = client.post(f"/api/v1/shops/{shop['id']}/products", headers=merchant_headers,
                          json={"sku": "A", "name": "A", "price": 100, "stock_on_hand": 5}).get_json()
    headers = {**merchant_headers, "Idempotency-Key": "count-2026-11-29"}
    first = client.post(f"/api/v1/products/{product['id']}/stock-movements", json={"quantity": 3, "reason": "found"},
                        headers=headers)
    second = client.post(f"/api/v1/products/{product['id']}/stock-movements", json={"quantity": 3, "reason": "found"},
                         headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert client.get(f"/api/v1/products/{product['id']}", headers=merchant_headers).get_json()["stock_on_hand"] == 8


def test_stock_movements_page_with_starting_after(client, merchant_headers):
    shop = _make_shop(client, merchant_headers)
    product = client.post(f"/api/v1/shops/{shop['id']}/products", headers=merchant_headers,
                          json={"sku": "A", "name": "A", "price": 100, "stock_on_hand": 1}).get_json()
    for _ in range(3):
        client.post(f"/api/v1/products/{product['id']}/stock-movements", json={"quantity": 1, "reason": "found"},
                    headers=merchant_headers)
    url = f"/api/v1/products/{product['id']}/stock-movements"
    first = client.get(f"{url}?limit=2", headers=merchant_headers).get_json()
    assert first["has_more"] and [m["running_count"] for m in first["data"]] == [4, 3]
    rest = client.get(f"{url}?limit=2&starting_after={first['data'][-1]['id']}", headers=merchant_headers).get_json()
    assert not rest["has_more"] and [m["running_count"] for m in rest["data"]] == [2, 1]


@pytest.mark.parametrize("role", ["merchant", "resident", None])
def test_every_back_office_endpoint_refuses_anyone_but_the_owner(app, client, role):
    victim_shop = make_shop(name="Victim's shop")
    victim = make_product(victim_shop, stock=5)
    headers = {}
    if role:
        user = make_user(role)
        if role == "merchant":
            make_shop(user)
        headers = bearer(api_token(client, user))
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("backoffice_api.")]
    assert len(rules) == 10
    walked = 0
    for rule in rules:
        if not rule.arguments:
            continue  # /shops: lists and creates the caller's own shops only
        url = rule.rule.replace("<shop_id>", victim_shop.public_id).replace("<product_id>", victim.public_id)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            resp = client.open(url, method=method, headers=headers,
                               json={"name": "Hacked", "price": 1, "quantity": -5, "reason": "lost", "sku": "H"})
            expected = {None: (401,), "resident": (403,), "merchant": (404,)}[role]
            assert resp.status_code in expected, (method, url, resp.status_code, resp.get_json())
            assert "Victim" not in resp.get_data(as_text=True)
            walked += 1
    assert walked == 8
    db.session.expire_all()
    product = db.session.get(Product, victim.id)
    assert (product.name, product.price_amount, product.stock_on_hand) == (victim.name, 1000, 5)
    if role == "merchant":
        mine = client.get("/api/v1/shops", headers=headers).get_json()["data"]
        assert victim_shop.public_id not in [s["id"] for s in mine] and len(mine) == 1


def test_every_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, methods in {"/api/v1/shops": {"get", "post"}, "/api/v1/shops/{shop_id}": {"get", "patch"},
                          "/api/v1/shops/{shop_id}/products": {"get", "post"},
                          "/api/v1/products/{product_id}": {"get", "patch"},
                          "/api/v1/products/{product_id}/stock-movements": {"get", "post"}}.items():
        assert methods <= set(spec["paths"][path]), path
    assert "ShopFields" in spec["components"]["schemas"]
    adjust = spec["paths"]["/api/v1/products/{product_id}/stock-movements"]["post"]
    assert adjust["requestBody"]["content"]["application/json"]["schema"]["required"] == ["quantity", "reason"]
