"""A resident searches from a phone in Chromium and reaches the shop's storefront link."""
from tests.integration.search.town import build_town


def test_a_resident_finds_apples_nearby_on_a_phone(page, live_server, screenshot):
    town = build_town()
    page.goto(f"{live_server}/search")
    page.fill("input[name=q]", "苹果")
    page.click("details.filters summary")
    page.select_option("select[name=sort]", "distance")
    page.check("input[name=open_now]")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state("networkidle")
    results = page.locator("#results li")
    assert results.count() == 1
    assert "红富士苹果" in results.first.inner_text()
    assert "0.3 km" in results.first.inner_text()
    # Nothing spills sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "search-phone")
    href = results.first.locator("a.result-link").get_attribute("href")
    assert href.startswith(f"/shops/{town.shops['fruit_shop'].public_id}")


def test_a_wider_distance_reaches_the_market_five_km_away(page, live_server):
    build_town()
    page.goto(f"{live_server}/search?q=%E8%8B%B9%E6%9E%9C&sort=distance&radius_km=20")
    assert page.locator("#results li").count() == 4
    assert "苹果汁" in page.locator("#results li").last.inner_text()
    assert page.locator("#next-page").count() == 0
