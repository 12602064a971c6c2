"""Bearer tokens for the JSON API: shown once, stored as a digest, revocable."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..errors import AuthenticationFailed
from ..extensions import db
from ..statemachine import utcnow
from .models import ApiToken, User, hash_token

TOKEN_PREFIX = "mkt_"


def new_token_value() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def user_for_bearer_header(header: str | None) -> User | None:
    """The user behind `Authorization: Bearer <token>`; None without a header; 401 for a bad token."""
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise AuthenticationFailed("Send the API token as 'Authorization: Bearer <token>'.")
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(raw.strip()))
    ).scalar_one_or_none()
    now = utcnow()
    if token is None or token.revoked_at is not None:
        raise AuthenticationFailed("This API token is not valid or was revoked.", code="invalid_token")
    expires = token.expires_at
    if expires is not None and expires.tzinfo is None:  # SQLite hands back naive datetimes
        expires = expires.replace(tzinfo=now.tzinfo)
    if expires is not None and expires <= now:
        raise AuthenticationFailed("This API token has expired; ask for a new one.", code="expired_token")
    return token.user


def token_lifetime() -> timedelta:
    return timedelta(days=current_app.config["API_TOKEN_TTL_DAYS"])
