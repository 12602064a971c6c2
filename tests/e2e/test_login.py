from tests.factories import make_user


def test_a_resident_logs_in_on_a_phone(page, live_server, log_in, screenshot):
    user = make_user("resident", name="Wang Fang")
    log_in(page, live_server, user)
    assert "/account/login" not in page.url
    assert page.get_by_role("button", name="Log out").is_visible()
    assert screenshot(page, "login-phone").endswith(".png")


def test_a_wrong_password_keeps_the_visitor_on_the_login_page(page, live_server, log_in):
    user = make_user("resident")
    log_in(page, live_server, user, password="not-the-password")
    assert "/account/login" in page.url
