"""Only lenders reach the console: every page and endpoint refuses everyone else."""
import pytest

from tests.factories import api_token, bearer, make_shop, make_user

PAGES = ["/lender/", "/lender/alerts", "/lender/policy", "/lender/monitoring", "/lender/merchants/{shop}"]
POST_PAGES = ["/lender/policy", "/lender/merchants/{shop}/actions"]
API = [("GET", "/api/v1/lender/portfolio"), ("GET", "/api/v1/lender/alerts"),
       ("POST", "/api/v1/lender/alerts/alrt_x/actions"), ("GET", "/api/v1/lender/policies"),
       ("POST", "/api/v1/lender/policies"), ("POST", "/api/v1/lenders")]


def _log_in(client, user):
    client.application.config["WTF_CSRF_ENABLED"] = False
    resp = client.post("/account/login", data={"email": user.email, "password": "secret123"})
    assert resp.status_code == 302


def _lender_urls(app):
    """Every URL rule of the console, so a page added later cannot slip past this test."""
    return sorted({r.rule for r in app.url_map.iter_rules() if r.rule.startswith(("/lender", "/api/v1/lender"))})


def test_this_test_walks_every_lender_url(app):
    walked = {p.replace("{shop}", "<shop_id>") for p in PAGES + POST_PAGES} | {
        p.replace("alrt_x", "<alert_id>") for _, p in API}
    assert set(_lender_urls(app)) <= walked


@pytest.mark.parametrize("role", ["merchant", "resident", "supplier"])
def test_anyone_but_a_lender_gets_403_on_every_page_and_endpoint(app, client, role):
    shop = make_shop()
    user = make_user(role)
    _log_in(client, user)
    for page in PAGES:
        assert client.get(page.format(shop=shop.public_id)).status_code == 403, page
    for page in POST_PAGES:
        assert client.post(page.format(shop=shop.public_id), data={}).status_code == 403, page
    headers = bearer(api_token(client, user))
    for method, path in API:
        resp = client.open(path, method=method, headers=headers, json={})
        assert resp.status_code == 403, path
        assert resp.get_json()["error"]["type"]


def test_a_visitor_is_sent_to_log_in_and_an_api_call_without_token_gets_401(app, client):
    resp = client.get("/lender/")
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]
    assert client.get("/api/v1/lender/portfolio").status_code == 401


def test_a_lender_reaches_every_page(app, client):
    shop = make_shop()
    _log_in(client, make_user("lender"))
    for page in PAGES:
        resp = client.get(page.format(shop=shop.public_id))
        assert resp.status_code == 200, page
