"""Helpers that stand in for the customer's browser and the network between the site and the provider."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

TEST_KEY = "sk_test_demo"


def card_payment_method(base_url: str, number: str = "4242424242424242") -> str:
    """What the provider's card form in the browser does: turn card details into a `pm_...` id."""
    resp = requests.post(f"{base_url}/v1/payment_methods", auth=(TEST_KEY, ""), timeout=10, data={
        "type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2030",
        "card[cvc]": "123"})
    resp.raise_for_status()
    return resp.json()["id"]


def provider_intents(base_url: str) -> list[dict]:
    found, params = [], {"limit": 100}
    while True:
        page = requests.get(f"{base_url}/v1/payment_intents", params=params, auth=(TEST_KEY, ""), timeout=10).json()
        found += page["data"]
        if not page["has_more"]:
            return found
        params["starting_after"] = page["data"][-1]["id"]


class SlowFirstAnswerProxy:
    """Forwards to the provider, but holds back the answer to the first POST to `path` for `delay` seconds:
    the provider did the work, the site's read timeout fires and it never hears the answer."""

    def __init__(self, upstream: str, path: str, delay: float):
        self.upstream, self.path, self.delay = upstream, path, delay
        self.posts_seen = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def _forward(self, method):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = requests.request(method, proxy.upstream + self.path, data=body, headers=headers, timeout=10)
                if method == "POST" and self.path.split("?")[0] == proxy.path:
                    proxy.posts_seen += 1
                    if proxy.posts_seen == 1:
                        time.sleep(proxy.delay)
                try:
                    self.send_response(answer.status_code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()


def bank_check(base_url: str, client_secret: str, *, passed: bool) -> dict:
    """What the provider's browser library does when the customer answers the bank's check (3-D Secure)."""
    intent_id = client_secret.split("_secret_")[0]
    resp = requests.post(f"{base_url}/v1/payment_intents/{intent_id}/_authenticate",
                         params={"success": "true" if passed else "false"},
                         json={"key": "pk_test_demo", "client_secret": client_secret}, timeout=10)
    resp.raise_for_status()
    return resp.json()
