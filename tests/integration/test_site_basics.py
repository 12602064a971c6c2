"""What the whole site shares: the embedded database's settings, /healthz, the OpenAPI document, errors."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from marketplace import create_app
from marketplace.accounts.models import UserRole
from marketplace.extensions import db


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_only):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_the_database_refuses_a_row_pointing_at_nothing(app):
    db.session.add(UserRole(user_id=987654, role="resident"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_url_makes_the_app_use_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal:5432/market")
    app = create_app({"TESTING": True})
    with app.app_context():
        assert db.engine.dialect.name == "postgresql" and db.engine.dialect.driver == "psycopg"


def test_healthz_answers_ok_when_the_database_answers(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.get_json()["database"] == "unreachable"


def test_the_openapi_document_is_valid_and_lists_every_api_endpoint(app, client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json"):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<{arg}>", "{%s}" % arg)
                for conv in ("int", "string", "path"):
                    path = path.replace(f"<{conv}:{arg}>", "{%s}" % arg)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, f"{method} {path} is missing from openapi.json"


def test_the_openapi_document_describes_the_auth_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/auth/token"]["post"]["requestBody"]["content"]["application/json"]["schema"]
               ["required"]) == {"email", "password"}
    assert "bearer" in str(paths["/api/v1/me"]["get"]["security"])


def test_an_unexpected_failure_in_the_api_answers_a_json_500_without_details(app, client):
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/test-boom", "test_boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = client.get("/api/v1/test-boom")
    assert resp.status_code == 500
    error = resp.get_json()["error"]
    assert error["type"] == "api_error" and "secret internals" not in resp.get_data(as_text=True)


def test_an_unknown_page_answers_a_404_page(client):
    resp = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert resp.status_code == 404 and "Page not found" in resp.get_data(as_text=True)


def test_an_oversized_upload_answers_413_not_500(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    resp = client.post("/api/v1/auth/token", data="x" * 1000, content_type="application/json")
    assert resp.status_code == 413


def test_every_form_post_outside_the_api_is_refused_without_a_csrf_token(app):
    """CSRF protection is global: a page's POST route that forgot it would show up here."""
    from marketplace.extensions import csrf

    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    checked, exempt = [], []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        if (f"{view.__module__}.{view.__name__}" in csrf._exempt_views
                or rule.endpoint.partition(".")[0] in csrf._exempt_blueprints):
            exempt.append(rule.rule)
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x1").replace(f"<string:{arg}>", "x1")
        resp = client.post(path, data={"anything": "1"})
        assert resp.status_code == 400, f"POST {rule.rule} answered {resp.status_code} without a CSRF token"
        checked.append(rule.rule)
    assert "/account/login" in checked
    assert exempt == ["/language"]  # the language switch only: see test_languages
