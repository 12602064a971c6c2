"""Idempotency-Key support for POST endpoints: a retried request replays the first answer.

The key is claimed in its own short transaction before the work starts, so two concurrent
requests with one key cannot both run; the answer is stored when the work ends.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from functools import wraps

from flask import Response, jsonify, make_response, request
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .errors import Conflict, DomainError, ValidationError
from .extensions import db
from .statemachine import utcnow


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first request runs
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _request_fingerprint() -> str:
    body = request.get_data(cache=True) or b""
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + body).hexdigest()


def idempotent(view):
    """Use under an API blueprint, after authentication (needs `current_api_user`)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from .api_support import current_api_user

        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > 255:
            raise ValidationError("Idempotency-Key must be at most 255 characters.", param="Idempotency-Key")
        user = current_api_user()
        fingerprint = _request_fingerprint()
        existing = db.session.execute(
            select(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key)
        ).scalar_one_or_none()
        if existing is None:
            record = IdempotencyRecord(
                user_id=user.id, key=key, method=request.method, path=request.path, request_hash=fingerprint
            )
            db.session.add(record)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                raise Conflict("A request with this Idempotency-Key is already being processed.",
                               code="idempotency_in_progress") from None
            return _run_and_store(view, record.id, args, kwargs)
        if existing.request_hash != fingerprint:
            raise ValidationError(
                "This Idempotency-Key was used with a different request; use a new key.",
                param="Idempotency-Key", code="idempotency_key_reused",
            )
        if existing.status_code is None:
            raise Conflict("A request with this Idempotency-Key is already being processed.",
                           code="idempotency_in_progress")
        response = Response(existing.response_body, status=existing.status_code, mimetype="application/json")
        response.headers["Idempotent-Replayed"] = "true"
        return response

    return wrapper


def _run_and_store(view, record_id: int, args, kwargs):
    try:
        result = view(*args, **kwargs)
    except DomainError as exc:
        db.session.rollback()
        response = jsonify(exc.to_json())
        response.status_code = exc.status
    except Exception:
        db.session.rollback()
        db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        db.session.commit()
        raise
    else:
        response = make_response(result)
    record = db.session.get(IdempotencyRecord, record_id)
    record.status_code = response.status_code
    record.response_body = response.get_data(as_text=True)
    db.session.commit()
    return response

