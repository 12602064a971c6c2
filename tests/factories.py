"""Factories for test data, going through the services so tests build what users build."""
from __future__ import annotations

import itertools

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User

PASSWORD = "secret123"
_seq = itertools.count(1)


def make_user(role: str = "resident", *, email: str | None = None, name: str | None = None,
              password: str = PASSWORD) -> User:
    n = next(_seq)
    email = email or f"{role}{n}@example.test"
    if role == "lender":
        return accounts.create_lender(email, password, name or f"Lender {n}")
    return accounts.register_user(email, password, name or f"{role.title()} {n}", role)


def api_token(client, user: User, password: str = PASSWORD) -> str:
    resp = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
