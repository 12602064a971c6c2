"""What `make demo` ends with: scripts/serve-demo.sh starts localstripe and gunicorn, and stops both."""
import os
import signal
import socket
import subprocess
import sys
import time

import requests

from tests.conftest import free_port, wait_for_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _health_once_workers_are_up(base: str) -> dict:
    """The master binds the port before its workers have imported the app; on a busy machine that
    takes a while, so ask again until a worker answers (a readiness wait, not a speed check)."""
    deadline = time.monotonic() + 180
    while True:
        try:
            return requests.get(f"{base}/healthz", timeout=30).json()
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _flask(env, *args):
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)


def test_the_demo_server_serves_a_seeded_town_where_the_demo_accounts_log_in(tmp_path):
    web_port, stripe_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "PORT": str(web_port),
           "STRIPE_API_BASE": f"http://127.0.0.1:{stripe_port}", "WEB_CONCURRENCY": "2",
           "VENV": os.path.dirname(os.path.dirname(sys.executable))}
    env.pop("TEST_DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "seed", "--merchants", "3", "--suppliers", "1", "--residents", "5", "--months", "1",
           "--quiet")

    server = subprocess.Popen([os.path.join(ROOT, "scripts", "serve-demo.sh")], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(web_port, timeout=120)
        assert _answers(stripe_port), "localstripe was not started"
        base = f"http://127.0.0.1:{web_port}"
        assert _health_once_workers_are_up(base) == {"status": "ok", "database": "ok"}
        for email in ("resident@demo.local", "merchant@demo.local", "supplier@demo.local", "lender@demo.local"):
            resp = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": "demo1234"},
                                 timeout=60)
            assert resp.status_code == 201, (email, resp.text)
        assert requests.get(f"{base}/account/login", timeout=60).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    deadline = time.monotonic() + 20
    while (_answers(web_port) or _answers(stripe_port)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _answers(web_port) and not _answers(stripe_port), "something kept running after the script stopped"
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log is on
