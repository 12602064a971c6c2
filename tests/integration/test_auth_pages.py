"""Signing up, logging in and out, and changing a password through the pages."""
import re

import pytest
from sqlalchemy import select

from marketplace import create_app
from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.conftest import reset_schema
from tests.factories import PASSWORD, make_user


def log_in(client, email, password=PASSWORD, **extra):
    return client.post("/account/login", data={"email": email, "password": password, **extra})


def csrf_token_of(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                     html).group(1) or ""


def test_the_right_password_logs_in_and_sets_a_httponly_samesite_session_cookie(client):
    user = make_user("resident")
    resp = log_in(client, user.email)
    assert resp.status_code == 302
    cookies = resp.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Log out" in client.get("/account/password", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_email_is_matched_whatever_its_case(client):
    user = make_user("resident", email="Mixed.Case@example.test")
    assert log_in(client, "MIXED.case@EXAMPLE.test").status_code == 302
    assert user.email == "mixed.case@example.test"


@pytest.mark.parametrize("email, password", [
    ("known", "wrong-password1"),
    ("nobody@example.test", PASSWORD),
    ("not an email", PASSWORD),
])
def test_a_wrong_password_or_unknown_email_is_refused_with_the_same_form_error(client, email, password):
    user = make_user("resident")
    resp = log_in(client, user.email if email == "known" else email, password)
    assert resp.status_code == 400
    assert client.get("/account/password").status_code == 302  # still logged out: sent to the login page


def test_a_wrong_password_says_so_on_the_page(client):
    user = make_user("resident")
    resp = client.post("/account/login", data={"email": user.email, "password": "wrong-password1"},
                       headers={"Accept-Language": "en"})
    assert "Wrong email or password." in resp.get_data(as_text=True)


def test_passwords_are_stored_as_argon2_hashes_never_as_given(app):
    user = make_user("resident")
    stored = db.session.execute(select(User.password_hash).where(User.id == user.id)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_signing_up_on_the_page_creates_the_account_and_logs_in(client):
    resp = client.post("/account/register", data={"name": "Li Na", "email": "li.na@example.test",
                                                   "password": "tea-shop-88", "role": "merchant"})
    assert resp.status_code == 302
    user = db.session.execute(select(User).where(User.email == "li.na@example.test")).scalar_one()
    assert user.role_names == ["merchant"]
    assert client.get("/account/password").status_code == 200


def test_nobody_signs_up_as_a_lender_through_the_page(client):
    resp = client.post("/account/register", data={"name": "Eve", "email": "eve@example.test",
                                                   "password": "lender-pass-1", "role": "lender"})
    assert resp.status_code == 400  # the form shows again: "lender" is not one of its choices
    assert db.session.execute(select(User).where(User.email == "eve@example.test")).scalar() is None


def test_a_weak_password_or_taken_email_keeps_the_sign_up_form_with_an_error(client):
    make_user("resident", email="taken@example.test")
    for data in ({"email": "taken@example.test", "password": "long-enough-1"},
                 {"email": "new@example.test", "password": "onlyletters"}):
        resp = client.post("/account/register", data={"name": "X", "role": "resident", **data})
        assert resp.status_code == 400
    assert db.session.execute(select(User).where(User.email == "new@example.test")).scalar() is None


def test_logging_out_ends_the_session(client):
    user = make_user("resident")
    log_in(client, user.email)
    assert client.post("/account/logout").status_code == 302
    assert client.get("/account/password").status_code == 302


def test_logging_out_is_a_post_so_a_link_cannot_log_anyone_out(client):
    user = make_user("resident")
    log_in(client, user.email)
    assert client.get("/account/logout").status_code == 405


def test_changing_the_password_needs_the_current_one_and_then_only_the_new_one_works(client):
    user = make_user("resident")
    log_in(client, user.email)
    form = {"current_password": "not-it-123", "new_password": "new-secret-9", "confirm": "new-secret-9"}
    resp = client.post("/account/password", data=form, headers={"Accept-Language": "en"})
    assert resp.status_code == 400 and "The current password is wrong." in resp.get_data(as_text=True)
    client.post("/account/logout")
    assert log_in(client, user.email, "new-secret-9").status_code == 400

    log_in(client, user.email)
    form["current_password"] = PASSWORD
    assert client.post("/account/password", data=form).status_code == 302
    client.post("/account/logout")
    assert log_in(client, user.email, PASSWORD).status_code == 400
    assert log_in(client, user.email, "new-secret-9").status_code == 302


def test_a_login_redirect_never_leaves_the_site(client):
    user = make_user("resident")
    resp = client.post("/account/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302 and "evil.example" not in resp.headers["Location"]
    client.post("/account/logout")
    resp = client.post("/account/login?next=/account/password", data={"email": user.email, "password": PASSWORD})
    assert resp.headers["Location"] == "/account/password"


class TestCsrf:
    """The `app` fixture turns CSRF off for convenience; here it is on, as in production."""

    @pytest.fixture
    def client(self, app):
        app.config["WTF_CSRF_ENABLED"] = True
        return app.test_client()

    @pytest.mark.parametrize("path, data", [
        ("/account/login", {"email": "a@example.test", "password": PASSWORD}),
        ("/account/register", {"name": "A", "email": "a@example.test", "password": "long-enough-1",
                               "role": "resident"}),
    ])
    def test_a_form_posted_without_its_csrf_token_is_refused(self, client, path, data):
        assert client.post(path, data=data).status_code == 400

    def test_a_form_with_a_forged_csrf_token_is_refused(self, client):
        user = make_user("resident")
        client.get("/account/login")
        resp = log_in(client, user.email, csrf_token="forged")
        assert resp.status_code == 400
        assert client.get("/account/password").status_code == 302

    def test_the_login_form_with_its_csrf_token_logs_in(self, client):
        user = make_user("resident")
        token = csrf_token_of(client, "/account/login")
        assert log_in(client, user.email, csrf_token=token).status_code == 302

    def test_logging_out_without_the_csrf_token_is_refused(self, client):
        user = make_user("resident")
        log_in(client, user.email, csrf_token=csrf_token_of(client, "/account/login"))
        assert client.post("/account/logout").status_code == 400
        assert client.get("/account/password").status_code == 200


@pytest.fixture
def rate_limited_app(database_url, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute", "SECRET_KEY": "test-secret",
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        reset_schema()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_login_attempts_are_rate_limited_on_the_page(rate_limited_app):
    client = rate_limited_app.test_client()
    user = make_user("resident")
    for _ in range(3):
        assert log_in(client, user.email, "wrong-password1").status_code == 400
    resp = log_in(client, user.email)  # even the right password waits now
    assert resp.status_code == 429
    assert client.get("/account/login").status_code == 200  # only attempts are limited, not the page


def test_token_requests_are_rate_limited_with_a_json_error(rate_limited_app):
    client = rate_limited_app.test_client()
    user = make_user("resident")
    for _ in range(3):
        client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong-password1"})
    resp = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 429
    assert resp.get_json()["error"]["code"] == "rate_limited"
