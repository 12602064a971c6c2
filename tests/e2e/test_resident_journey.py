"""In Chromium on a phone, from where a resident starts: the search page. They find a shop nearby, open it,
fill the cart, pay by card through the provider's browser library (localstripe's), the merchant sees the
order arrive in the inbox, accepts and completes it, and the resident reviews it. The same journey in
Chinese shows no untranslated English."""
from __future__ import annotations

import requests

from financing.ledger.services import commission_for, merchant_balances
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Order, OrderStatus
from tests.e2e.cards import fill_card, untranslated_english
from tests.e2e.conftest import PHONE, _new_page
from tests.integration.search.town import CENTRE, build_town
from tests.factories import make_user


def _resident_at_the_centre(name: str):
    resident = make_user("resident", name=name)
    resident.address, (resident.latitude, resident.longitude) = "人民路 1 号", CENTRE
    db.session.commit()
    return resident


def _journey(browser, live_server, log_in, screenshot, *, locale: str, query: str, shot: str, checks=None):
    """Search -> shop -> cart -> card checkout -> the merchant accepts and completes -> review.
    `checks(page, where)` runs on every page."""
    checks = checks or (lambda page, where: None)
    town = build_town()
    shop, fuji = town.shops["fruit_shop"], town.products["fuji"]
    resident = _resident_at_the_centre("李娜")

    merchant_context, merchant_page = _new_page(browser, PHONE, locale=locale)
    resident_context, page = _new_page(browser, PHONE, locale=locale)
    try:
        log_in(merchant_page, live_server, shop.owner)
        merchant_page.goto(f"{live_server}/merchant/orders/")
        assert merchant_page.locator("#waiting").is_hidden()

        log_in(page, live_server, resident)
        page.goto(f"{live_server}/search")
        checks(page, "search")
        page.fill("input[name=q]", query)
        page.click("form[role=search] button[type=submit]")
        page.wait_for_load_state("networkidle")
        hit = page.locator("#results li", has_text="红富士苹果").first
        assert "王记水果店" in hit.inner_text() and "0.3 " in hit.inner_text()  # km, or 公里
        checks(page, "results")
        screenshot(page, f"{shot}-1-search")

        hit.locator("a.result-link").click()
        page.wait_for_url(f"**/shops/{shop.public_id}*")
        checks(page, "storefront")
        add = page.locator(f"[data-product={fuji.public_id}] button[type=submit]")
        add.click()
        page.locator(f"[data-product={fuji.public_id}] button[type=submit]").click()
        assert page.locator(f"[data-product={fuji.public_id}] .in-cart").inner_text() == "× 2"
        checks(page, "storefront with cart")
        screenshot(page, f"{shot}-2-shop")

        page.click("#cart-bar a")
        assert page.locator("#subtotal").inner_text() == "¥17.98"
        page.check("input[name=fulfilment][value=pickup]")
        page.check("input[name=payment_method][value=card]")
        fill_card(page)
        checks(page, "cart")
        screenshot(page, f"{shot}-3-cart")
        page.click("#place-order")
        page.wait_for_url("**/orders/ord_*")
        assert page.locator("#order-status .badge").get_attribute("data-status") == "placed"
        assert page.locator("#payment").get_attribute("data-status") == "succeeded"
        checks(page, "order")
        screenshot(page, f"{shot}-4-paid")

        # The inbox polls: the paid order arrives without a reload and the merchant accepts it.
        merchant_page.locator("#new-orders").wait_for(state="visible", timeout=15_000)
        assert merchant_page.locator("#waiting").inner_text() == "1"
        merchant_page.click("#new-orders a")
        card = merchant_page.locator(".inbox-order").first
        assert "红富士苹果 × 2" in card.inner_text()
        checks(merchant_page, "inbox")
        card.locator("form[action$='/accept'] button").click()
        merchant_page.wait_for_load_state("networkidle")
        checks(merchant_page, "inbox after accepting")
        screenshot(merchant_page, f"{shot}-5-accepted")

        # The resident's order page follows on its own.
        page.wait_for_function(
            "document.querySelector('#order-status .badge').dataset.status === 'accepted'", timeout=15_000)
        checks(page, "order accepted")

        # Ready, handed over; the resident reviews it and the shop's page shows the review.
        merchant_page.locator(".inbox-order form[action$='/ready'] button").click()
        merchant_page.locator(".inbox-order form[action$='/complete'] button").click()
        merchant_page.wait_for_load_state("networkidle")
        page.reload()
        assert page.locator("#order-status .badge").get_attribute("data-status") == "completed"
        page.check("input[name=rating][value='4']")
        page.fill("textarea[name=text]", "很新鲜")
        checks(page, "review form")
        page.click("#review-form [type=submit]")
        page.wait_for_selector("#my-review")
        page.goto(f"{live_server}/shops/{shop.public_id}")
        assert "4.0" in page.locator("#rating").inner_text() and "很新鲜" in page.locator("#reviews").inner_text()
        checks(page, "storefront with the review")
        screenshot(page, f"{shot}-6-reviewed")
    finally:
        merchant_context.close()
        resident_context.close()

    db.session.expire_all()
    order = db.session.execute(db.select(Order)).scalar_one()
    assert order.status == OrderStatus.completed and order.total_amount == 1798
    return order


def test_a_resident_searches_orders_and_pays_by_card_and_the_merchant_accepts(
        payments_app, localstripe_url, browser, live_server, log_in, screenshot):
    order = _journey(browser, live_server, log_in, screenshot, locale="en-GB", query="Fuji apples",
                     shot="journey-en")

    intent = requests.get(f"{localstripe_url}/v1/payment_intents/{order.payment.provider_id}",
                          auth=("sk_test_demo", ""), timeout=10).json()
    assert (intent["amount"], intent["currency"].lower(), intent["status"]) == (1798, "cny", "succeeded")
    paid = Money(1798, "CNY")
    assert merchant_balances(order.shop_id)["pending"] == paid - commission_for(paid)


def test_the_same_journey_in_chinese_shows_no_untranslated_english(
        payments_app, browser, live_server, log_in, screenshot):
    data = ("Fuji apples", "Bananas", "Old apples", "Fresh Bakery", "Wholemeal bread", "Apple pie", "Green apples",
            "Apple juice")  # what merchants typed
    seen = {}

    def no_english(page, where):
        assert page.get_attribute("html", "lang") == "zh-CN", where
        seen[where] = untranslated_english(page, data)

    _journey(browser, live_server, log_in, screenshot, locale="zh-CN", query="苹果", shot="journey-zh",
             checks=no_english)
    assert set(seen) >= {"search", "results", "storefront", "cart", "order", "inbox", "order accepted",
                         "review form", "storefront with the review"}
    assert {where: found for where, found in seen.items() if found} == {}
