"""The credit JSON API and pages: offer, draw with an Idempotency-Key, list, repay, contracts, refusals."""
import pytest

from financing.credit import services
from financing.credit.models import Loan
from financing.ledger.services import merchant_balance
from marketplace.extensions import db
from tests.credit_history import healthy_shop
from tests.factories import PASSWORD, api_token, bearer, make_shop


@pytest.fixture
def merchant(app, client):
    shop = healthy_shop()
    return shop, bearer(api_token(client, shop.owner))


def test_the_offer_says_what_the_merchant_can_take(client, merchant):
    shop, auth = merchant
    body = client.get("/api/v1/credit/offer", headers=auth).get_json()
    assert body["eligible"] is True and body["id"].startswith("offer_")
    assert body["available"] == body["limit"] > 0 and body["currency"] == "CNY"
    for key in ("fee_rate", "withhold_rate", "estimated_apr", "estimated_daily_sales", "estimated_term_days",
                "expires_at", "reasons"):
        assert key in body
    assert body["estimated_daily_sales"] == 12000


def test_a_declined_merchant_gets_reasons_not_a_score(client, app):
    shop = make_shop()
    body = client.get("/api/v1/credit/offer", headers=bearer(api_token(client, shop.owner))).get_json()
    assert body["eligible"] is False and body["limit"] == 0
    assert body["reasons"] and all("score" not in r["message"].lower() for r in body["reasons"])


def test_draw_replays_with_the_same_idempotency_key_and_lists(client, merchant):
    shop, auth = merchant
    payload = {"amount": 30000, "accept_terms": True, "signature_name": "Li Lei"}
    first = client.post("/api/v1/credit/draws", json=payload, headers={**auth, "Idempotency-Key": "k1"})
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/credit/draws", json=payload, headers={**auth, "Idempotency-Key": "k1"})
    assert again.get_json()["id"] == first.get_json()["id"]
    assert db.session.query(Loan).count() == 1 and merchant_balance(shop.id).amount == 30000
    listed = client.get("/api/v1/credit/draws", headers=auth).get_json()
    assert [d["id"] for d in listed["data"]] == [first.get_json()["id"]]
    contract = client.get(f"/api/v1/credit/contracts/{first.get_json()['contract']}", headers=auth).get_json()
    assert len(contract["sha256"]) == 64 and contract["signature_name"] == "Li Lei"


@pytest.mark.parametrize("payload, status", [
    ({"amount": 0, "accept_terms": True, "signature_name": "A"}, 400),
    ({"amount": -5, "accept_terms": True, "signature_name": "A"}, 400),
    ({"amount": "5", "accept_terms": True, "signature_name": "A"}, 400),
    ({"amount": 500, "accept_terms": False, "signature_name": "A"}, 400),
    ({"amount": 500, "accept_terms": True}, 400),
    ({"amount": 10**9, "accept_terms": True, "signature_name": "A"}, 409),
])
def test_bad_draws_are_refused_clearly(client, merchant, payload, status):
    shop, auth = merchant
    resp = client.post("/api/v1/credit/draws", json=payload, headers=auth)
    assert resp.status_code == status
    assert resp.get_json()["error"]["message"]
    assert db.session.query(Loan).count() == 0


def test_repayment_reduces_what_is_owed(client, merchant):
    shop, auth = merchant
    client.post("/api/v1/credit/draws", json={"amount": 30000, "accept_terms": True, "signature_name": "A"},
                headers=auth)
    resp = client.post("/api/v1/credit/repayments", json={"amount": 10000}, headers=auth)
    assert resp.status_code == 201, resp.get_json()
    offer = client.get("/api/v1/credit/offer", headers=auth).get_json()
    assert offer["owed"] == 30000 + 30000 * int(offer["fee_rate"].split(".")[1]) // 100 - 10000
    assert client.post("/api/v1/credit/repayments", json={"amount": 0}, headers=auth).status_code == 400


def test_another_merchants_contract_is_not_found(client, merchant):
    shop, auth = merchant
    loan = client.post("/api/v1/credit/draws", json={"amount": 30000, "accept_terms": True, "signature_name": "A"},
                       headers=auth).get_json()
    other = make_shop()
    resp = client.get(f"/api/v1/credit/contracts/{loan['contract']}", headers=bearer(api_token(client, other.owner)))
    assert resp.status_code == 404


def test_the_openapi_document_lists_the_credit_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/credit/offer", "/api/v1/credit/draws", "/api/v1/credit/repayments"):
        assert path in paths


def _login(client, user):
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})


def test_the_credit_page_draws_into_the_balance_and_refuses_a_resubmit(client, app):
    shop = healthy_shop()
    _login(client, shop.owner)
    page = client.get("/credit/")
    assert page.status_code == 200 and b"id=\"take\"" in page.data
    form = {"amount": "300.00", "accept_terms": "yes", "signature_name": "Wang", "form_key": "once"}
    assert client.post("/credit/draw", data=form).status_code == 303
    assert client.post("/credit/draw", data=form).status_code == 303
    assert db.session.query(Loan).count() == 1 and merchant_balance(shop.id).amount == 30000
    bad = client.post("/credit/draw", data={**form, "amount": "abc", "form_key": "x"}, follow_redirects=True)
    assert b"1000.50" in bad.data  # "Enter an amount such as 1000 or 1000.50.", in either language
    est = client.get("/credit/estimate?amount=100")
    assert est.status_code == 200 and est.get_json()["funds_provided"] == "¥100.00"
    loan = db.session.query(Loan).one()
    txt = client.get(f"/credit/contracts/{loan.contract.public_id}.txt")
    assert txt.status_code == 200 and loan.contract.terms_sha256.encode() in txt.data
