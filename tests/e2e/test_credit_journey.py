"""In Chromium on a phone: a merchant goes from its home page to money in its balance in three clicks."""
from financing.credit import services
from financing.credit.models import Loan
from financing.ledger.services import merchant_balance
from marketplace.extensions import db
from tests.credit_history import healthy_shop


def test_a_merchant_takes_its_pre_approved_offer_in_three_clicks_and_sees_the_money(
        page, live_server, log_in, screenshot):
    shop = healthy_shop(name="Corner Grocery")
    offer = services.refresh_offer(shop.id)
    limit = offer.limit
    log_in(page, live_server, shop.owner)

    clicks = []

    def click(selector):
        clicks.append(selector)
        page.click(selector)

    # Click 1: from wherever the merchant lands, to the offer (the dashboard panel's link, or the nav).
    if page.locator("#credit-take").count():
        click("#credit-take")
    else:
        click("nav.topnav >> text=Credit")
    assert page.locator("#take h2").inner_text() == f"Pre-approved up to {limit}"
    assert page.locator("[data-k=funds_provided]").inner_text() == str(limit)
    # The estimate follows the amount as the merchant changes it (typing is not a click).
    page.fill("#amount", "100")
    page.dispatch_event("#amount", "input")
    page.wait_for_function("document.querySelector('[data-k=funds_provided]').textContent === '¥100.00'")
    page.fill("#amount", str(limit.major))
    page.dispatch_event("#amount", "input")
    page.wait_for_function(
        f"document.querySelector('[data-k=funds_provided]').textContent === '{limit}'")
    screenshot(page, "credit-1-offer")
    click("#accept_terms")  # click 2: the agreement
    page.fill("#signature_name", "Wang Fang")  # the signature is typed
    click("#draw-submit")  # click 3: take it
    page.wait_for_selector(".flash-success")

    assert len(clicks) <= 3
    assert f"{limit} is in your balance now." in page.locator(".flash-success").inner_text()
    assert page.locator("#balance").inner_text() == str(limit)
    screenshot(page, "credit-2-in-balance")
    db.session.remove()
    assert merchant_balance(shop.id) == limit
    assert db.session.query(Loan).one().contract.signature_name == "Wang Fang"
