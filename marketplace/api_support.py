"""What every JSON blueprint shares: bearer-token auth, Stripe-style errors, body parsing, list paging."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Blueprint, g, jsonify, request
from sqlalchemy import Select, select
from werkzeug.exceptions import HTTPException

from .errors import AuthenticationFailed, DomainError, PermissionDenied, ValidationError
from .extensions import csrf, db


def json_error(status: int, message: str, *, type_: str = "invalid_request_error", code: str = "invalid_request",
               param: str | None = None):
    error = {"type": type_, "code": code, "message": message}
    if param:
        error["param"] = param
    return jsonify({"error": error}), status


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1 that authenticates by bearer token only (never the session cookie,
    so it needs no CSRF token) and answers every error as JSON."""
    bp = Blueprint(name, import_name, url_prefix="/api/v1")
    csrf.exempt(bp)

    @bp.before_request
    def _authenticate():
        from .accounts.tokens import user_for_bearer_header  # late: accounts imports this module

        g.api_user = user_for_bearer_header(request.headers.get("Authorization"))

    @bp.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return jsonify(exc.to_json()), exc.status

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return json_error(exc.code or 500, exc.description or exc.name, code=exc.name.lower().replace(" ", "_"))

    return bp


def current_api_user():
    """The user the bearer token belongs to, or a 401."""
    user = g.get("api_user")
    if user is None:
        raise AuthenticationFailed("Send a valid API token as 'Authorization: Bearer <token>'.")
    return user


def api_login_required(*roles: str) -> Callable:
    """Require a bearer token, and one of `roles` when given."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_api_user()
            if roles and not user.has_role(*roles):
                raise PermissionDenied(f"This needs the {' or '.join(roles)} role.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a clear 400."""
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationError("The request body must be a JSON object (Content-Type: application/json).")
    if not isinstance(data, dict):
        raise ValidationError("The request body must be a JSON object.")
    return data


_MISSING = object()


def field(body: dict, name: str, kind: type = str, *, required: bool = True, default: Any = None,
          choices: tuple | None = None) -> Any:
    """One field of a JSON body, checked for presence and type."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise ValidationError(f"Missing required field '{name}'.", param=name, code="parameter_missing")
        return default
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(f"'{name}' must be a whole number.", param=name)
    if kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ValidationError(f"'{name}' must be a number.", param=name)
    if kind is str and not isinstance(value, str):
        raise ValidationError(f"'{name}' must be a string.", param=name)
    if kind is bool and not isinstance(value, bool):
        raise ValidationError(f"'{name}' must be true or false.", param=name)
    if kind is list and not isinstance(value, list):
        raise ValidationError(f"'{name}' must be a list.", param=name)
    if kind is dict and not isinstance(value, dict):
        raise ValidationError(f"'{name}' must be an object.", param=name)
    if kind is str:
        value = value.strip()
        if required and not value:
            raise ValidationError(f"'{name}' cannot be empty.", param=name)
    if choices is not None and value not in choices:
        raise ValidationError(f"'{name}' must be one of: {', '.join(map(str, choices))}.", param=name)
    return float(value) if kind is float else value


def list_limit() -> int:
    raw = request.args.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError:
        raise ValidationError("'limit' must be a whole number from 1 to 100.", param="limit") from None
    if not 1 <= limit <= 100:
        raise ValidationError("'limit' must be a whole number from 1 to 100.", param="limit")
    return limit


def paginate(stmt: Select, model, to_json: Callable[[Any], dict], *, newest_first: bool = True) -> dict:
    """A Stripe-style list: `limit` and `starting_after` (a public id) over `stmt`, keyed on integer id."""
    limit = list_limit()
    after = request.args.get("starting_after")
    order = model.id.desc() if newest_first else model.id.asc()
    if after:
        anchor = db.session.execute(select(model.id).where(model.public_id == after)).scalar()
        if anchor is None:
            raise ValidationError("'starting_after' names no object in this list.", param="starting_after")
        stmt = stmt.where(model.id < anchor if newest_first else model.id > anchor)
    rows = db.session.execute(stmt.order_by(order).limit(limit + 1)).scalars().all()
    return {
        "object": "list",
        "url": request.path,
        "has_more": len(rows) > limit,
        "data": [to_json(r) for r in rows[:limit]],
    }
