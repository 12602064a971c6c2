"""Role checks on pages and the API, and lenders made only by the command or by another lender."""
import pytest
from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.errors import PermissionDenied
from marketplace.extensions import db
from marketplace.web import role_required
from tests.factories import PASSWORD, api_token, bearer, make_user


@pytest.fixture
def lender_only_page(app):
    @role_required("lender")
    def loan_book():
        return "the loan book"

    app.add_url_rule("/test-loan-book", "test_loan_book", loan_book)
    return "/test-loan-book"


def test_a_page_for_lenders_sends_a_visitor_to_log_in(client, lender_only_page):
    resp = client.get(lender_only_page)
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ["resident", "merchant", "supplier"])
def test_a_page_for_lenders_is_forbidden_to_other_roles(client, lender_only_page, role):
    user = make_user(role)
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert client.get(lender_only_page).status_code == 403


def test_a_page_for_lenders_opens_for_a_lender(client, lender_only_page):
    user = make_user("lender")
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    resp = client.get(lender_only_page)
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "the loan book"


def test_one_person_can_hold_several_roles(app):
    user = make_user("merchant")
    services.grant_role(user.id, "resident")
    services.grant_role(user.id, "resident")  # granting twice changes nothing
    assert db.session.get(User, user.id).role_names == ["merchant", "resident"]


def test_only_a_lender_can_grant_the_lender_role(app):
    merchant, lender = make_user("merchant"), make_user("lender")
    with pytest.raises(PermissionDenied):
        services.grant_role(merchant.id, "lender")
    with pytest.raises(PermissionDenied):
        services.grant_role(merchant.id, "lender", granted_by_id=merchant.id)
    services.grant_role(merchant.id, "lender", granted_by_id=lender.id)
    assert db.session.get(User, merchant.id).has_role("lender")


def test_the_create_lender_command_makes_a_lender_who_logs_in_through_the_api(runner, client):
    result = runner.invoke(args=["users", "create-lender", "--email", "Credit@Bank.example.test", "--name", "Chen",
                                 "--password", "loan-book-7"])
    assert result.exit_code == 0, result.output
    assert "credit@bank.example.test" in result.output
    token = client.post("/api/v1/auth/token", json={"email": "credit@bank.example.test",
                                                    "password": "loan-book-7"}).get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["roles"] == ["lender"]


@pytest.mark.parametrize("args", [
    ["--email", "taken@example.test", "--name", "X", "--password", "loan-book-7"],
    ["--email", "not-an-email", "--name", "X", "--password", "loan-book-7"],
    ["--email", "weak@example.test", "--name", "X", "--password", "short"],
])
def test_the_create_lender_command_refuses_bad_input_with_a_message(runner, args):
    make_user("resident", email="taken@example.test")
    result = runner.invoke(args=["users", "create-lender", *args])
    assert result.exit_code != 0
    assert "Error:" in result.output and "Traceback" not in result.output
    assert db.session.execute(select(User).where(User.email == "weak@example.test")).scalar() is None


def test_the_create_lender_command_asks_for_the_password_twice_when_not_given(runner):
    result = runner.invoke(args=["users", "create-lender", "--email", "p@example.test", "--name", "P"],
                           input="loan-book-7\nloan-book-7\n")
    assert result.exit_code == 0, result.output
    assert services.authenticate("p@example.test", "loan-book-7").has_role("lender")


def test_a_lenders_api_token_works_only_for_its_owner(client):
    lender, merchant = make_user("lender"), make_user("merchant")
    assert client.get("/api/v1/me", headers=bearer(api_token(client, lender))).get_json()["id"] == lender.public_id
    assert client.get("/api/v1/me", headers=bearer(api_token(client, merchant))).get_json()["id"] == merchant.public_id
