"""Site-wide pages: home, language switch, health check and the OpenAPI document."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from .extensions import db
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
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
    return redirect(safe_next_url(request.form.get("next")) or "/")


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
