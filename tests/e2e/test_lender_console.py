"""A credit officer works the console on a laptop: loan book, an alert, the merchant, a note, the policy."""
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from financing.credit import services
from financing.lender import early_warning
from tests.credit_history import healthy_shop, write_sales
from tests.factories import make_shop, make_user


def _town():
    """Two steady shops with offers, and one whose sales collapsed last week."""
    now = datetime.now(timezone.utc)
    steady = [healthy_shop(name="Lin's Grocery"), healthy_shop(name="Morning Bakery", category="bakery")]
    failing = make_shop(name="Harbour Noodles", category="noodles")
    write_sales(failing, days=200, per_day=4, amount=3500, until=now - timedelta(days=7))
    write_sales(failing, days=7, per_day=1, amount=800, until=now)
    for shop in steady + [failing]:
        services.refresh_offer(shop.id)
    early_warning.scan(now)
    return failing


def test_an_officer_finds_the_failing_shop_notes_a_call_and_previews_a_policy(
        laptop_page, live_server, log_in, screenshot):
    page = laptop_page
    failing = _town()
    log_in(page, live_server, make_user("lender", name="Officer Zhao"))

    page.goto(f"{live_server}/lender/")
    assert page.locator("#headline").is_visible()
    assert page.locator("#delinquency").is_visible()
    screenshot(page, "lender-portfolio")

    page.get_by_role("link", name="Early warning").first.click()
    row = page.locator("#alerts tr", has_text="Harbour Noodles")
    assert "Sales collapse" in row.inner_text() and "high" in row.inner_text()
    screenshot(page, "lender-alerts")

    row.get_by_role("link", name="Harbour Noodles").click()
    assert page.url.endswith(f"/lender/merchants/{failing.public_id}")
    expect(page.locator("#trend-chart")).to_have_attribute("data-series", "26")  # set once the chart is drawn
    page.select_option("select[name=kind]", "note")
    page.fill("textarea[name=reason]", "Called the owner: road works outside, expects a better month.")
    page.get_by_role("button", name="Record").click()
    assert "Recorded." in page.locator(".flash").inner_text()
    assert "road works" in page.locator("#actions").inner_text()
    screenshot(page, "lender-merchant")

    page.get_by_role("link", name="Credit policy").click()
    page.fill("input[name=min_sales_90]", "10000000")
    page.get_by_role("button", name="Preview").click()
    assert page.locator("#preview-approved").inner_text().startswith("0")
    screenshot(page, "lender-policy-preview")



def test_the_merchant_sees_the_warning_in_plain_words(page, live_server, log_in):
    failing = _town()
    log_in(page, live_server, failing.owner)
    page.goto(f"{live_server}/merchant/")
    assert "much lower than in the weeks before" in page.locator("#credit-alerts").inner_text()
