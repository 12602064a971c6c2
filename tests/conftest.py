"""Shared fixtures: an app on a fresh database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import os

import pytest

from marketplace import create_app
from marketplace.extensions import db
from marketplace.schema import recreate_all_tables


def pytest_sessionstart(session):
    """Compile any catalogue whose .mo is missing or older than its .po (what `make translations` does),
    so a run straight after editing a .po tests the new strings."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from marketplace import translation_directories

    for directory in translation_directories():
        for dirpath, _dirs, files in os.walk(directory):
            for name in files:
                if not name.endswith(".po"):
                    continue
                po = os.path.join(dirpath, name)
                mo = po[:-3] + ".mo"
                if not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(po):
                    with open(po, "rb") as src:
                        catalog = read_po(src)
                    with open(mo, "wb") as out:
                        write_mo(out, catalog, use_fuzzy=True)


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _test_database_url(tmp_path_factory)


def reset_schema() -> None:
    """Drop and recreate every table (PostgreSQL: the whole public schema, triggers included)."""
    recreate_all_tables()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "unbalanced_books: the test leaves the books out of balance on purpose; skip the ledger check")
    config.addinivalue_line(
        "markers", "provider_not_checked: the test leaves a card payment out of step with the test run's "
                   "provider on purpose (a refused webhook, a provider of its own); skip comparing with it")


def assert_books_balance() -> None:
    """Reconcile the books: every entry sums to zero and every account balance is the sum of its
    postings. Every test using `app` runs it at the end (opt out with @pytest.mark.unbalanced_books)."""
    from financing.ledger.reconcile import check_postings

    db.session.rollback()
    problems = check_postings()
    assert not problems, "the books do not balance:\n" + "\n".join(problems)


@pytest.fixture
def app(database_url, tmp_path, request):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PAGE_CACHE_RECHECK_SECONDS": 0,  # kept pages checked on every view (test_storefront_cache covers the window)
        "SECRET_KEY": "test-secret",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
    })
    with app.app_context():
        reset_schema()
        try:
            yield app
            if request.node.get_closest_marker("unbalanced_books") is None:
                assert_books_balance()
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} after {timeout} s")


@pytest.fixture(scope="session")
def localstripe_url():
    """A real localstripe server for the whole run, on loopback and a free port."""
    import subprocess
    import sys

    port = free_port()
    script = os.path.join(os.path.dirname(os.path.dirname(__file__)), "scripts", "run_localstripe.py")
    proc = subprocess.Popen([sys.executable, script, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def payments_app(app, localstripe_url, request):
    """The app talking to the test run's localstripe. At the end, the whole reconciliation (what `flask ledger
    reconcile` runs) must find nothing: every paid order and refund posted, every card payment as the
    provider has it (opt out with @pytest.mark.unbalanced_books, or of the provider comparison alone with
    @pytest.mark.provider_not_checked)."""
    app.config["STRIPE_API_BASE"] = localstripe_url
    yield app
    if request.node.get_closest_marker("unbalanced_books") is None:
        from financing.ledger.reconcile import check_books
        from marketplace.payments.reconcile import provider_disagreements

        db.session.rollback()
        app.config["STRIPE_API_BASE"] = localstripe_url
        problems = check_books()
        if request.node.get_closest_marker("provider_not_checked") is None:
            problems += provider_disagreements()
        assert not problems, "ledger reconcile disagrees:\n" + "\n".join(problems)
