from tests.factories import api_token, bearer, make_user


def test_health_check_reports_the_database_reachable(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok"}


def test_a_registered_merchant_gets_a_token_and_sees_its_roles(client):
    user = make_user("merchant")
    token = api_token(client, user)
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["email"] == user.email
    assert me["roles"] == ["merchant"]
