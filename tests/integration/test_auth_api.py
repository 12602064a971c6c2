"""The JSON API's accounts: sign-up, bearer tokens, revocation, the current user, lenders."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from marketplace.statemachine import utcnow
from tests.factories import PASSWORD, api_token, bearer, make_user


def assert_error(resp, status: int, *, code: str | None = None, param: str | None = None) -> dict:
    """The answer is the Stripe-style error shape with this status (and code and param when given)."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    error = resp.get_json()["error"]
    assert set(error) >= {"type", "code", "message"} and error["message"]
    if code:
        assert error["code"] == code
    if param:
        assert error["param"] == param
    return error


def test_the_right_password_gets_a_token_that_is_stored_only_as_a_digest(client):
    user = make_user("merchant")
    resp = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["object"] == "token" and body["id"].startswith("tok_") and body["token"].startswith("mkt_")
    stored = db.session.execute(select(ApiToken.token_hash)).scalar_one()
    assert body["token"] not in stored and len(stored) == 64


@pytest.mark.parametrize("email, password", [("known", "wrong-password1"), ("nobody@example.test", PASSWORD),
                                             ("not-an-email", PASSWORD)])
def test_a_wrong_password_or_unknown_email_gets_the_same_401(client, email, password):
    user = make_user("merchant")
    resp = client.post("/api/v1/auth/token",
                       json={"email": user.email if email == "known" else email, "password": password})
    error = assert_error(resp, 401, code="invalid_credentials")
    assert error["type"] == "authentication_error"


@pytest.mark.parametrize("kwargs", [
    {"data": "{not json", "content_type": "application/json"},
    {"data": "email=a&password=b", "content_type": "application/x-www-form-urlencoded"},
    {"json": ["a", "list"]},
    {"json": "a string"},
    {},
])
def test_a_body_that_is_not_a_json_object_gets_a_400(client, kwargs):
    assert_error(client.post("/api/v1/auth/token", **kwargs), 400)


@pytest.mark.parametrize("body, param", [
    ({"password": PASSWORD}, "email"),
    ({"email": "a@example.test"}, "password"),
    ({"email": 12, "password": PASSWORD}, "email"),
    ({"email": "a@example.test", "password": ["x"]}, "password"),
    ({"email": None, "password": PASSWORD}, "email"),
    ({"email": "a@example.test", "password": ""}, "password"),
])
def test_a_missing_or_mistyped_field_gets_a_400_naming_it(client, body, param):
    assert_error(client.post("/api/v1/auth/token", json=body), 400, param=param)


def test_me_returns_the_user_and_all_their_roles(client):
    from marketplace.accounts.services import grant_role

    user = make_user("merchant")
    grant_role(user.id, "resident")
    me = client.get("/api/v1/me", headers=bearer(api_token(client, user))).get_json()
    assert me["object"] == "user" and me["id"] == user.public_id and me["email"] == user.email
    assert me["roles"] == ["merchant", "resident"]
    assert "password_hash" not in me


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer mkt_not-a-token"}, {"Authorization": "Bearer "},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "mkt_abc"}])
def test_me_without_a_valid_bearer_token_gets_a_401(client, headers):
    assert_error(client.get("/api/v1/me", headers=headers), 401)


def test_a_session_cookie_does_not_authenticate_the_api(client):
    user = make_user("resident")
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert_error(client.get("/api/v1/me"), 401)


def test_revoking_the_token_in_use_stops_it_working_at_once(client):
    user = make_user("resident")
    token = api_token(client, user)
    resp = client.post("/api/v1/auth/revoke", headers=bearer(token))
    assert resp.status_code == 200 and resp.get_json()["revoked"] is True
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, code="invalid_token")


def test_revoking_another_token_by_its_id_leaves_the_one_in_use_working(client):
    user = make_user("resident")
    phone = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()
    laptop = api_token(client, user)
    resp = client.post("/api/v1/auth/revoke", json={"token": phone["id"]}, headers=bearer(laptop))
    assert resp.get_json()["id"] == phone["id"]
    assert_error(client.get("/api/v1/me", headers=bearer(phone["token"])), 401)
    assert client.get("/api/v1/me", headers=bearer(laptop)).status_code == 200


def test_nobody_can_revoke_someone_elses_token(client):
    owner, other = make_user("resident"), make_user("resident")
    owners = client.post("/api/v1/auth/token", json={"email": owner.email, "password": PASSWORD}).get_json()
    resp = client.post("/api/v1/auth/revoke", json={"token": owners["id"]}, headers=bearer(api_token(client, other)))
    assert_error(resp, 404, param="token")
    assert client.get("/api/v1/me", headers=bearer(owners["token"])).status_code == 200


def test_revoking_needs_a_token(client):
    assert_error(client.post("/api/v1/auth/revoke"), 401)


def test_an_expired_token_is_refused(client):
    user = make_user("resident")
    token = api_token(client, user)
    row = db.session.execute(select(ApiToken)).scalar_one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, code="expired_token")


@pytest.mark.parametrize("role", ["resident", "merchant", "supplier"])
def test_signing_up_through_the_api_creates_the_account_with_its_role(client, role):
    resp = client.post("/api/v1/auth/register", json={"email": f"new-{role}@example.test", "password": "good-pass-1",
                                                      "name": "New", "role": role})
    assert resp.status_code == 201
    assert resp.get_json()["roles"] == [role]
    token = client.post("/api/v1/auth/token", json={"email": f"new-{role}@example.test",
                                                    "password": "good-pass-1"}).get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["roles"] == [role]


def test_nobody_signs_up_as_a_lender(client):
    resp = client.post("/api/v1/auth/register", json={"email": "eve@example.test", "password": "good-pass-1",
                                                      "name": "Eve", "role": "lender"})
    assert_error(resp, 403, code="role_not_allowed")
    assert_error(client.post("/api/v1/auth/token", json={"email": "eve@example.test", "password": "good-pass-1"}),
                 401)


@pytest.mark.parametrize("body, status, param", [
    ({"email": "x@example.test", "password": "good-pass-1", "name": "X", "role": "banker"}, 400, "role"),
    ({"email": "x@example.test", "password": "short1", "name": "X", "role": "resident"}, 400, "password"),
    ({"email": "x@example.test", "password": "12345678901", "name": "X", "role": "resident"}, 400, "password"),
    ({"email": "not-an-email", "password": "good-pass-1", "name": "X", "role": "resident"}, 400, "email"),
    ({"email": "x@example.test", "password": "good-pass-1", "role": "resident"}, 400, "name"),
    ({"email": "x@example.test", "password": "good-pass-1", "name": "  ", "role": "resident"}, 400, "name"),
    ({"email": "x@example.test", "password": "good-pass-1", "name": "X", "role": 3}, 400, "role"),
    ({"email": "taken@example.test", "password": "good-pass-1", "name": "X", "role": "resident"}, 409, "email"),
])
def test_bad_sign_up_input_gets_a_clear_400_class_error_and_creates_nothing(client, body, status, param):
    make_user("resident", email="taken@example.test")
    assert_error(client.post("/api/v1/auth/register", json=body), status, param=param)
    assert client.post("/api/v1/auth/token", json={"email": "x@example.test", "password": "good-pass-1"}
                       ).status_code == 401


def test_a_lender_creates_another_lender_who_can_then_log_in(client):
    lender = make_user("lender")
    resp = client.post("/api/v1/lenders", json={"email": "credit2@example.test", "password": "loan-book-7",
                                                "name": "Zhou"}, headers=bearer(api_token(client, lender)))
    assert resp.status_code == 201 and resp.get_json()["roles"] == ["lender"]
    token = client.post("/api/v1/auth/token", json={"email": "credit2@example.test",
                                                    "password": "loan-book-7"}).get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["roles"] == ["lender"]


@pytest.mark.parametrize("role", ["resident", "merchant", "supplier"])
def test_nobody_but_a_lender_creates_a_lender(client, role):
    user = make_user(role)
    resp = client.post("/api/v1/lenders", json={"email": "sneaky@example.test", "password": "loan-book-7",
                                                "name": "S"}, headers=bearer(api_token(client, user)))
    assert_error(resp, 403)
    assert_error(client.post("/api/v1/lenders", json={"email": "sneaky@example.test", "password": "loan-book-7",
                                                      "name": "S"}), 401)


def test_unknown_api_paths_and_methods_answer_in_the_json_error_shape(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404)
    assert_error(client.get("/api/v1/auth/token"), 405)
