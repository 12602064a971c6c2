"""In Chromium on a phone: a resident finds a shop, orders for pickup paying cash; the merchant sees the
order arrive in the inbox without a reload, accepts and completes it; the resident reviews it."""
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from tests.e2e.conftest import _new_page, PHONE
from tests.factories import make_product, make_shop, make_user


def test_a_resident_orders_the_merchant_accepts_and_completes_and_the_resident_reviews(
        browser, page, live_server, log_in, screenshot):
    shop = make_shop(name="Corner Grocer", address="8 Willow Lane", delivery_fee_amount=300)
    eggs = make_product(shop, name="Free-range eggs", price=1250, stock=5, unit="box")
    make_product(shop, name="Soy milk", price=650, stock=8, unit="bottle")
    resident = make_user("resident", name="Li Na")

    merchant_context, merchant_page = _new_page(browser, PHONE)
    log_in(merchant_page, live_server, shop.owner)
    merchant_page.goto(f"{live_server}/merchant/orders/")
    assert merchant_page.locator("#waiting").is_hidden()

    log_in(page, live_server, resident)
    page.goto(f"{live_server}/shops/{shop.public_id}")
    assert page.locator("#open-now").inner_text() == "Open now"
    page.get_by_role("button", name="Add Free-range eggs").click()
    page.get_by_role("button", name="Add Free-range eggs").click()
    assert page.locator(f"[data-product={eggs.public_id}] .in-cart").inner_text() == "× 2"
    screenshot(page, "orders-1-storefront")
    page.click("#cart-bar a")
    assert page.locator("#subtotal").inner_text() == "¥25.00"
    page.check("input[name=fulfilment][value=pickup]")
    page.check("input[name=payment_method][value=cash]")
    page.fill("textarea[name=note]", "I will come at six")
    screenshot(page, "orders-2-cart")
    page.click("#place-order")
    assert page.locator("#order-status .badge").inner_text() == "Waiting for the shop"
    assert page.locator("#total").inner_text() == "¥25.00"
    screenshot(page, "orders-3-placed")
    order_url = page.url

    # The inbox polls: the new order shows as a banner and a count without a reload.
    merchant_page.locator("#new-orders").wait_for(state="visible", timeout=15_000)
    assert merchant_page.locator("#waiting").inner_text() == "1"
    screenshot(merchant_page, "orders-4-inbox-new")
    merchant_page.click("#new-orders a")
    card = merchant_page.locator(".inbox-order").first
    assert "I will come at six" in card.inner_text()
    card.get_by_role("button", name="Accept").click()
    merchant_page.get_by_role("button", name="Ready for pickup").click()
    screenshot(merchant_page, "orders-5-inbox-ready")

    # The resident's order page follows the status on its own.
    page.wait_for_function("document.querySelector('#order-status .badge').textContent.includes('Ready')",
                           timeout=15_000)
    merchant_page.get_by_role("button", name="Handed over: complete").click()
    assert "Order completed." in merchant_page.content()
    merchant_context.close()

    page.goto(order_url)
    assert page.locator("#order-status .badge").inner_text() == "Completed"
    page.check("input[name=rating][value='5']")
    page.fill("textarea[name=text]", "Fresh eggs, ready on time")
    page.get_by_role("button", name="Send review").click()
    assert "Thank you for your review." in page.content()
    page.goto(f"{live_server}/shops/{shop.public_id}")
    assert "5.0" in page.locator("#rating").inner_text()
    assert "Fresh eggs, ready on time" in page.locator("#reviews").inner_text()
    screenshot(page, "orders-6-reviewed")

    db.session.expire_all()
    order = db.session.execute(db.select(Order)).scalar_one()
    assert order.status == OrderStatus.completed and order.payment.status.value == "succeeded"
    assert db.session.get(Product, eggs.id).stock_on_hand == 3
