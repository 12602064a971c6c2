"""In Chromium on a phone: a resident pays by card through the provider's browser library (localstripe's),
the merchant accepts, and the charge is at the provider."""
import requests

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import Order
from tests.e2e.cards import NEEDS_3DS, fill_card, untranslated_english
from tests.e2e.conftest import PHONE, _new_page
from tests.factories import make_product, make_shop, make_user


def test_a_resident_pays_by_card_in_the_page_and_the_charge_reaches_the_provider(
        payments_app, localstripe_url, page, live_server, log_in, screenshot):
    shop = make_shop(name="Night Bakery", address="2 Canal Street")
    make_product(shop, name="Sesame buns", price=450, stock=20, unit="bag")
    resident = make_user("resident")

    log_in(page, live_server, resident)
    page.goto(f"{live_server}/shops/{shop.public_id}")
    page.get_by_role("button", name="Add Sesame buns").click()
    page.get_by_role("button", name="Add Sesame buns").click()
    page.click("#cart-bar a")
    page.check("input[name=payment_method][value=card]")
    fill_card(page)
    screenshot(page, "orders-7-card")
    page.click("#place-order")
    page.wait_for_url("**/orders/ord_*")
    assert page.locator("#order-status .badge").inner_text() == "Waiting for the shop"
    assert "Card · paid" in page.locator("#payment").inner_text()
    screenshot(page, "orders-8-card-paid")

    order = db.session.execute(db.select(Order)).scalar_one()
    intent = requests.get(f"{localstripe_url}/v1/payment_intents/{order.payment.provider_id}",
                          auth=("sk_test_demo", ""), timeout=10).json()
    assert (intent["amount"], intent["currency"].lower(), intent["status"]) == (900, "cny", "succeeded")


def _checkout_with(page, live_server, shop, number):
    page.goto(f"{live_server}/shops/{shop.public_id}")
    page.get_by_role("button", name="Add Sesame buns").click()
    page.click("#cart-bar a")
    page.check("input[name=payment_method][value=card]")
    fill_card(page, number)
    page.click("#place-order")
    page.wait_for_url("**/orders/ord_*")


def test_a_card_whose_bank_asks_for_a_check_is_paid_once_the_resident_confirms(
        payments_app, localstripe_url, page, live_server, log_in, screenshot):
    shop = make_shop(name="Night Bakery")
    make_product(shop, name="Sesame buns", price=450, stock=20, unit="bag")
    log_in(page, live_server, make_user("resident"))
    _checkout_with(page, live_server, shop, NEEDS_3DS)
    assert page.locator("#payment").get_attribute("data-status") == "requires_action"
    assert "Your bank wants you to confirm this payment." in page.content()
    screenshot(page, "orders-9-bank-check")

    page.click("#confirm-payment")
    page.get_by_role("button", name="Complete authentication").click()  # the provider's check
    page.wait_for_selector("#payment[data-status=succeeded]")
    assert "Paid. The shop has your order now." in page.content()
    assert page.locator("#payment").get_attribute("data-status") == "succeeded"
    assert page.locator("#pay-card").count() == 0

    order = db.session.execute(db.select(Order)).scalar_one()
    intent = requests.get(f"{localstripe_url}/v1/payment_intents/{order.payment.provider_id}",
                          auth=("sk_test_demo", ""), timeout=10).json()
    assert (intent["amount"], intent["status"]) == (450, "succeeded")


def test_a_failed_bank_check_charges_nothing_and_another_card_pays_the_same_order(
        payments_app, localstripe_url, page, live_server, log_in, screenshot):
    shop = make_shop(name="Night Bakery")
    buns = make_product(shop, name="Sesame buns", price=450, stock=20, unit="bag")
    log_in(page, live_server, make_user("resident"))
    _checkout_with(page, live_server, shop, NEEDS_3DS)
    order_url = page.url

    page.click("#confirm-payment")
    page.get_by_role("button", name="Fail authentication").click()
    page.wait_for_selector("#payment[data-status=failed]")
    assert page.url == order_url
    problem = page.locator("#payment-problem").inner_text()
    assert "Your bank did not confirm the payment, so nothing was charged." in problem
    assert page.locator("#order-status .badge").get_attribute("data-status") == "placed"
    assert page.locator("#payment").get_attribute("data-status") == "failed"
    screenshot(page, "orders-10-bank-check-failed")
    db.session.expire_all()
    assert db.session.get(Product, buns.id).stock_on_hand == 19  # still kept for the resident

    fill_card(page)
    page.click("#pay-again")
    page.wait_for_selector("#payment[data-status=succeeded]")
    assert "Paid. The shop has your order now." in page.content()
    assert page.locator("#payment").get_attribute("data-status") == "succeeded"

    db.session.expire_all()
    order = db.session.execute(db.select(Order)).scalar_one()
    attempts = sorted(p.status.value for p in order.payments)
    assert attempts == ["failed", "succeeded"]
    intents = requests.get(f"{localstripe_url}/v1/payment_intents", params={"limit": 100},
                           auth=("sk_test_demo", ""), timeout=10).json()["data"]
    charged = [i["amount"] for i in intents if i["metadata"].get("order") == order.public_id
               and i["status"] == "succeeded"]
    assert charged == [450]


def test_a_failed_bank_check_explains_itself_in_chinese(payments_app, browser, live_server, log_in, screenshot):
    shop = make_shop(name="夜间面包房")
    make_product(shop, name="芝麻烧饼", price=450, stock=20, unit="bag")
    context, page = _new_page(browser, PHONE, locale="zh-CN")
    try:
        log_in(page, live_server, make_user("resident", name="王芳"))
        page.goto(f"{live_server}/shops/{shop.public_id}")
        page.locator("form.add-form button[type=submit]").click()
        page.click("#cart-bar a")
        page.check("input[name=payment_method][value=card]")
        fill_card(page, NEEDS_3DS)
        page.click("#place-order")
        page.wait_for_url("**/orders/ord_*")
        assert untranslated_english(page) == []
        page.click("#confirm-payment")
        page.get_by_role("button", name="Fail authentication").click()  # the provider's own box
        page.wait_for_selector("#payment[data-status=failed]")
        assert "您的银行未确认这笔付款" in page.locator("#payment-problem").inner_text()
        assert page.locator("#order-status .badge").inner_text() == "等待付款"
        assert untranslated_english(page) == []
        screenshot(page, "orders-11-bank-check-failed-zh")
    finally:
        context.close()
