"""GET /api/v1/search: parameters checked with clear errors, Stripe-style pages, the OpenAPI entry."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests.factories import api_token, bearer, make_product, make_shop, make_user

from .town import CENTRE

URL = "/api/v1/search"


@pytest.fixture
def milk(app):
    shop = make_shop(name="Dairy corner")
    return make_product(shop, name="鲜牛奶", name_en="Fresh milk", price=650)


def test_search_answers_hits_with_shop_distance_and_price(client, milk):
    resp = client.get(URL, query_string={"q": "牛奶", "lat": CENTRE[0], "lon": CENTRE[1]})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["object"] == "search_result" and body["has_more"] is False and body["next_page"] is None
    hit = body["data"][0]
    assert hit["type"] == "product"
    assert hit["product"] == {"id": milk.public_id, "object": "product", "name": "鲜牛奶", "name_en": "Fresh milk",
                              "category": "grocery", "unit": "piece", "price": {"amount": 650, "currency": "CNY"},
                              "in_stock": True}
    assert hit["shop"]["url"] == f"/shops/{milk.shop.public_id}"
    assert hit["shop"]["delivers_to_you"] is True
    assert hit["distance_km"] == 0.0


def test_next_page_token_fetches_the_following_page(client, app):
    shop = make_shop()
    for n in range(3):
        make_product(shop, name=f"牛奶 {n}")
    first = client.get(URL, query_string={"q": "牛奶", "lat": CENTRE[0], "lon": CENTRE[1], "limit": 2,
                                          "type": "product", "sort": "price"}).get_json()
    assert first["has_more"] is True and len(first["data"]) == 2
    second = client.get(URL, query_string={"q": "牛奶", "lat": CENTRE[0], "lon": CENTRE[1], "limit": 2,
                                           "type": "product", "sort": "price", "page": first["next_page"]}).get_json()
    assert second["has_more"] is False and len(second["data"]) == 1
    ids = {h["product"]["id"] for h in first["data"] + second["data"]}
    assert len(ids) == 3


def test_saved_address_is_the_centre_when_no_point_is_given(client, milk):
    resident = make_user("resident")
    resident.latitude, resident.longitude = CENTRE
    db.session.commit()
    resp = client.get(URL, query_string={"q": "milk"}, headers=bearer(api_token(client, resident)))
    assert resp.status_code == 200 and len(resp.get_json()["data"]) == 1


@pytest.mark.parametrize("params, param", [
    ({}, "lat"),
    ({"lat": CENTRE[0]}, "lon"),
    ({"lat": "north", "lon": CENTRE[1]}, "lat"),
    ({"lat": 91, "lon": CENTRE[1]}, "lat"),
    ({"lat": CENTRE[0], "lon": "nan"}, "lon"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "radius_km": 0}, "radius_km"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "radius_km": 500}, "radius_km"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "sort": "random"}, "sort"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "type": "people"}, "type"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "category": "weapons"}, "category"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "limit": 0}, "limit"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "limit": "ten"}, "limit"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "page": "not-a-token"}, "page"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "open_now": "maybe"}, "open_now"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "q": "x" * 101}, "q"),
])
def test_bad_parameters_get_a_400_naming_the_parameter(client, app, params, param):
    resp = client.get(URL, query_string=params)
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


@pytest.mark.parametrize("params, english, chinese", [
    ({}, "Give the point to search around as 'lat' and 'lon'.", "请用 'lat' 和 'lon' 给出搜索的中心点。"),
    ({"lat": "north", "lon": CENTRE[1]}, "'lat' must be a number.", "'lat' 必须是数字。"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "radius_km": 500}, "'radius_km' must be between 0.1 and 20.",
     "'radius_km' 必须在 0.1 到 20 之间。"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "sort": "random"}, "'sort' must be one of: relevance, distance, price.",
     "'sort' 只能是以下之一：relevance, distance, price。"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "open_now": "maybe"}, "'open_now' must be true or false.",
     "'open_now' 只能是 true 或 false。"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "limit": 0}, "'limit' must be a whole number from 1 to 100.",
     "'limit' 必须是 1 到 100 之间的整数。"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "page": "x"}, "'page' is not a page token from a previous answer.",
     "'page' 不是上一次结果给出的翻页标记。"),
    ({"lat": CENTRE[0], "lon": CENTRE[1], "q": "x" * 101}, "'q' can be at most 100 characters.",
     "'q' 最多 100 个字符。"),
])
def test_parameter_errors_speak_the_callers_language(client, app, params, english, chinese):
    for language, message in (("en", english), ("zh-CN", chinese)):
        resp = client.get(URL, query_string=params, headers={"Accept-Language": language})
        assert resp.status_code == 400 and resp.get_json()["error"]["message"] == message


def test_query_syntax_characters_are_plain_words(client, milk):
    for q in ['"', "milk*", "牛奶 OR", "a AND (b", "NEAR(x y)", "'; DROP TABLE products;--", "\\"]:
        resp = client.get(URL, query_string={"q": q, "lat": CENTRE[0], "lon": CENTRE[1]})
        assert resp.status_code == 200, (q, resp.get_json())


def test_search_is_in_the_openapi_document(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "lat", "lon", "radius_km", "category", "sort",
                                                             "open_now", "delivers", "limit", "page"}
    assert "503" in operation["responses"]
