"""In a real browser: a Chinese phone gets Chinese pages, and the switch at the foot turns them English."""


def test_a_chinese_phone_sees_chinese_and_the_switch_turns_the_site_english(browser, live_server, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/account/login")
        assert page.locator("h1").inner_text() == "登录"
        assert page.get_attribute("html", "lang") == "zh-CN"
        screenshot(page, "login-zh-phone")

        page.get_by_role("button", name="English").click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/account/login")
        assert page.locator("h1").inner_text() == "Log in"
        assert page.get_by_role("button", name="English").get_attribute("aria-current") == "true"

        page.get_by_role("button", name="中文").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text() == "登录"
    finally:
        context.close()
