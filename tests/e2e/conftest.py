"""Browser tests: the real site served on loopback, driven by headless Chromium through Playwright."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import free_port
from tests.factories import PASSWORD

SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "instance", "screenshots")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 800}


@pytest.fixture
def live_server(app):
    """Serve the test app (and its fresh database) on a free loopback port for this test."""
    app.config["SERVER_NAME"] = None
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("Chromium is not installed: run `make chromium`")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


def _new_page(browser, viewport, locale="en-GB"):
    context = browser.new_context(viewport=viewport, locale=locale, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser):
    """A phone-sized page in English."""
    context, page = _new_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def laptop_page(browser):
    context, page = _new_page(browser, LAPTOP)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves instance/screenshots/name.png (not committed) and returns the path."""
    os.makedirs(SCREENSHOTS, exist_ok=True)

    def take(page, name: str) -> str:
        path = os.path.join(SCREENSHOTS, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def log_in():
    """log_in(page, live_server, user) signs in through the login form."""

    def do(page, base_url: str, user, password: str = PASSWORD):
        page.goto(f"{base_url}/account/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", password)
        page.click("form [type=submit]")
        page.wait_for_load_state("networkidle")

    return do
