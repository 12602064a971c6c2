"""A shop's page is kept whole for visitors who are not logged in, and shows every change at the next view.

The test app reads the page's stamp on every view (PAGE_CACHE_RECHECK_SECONDS is 0 in tests); the last
test covers the one-second window the site runs with.
"""
import time

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.services import Checkout
from merchants.backoffice import services as backoffice
from tests.factories import PASSWORD


@pytest.fixture
def visitor(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def town(town):
    town.shop_id = town.shop.public_id  # read once: a commit expires the objects and reading reloads them
    return town


@pytest.fixture
def statements():
    """Counts the SQL statements sent while a test runs."""
    sent = []

    def count(_conn, _cursor, statement, *_):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield sent
    event.remove(db.engine, "before_cursor_execute", count)


def _page(client, town) -> str:
    """One view in an application context of its own, as a served request has (the test's own context
    would otherwise carry one client's logged-in user over to the next)."""
    path = f"/shops/{town.shop_id}"
    with client.application.app_context():
        resp = client.get(path)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _item(page: str, name: str) -> str:
    """The product's row on the page."""
    start = page.index(f'<div class="product-name">{name}</div>')
    return page[start:page.index("</li>", start)]


def test_a_visitors_second_view_is_one_small_query_and_the_same_page(visitor, town, statements):
    first = _page(visitor, town)
    rendered = len(statements)
    again = _page(visitor, town)
    assert again == first
    assert rendered > 1 and len(statements) - rendered == 1  # the stamp, and nothing else


def test_a_visitors_page_sets_no_cookie_and_holds_no_token(visitor, town):
    resp = visitor.get(f"/shops/{town.shop.public_id}")
    assert "Set-Cookie" not in resp.headers
    assert "csrf" not in resp.get_data(as_text=True)


def test_price_stock_orders_reviews_and_the_shops_switch_show_at_the_next_view(visitor, town):
    assert "¥12.50" in _item(_page(visitor, town), "Eggs").replace("CN¥", "¥")
    backoffice.update_product(town.merchant.id, town.eggs.public_id, {"price_amount": 1390})
    assert "¥13.90" in _item(_page(visitor, town), "Eggs").replace("CN¥", "¥")

    order = services.place_order(town.resident.id, town.shop.id, [(town.milk.public_id, 2), (town.eggs.public_id, 1)],
                                 Checkout("pickup", "cash"))
    page = _page(visitor, town)
    assert "1 left" in _item(page, "Milk") and "4 left" in _item(page, "Eggs")

    for step in (services.accept_order, services.mark_order_ready, services.complete_order):
        step(town.merchant.id, order.id)
    assert "review" not in _page(visitor, town)
    services.review_order(town.resident.id, order.id, 4, "Fresh eggs")
    page = _page(visitor, town)
    assert "1 review" in page and "Fresh eggs" in page

    backoffice.archive_product(town.merchant.id, town.milk.public_id)
    assert "Milk" not in _page(visitor, town)
    assert "Open now" in _page(visitor, town)
    backoffice.update_shop(town.merchant.id, town.shop.public_id, {"is_open": False})
    assert "Closed now" in _page(visitor, town)


def test_each_language_has_its_own_page(visitor, town):
    assert "Open now" in _page(visitor, town)
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "营业中" in _page(visitor, town) and "Open now" not in _page(visitor, town)


def test_a_resident_gets_a_page_of_their_own_and_a_visitor_never_sees_it(app, visitor, town):
    anonymous = _page(visitor, town)
    resident = app.test_client()
    resident.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    resident.post("/account/login", data={"email": town.resident.email, "password": PASSWORD})
    resident.post(f"/shops/{town.shop.public_id}/cart", data={"product": town.eggs.public_id, "quantity": 2})
    own = _page(resident, town)
    assert "+ Add" in own and "× 2" in own and "View cart (2 items)" in own
    assert "+ Add" not in anonymous and "Log in to order" in anonymous
    assert _page(visitor, town) == anonymous


def test_a_visitor_with_a_message_waiting_reads_it(app, visitor, town):
    _page(visitor, town)
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor")]
    assert "A message for this visitor" in _page(visitor, town)
    assert "A message for this visitor" not in _page(visitor, town)


def test_a_missing_shop_is_not_found_every_time(visitor):
    assert visitor.get("/shops/shop_nothere").status_code == 404
    assert visitor.get("/shops/shop_nothere").status_code == 404


def test_in_the_sites_window_a_kept_page_is_served_without_a_query_until_it_is_a_second_old(
        app, visitor, town, statements, monkeypatch):
    app.config["PAGE_CACHE_RECHECK_SECONDS"] = 1
    clock = [time.time()]
    monkeypatch.setattr("marketplace.pagecache.time.time", lambda: clock[0])
    _page(visitor, town)
    backoffice.update_product(town.merchant.id, town.eggs.public_id, {"price_amount": 1390})
    before = len(statements)
    assert "¥12.50" in _item(_page(visitor, town), "Eggs").replace("CN¥", "¥")  # inside the second: kept
    assert len(statements) == before, statements[before:]
    clock[0] += 1.01
    assert "¥13.90" in _item(_page(visitor, town), "Eggs").replace("CN¥", "¥")
