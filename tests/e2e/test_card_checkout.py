"""In Chromium on a phone: a resident pays by card through the provider's browser library (localstripe's),
the merchant accepts, and the charge is at the provider."""
import requests

from marketplace.extensions import db
from marketplace.orders.models import Order
from tests.e2e.cards import fill_card
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
