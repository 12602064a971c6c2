"""The resident's and the merchant's order pages through the test client (forms, errors, access)."""
import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from tests.factories import PASSWORD, make_user


@pytest.fixture
def client(app):
    """A client that reads the pages in English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _log_in(client, user):
    resp = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code in (302, 303)


def _add(client, town, product, quantity=1):
    return client.post(f"/shops/{town.shop.public_id}/cart", data={"product": product.public_id, "quantity": quantity})


def _checkout(client, town, **over):
    data = {"fulfilment": "pickup", "payment_method": "cash", "checkout_key": "k-1"}
    data.update(over)
    return client.post(f"/shops/{town.shop.public_id}/checkout", data=data)


def test_the_storefront_shows_products_rating_and_opening(client, town):
    page = client.get(f"/shops/{town.shop.public_id}").get_data(as_text=True)
    assert "Corner Grocer" in page and "Eggs" in page and "Open now" in page
    assert client.get("/shops/shop_nothere").status_code == 404


def test_a_resident_fills_a_cart_and_checks_out_once_even_when_the_form_is_sent_twice(client, town):
    _log_in(client, town.resident)
    _add(client, town, town.eggs, 2)
    _add(client, town, town.milk)
    cart = client.get(f"/shops/{town.shop.public_id}/cart").get_data(as_text=True)
    assert "Eggs" in cart and "¥33.00" in cart.replace("CN¥", "¥")
    first = _checkout(client, town)
    assert first.status_code == 303
    order = db.session.execute(select(Order)).scalar_one()
    assert first.headers["Location"].endswith(f"/orders/{order.public_id}")
    _add(client, town, town.eggs, 2)  # a second tab still had the cart: the same key finds the same order
    assert _checkout(client, town).headers["Location"].endswith(f"/orders/{order.public_id}")
    assert db.session.execute(select(func.count(Order.id))).scalar_one() == 1
    page = client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert "Waiting for the shop" in page and "Receipt" in page
    assert order.public_id in client.get("/orders").get_data(as_text=True)


def test_a_refused_checkout_answers_with_the_reason_and_keeps_the_cart(client, town):
    _log_in(client, town.resident)
    _add(client, town, town.milk)
    resp = _checkout(client, town, fulfilment="delivery", address="Near", lat=town.home[0], lon=town.home[1])
    assert resp.status_code == 400
    assert "Delivery needs an order of at least" in resp.get_data(as_text=True)
    assert _checkout(client, town, fulfilment="teleport").status_code == 400
    assert db.session.execute(select(func.count(Order.id))).scalar_one() == 0
    assert "Milk" in client.get(f"/shops/{town.shop.public_id}/cart").get_data(as_text=True)


def test_the_merchant_works_an_order_through_the_inbox(client, town):
    _log_in(client, town.resident)
    _add(client, town, town.eggs, 1)
    _checkout(client, town)
    order = db.session.execute(select(Order)).scalar_one()
    client.post("/account/logout")
    _log_in(client, town.merchant)
    inbox = client.get("/merchant/orders/")
    assert inbox.status_code == 200 and order.public_id in inbox.get_data(as_text=True)
    assert client.get("/merchant/orders/feed").get_json()["waiting"] == 1
    assert client.post(f"/merchant/orders/{order.public_id}/reject", data={"reason": ""}).status_code == 303
    assert db.session.get(Order, order.id).status == OrderStatus.placed
    for step in ("accept", "ready", "complete"):
        assert client.post(f"/merchant/orders/{order.public_id}/{step}").status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.completed
    assert client.get("/merchant/orders/feed").get_json()["waiting"] == 0


def test_other_people_cannot_see_or_move_an_order(client, town):
    _log_in(client, town.resident)
    _add(client, town, town.eggs, 1)
    _checkout(client, town)
    order = db.session.execute(select(Order)).scalar_one()
    client.post("/account/logout")
    _log_in(client, make_user("resident"))
    assert client.get(f"/orders/{order.public_id}").status_code == 404
    client.post("/account/logout")
    _log_in(client, make_user("merchant"))
    client.post(f"/merchant/orders/{order.public_id}/accept")
    assert db.session.get(Order, order.id).status == OrderStatus.placed
    assert db.session.get(Product, town.eggs.id).stock_on_hand == 4


def test_the_storefront_and_the_inbox_speak_chinese(app, town):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = client.get(f"/shops/{town.shop.public_id}").get_data(as_text=True)
    assert "营业中" in page and "登录后下单" in page
    _log_in(client, town.merchant)
    assert "暂无待处理订单。" in client.get("/merchant/orders/").get_data(as_text=True)


def test_the_merchant_refunds_part_of_a_completed_order_from_the_inbox_never_more_than_was_paid(client, town):
    _log_in(client, town.resident)
    _add(client, town, town.eggs, 2)
    _checkout(client, town)
    order = db.session.execute(select(Order)).scalar_one()
    client.post("/account/logout")
    _log_in(client, town.merchant)
    for step in ("accept", "ready", "complete"):
        client.post(f"/merchant/orders/{order.public_id}/{step}")
    inbox = client.get("/merchant/orders/?all=1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'action="/merchant/orders/{order.public_id}/refund"' in inbox and 'value="25.00"' in inbox

    done = client.post(f"/merchant/orders/{order.public_id}/refund", data={"amount": "5.50", "reason": "One cracked"},
                       headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert "Refunded ¥5.50." in done and 'value="19.50"' in done
    for too_much in ("19.51", "-1", "abc", "1.234"):
        client.post(f"/merchant/orders/{order.public_id}/refund", data={"amount": too_much})
    db.session.expire_all()
    payment = db.session.get(Order, order.id).payment
    assert payment.refunded_amount == 550 and [r.amount for r in payment.refunds] == [550]

    client.post("/account/logout")
    _log_in(client, make_user("merchant"))  # another shop's owner cannot refund it
    client.post(f"/merchant/orders/{order.public_id}/refund", data={"amount": "1.00"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment.refunded_amount == 550
