"""Pages speak Chinese (zh_CN, the demo town's default) or English, from the browser or the switch."""
import re

import pytest
from babel import Locale

from marketplace.i18n import catalogue_names

CHINESE = "邻里集市"
ENGLISH = "Neighbourhood Market"


def test_zh_cn_is_looked_up_under_its_usual_folder_name_although_babel_parses_it_as_zh_hans_cn():
    assert str(Locale.parse("zh_CN")) == "zh_Hans_CN"
    assert "zh_CN" in catalogue_names(Locale.parse("zh_CN"))


@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9,en;q=0.5", "zh-CN", "zh_CN"])
def test_a_chinese_browser_gets_the_home_page_in_chinese(client, header):
    html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert CHINESE in html
    assert "登录" in html and "Log in" not in html
    assert '<html lang="zh-CN">' in html


def test_an_english_browser_gets_the_home_page_in_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert ENGLISH in html and CHINESE not in html
    assert '<html lang="en">' in html


def test_a_browser_that_names_no_language_we_have_gets_chinese(client):
    html = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert CHINESE in html


def test_the_switch_marks_the_language_in_use(client):
    html = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    current = re.findall(r'value="(\w+)"[^>]*aria-current="true"', html)
    assert current == ["zh_CN"]


def test_the_switch_changes_the_language_for_the_rest_of_the_visit_and_returns_to_the_page(client):
    resp = client.post("/language", data={"locale": "en", "next": "/account/login"},
                       headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/account/login"
    html = client.get("/account/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Log in" in html and "登录" not in html
    client.post("/language", data={"locale": "zh_CN"})
    assert "登录" in client.get("/account/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_switch_ignores_a_language_we_do_not_have_and_an_outside_next_address(client):
    resp = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert resp.headers["Location"] == "/"
    assert CHINESE in client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_the_switch_keeps_its_choice_in_a_cookie_of_its_own_and_never_touches_the_session(app):
    """No CSRF token is asked for (a forged switch can only change the language), so it must not be
    able to do more: a session is neither made nor replaced, and nobody is signed out by it."""
    from tests.factories import PASSWORD, make_user

    app.config["WTF_CSRF_ENABLED"] = True
    visitor = app.test_client()
    resp = visitor.post("/language", data={"locale": "en"})
    assert resp.status_code == 302
    assert [c.split("=")[0] for c in resp.headers.getlist("Set-Cookie")] == ["locale"]
    assert "Log in" in visitor.get("/account/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)

    app.config["WTF_CSRF_ENABLED"] = False
    resident = app.test_client()
    user = make_user("resident")
    resident.post("/account/login", data={"email": user.email, "password": PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    assert resident.post("/language", data={"locale": "en"}).status_code == 302
    assert resident.get("/orders").status_code == 200  # still signed in


def test_error_pages_are_translated(client):
    html = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "页面不存在" in html


def test_a_refused_sign_up_explains_itself_in_chinese(client):
    from tests.factories import make_user

    make_user("resident", email="taken@example.test")
    resp = client.post("/account/register", data={"name": "X", "email": "taken@example.test",
                                                   "password": "long-enough-1", "role": "resident"},
                       headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 400 and "该邮箱已注册" in resp.get_data(as_text=True)


def test_a_command_outside_any_request_formats_lazy_messages_as_written(app):
    from flask_babel import lazy_gettext

    with app.app_context():  # no request: no visitor, no session, no browser language
        assert str(lazy_gettext("Loan book")) == "Loan book"
