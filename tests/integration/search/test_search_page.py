"""The /search page: results with distance and opening state, form errors, both languages."""
from __future__ import annotations

from html import unescape

from marketplace.extensions import db
from tests.factories import make_user

from .town import CENTRE, build_town


def test_the_page_lists_hits_with_distance_open_state_and_a_storefront_link(client, app):
    town = build_town()
    resp = client.get("/search", query_string={"q": "苹果", "lat": CENTRE[0], "lon": CENTRE[1], "sort": "distance"},
                      headers={"Accept-Language": "en"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert html.index("红富士苹果") < html.index("苹果派") < html.index("青苹果")
    assert f'href="/shops/{town.shops["fruit_shop"].public_id}#{town.products["fuji"].public_id}"' in html
    assert "0.3 km" in html and "Open now" in html and "Closed" in html and "Delivers to you" in html


def test_without_a_point_the_page_searches_around_the_saved_address(client, app):
    build_town()
    resident = make_user("resident")
    resident.latitude, resident.longitude = CENTRE
    db.session.commit()
    client.post("/account/login", data={"email": resident.email, "password": "secret123"})
    html = client.get("/search?q=Fuji", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Around your saved address." in html and "红富士苹果" in html


def test_a_bad_distance_is_a_form_error_not_a_crash(client, app):
    resp = client.get("/search", query_string={"q": "milk", "radius_km": "-4"}, headers={"Accept-Language": "en"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "radius_km" in html and 'role="alert"' in html and 'class="field has-error"' in html


def test_a_bad_distance_is_explained_in_chinese(client, app):
    resp = client.get("/search", query_string={"q": "牛奶", "radius_km": "-4"}, headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 400
    assert "'radius_km' 必须在 0.1 到 20 之间。" in unescape(resp.get_data(as_text=True))


def test_the_page_speaks_chinese(client, app):
    build_town()
    html = client.get("/search?q=苹果", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "在附近找" in html and "营业中" in html and "公里" in html
