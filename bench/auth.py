"""Login and password hashing: what one argon2 hash costs, and logins and token checks per second.

    python -m bench.auth            # prints the figures, writes bench/results/auth.json

A login is dominated by argon2id verification (deliberately slow, so a stolen hash is slow to
crack); a request with a bearer token only hashes the token with SHA-256 and reads one row. The
runs go through the app in-process (no HTTP server), on a fresh SQLite file.
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results", "auth.json")
PASSWORD = "bench-pass-1"


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    from marketplace import create_app
    from marketplace.accounts import services
    from marketplace.extensions import db

    workdir = tempfile.mkdtemp(prefix="bench-auth-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.db", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    figures: dict[str, float] = {}
    with app.app_context():
        db.create_all()
        user = services.register_user("bench@example.test", PASSWORD, "Bench", "merchant")
        client = app.test_client()

        hashes = timed(lambda: services.hash_password(PASSWORD), 20)
        figures["argon2_hash_ms_median"] = statistics.median(hashes) * 1000

        logins = timed(lambda: client.post("/api/v1/auth/token",
                                           json={"email": user.email, "password": PASSWORD}), 30)
        figures["token_login_ms_median"] = statistics.median(logins) * 1000
        figures["token_logins_per_second_one_process"] = 1 / statistics.median(logins)

        bad = timed(lambda: client.post("/api/v1/auth/token",
                                        json={"email": "nobody@example.test", "password": PASSWORD}), 30)
        figures["unknown_email_ms_median"] = statistics.median(bad) * 1000

        token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        n = 500
        started = time.perf_counter()
        for _ in range(n):
            client.get("/api/v1/me", headers=headers)
        figures["bearer_requests_per_second_one_process"] = n / (time.perf_counter() - started)
        db.session.remove()
        db.engine.dispose()

    figures = {k: round(v, 1) for k, v in figures.items()}
    figures["load_average_at_start"] = round(os.getloadavg()[0], 2)
    for name, value in figures.items():
        print(f"  {name:<42} {value:>10}")
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(figures, f, indent=2)
    print(f"written {os.path.relpath(RESULTS, ROOT)}")


if __name__ == "__main__":
    main()
