"""Site-wide pages: home, language switch, health check and the OpenAPI document."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import text

from .extensions import csrf, db
from .i18n import LANGUAGE_COOKIE
from .web import home_for, safe_next_url

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        target = home_for(current_user)
        if target != request.path:
            return redirect(target)
    return render_template("marketplace/index.html")


@bp.post("/language")
@csrf.exempt
def set_language():
    """Remember the visitor's language in a cookie of its own. It needs no CSRF token: a forged request
    could only change the language pages are shown in, and it never touches the session (no forged
    request can sign anybody out). So a page a visitor sees holds nothing personal and can be cached."""
    response = redirect(safe_next_url(request.form.get("next")) or "/")
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, locale, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means: take this host out
        current_app.logger.warning("health check failed: %s", exc)
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/api/v1/openapi.json")
def openapi():
    from .openapi import build_spec

    return jsonify(build_spec(current_app))
