"""The site's core: the app factory, and what residents, merchants and lenders all share."""
from __future__ import annotations

import importlib
import os
import sqlite3

from flask import Flask, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import Config, normalise_database_url
from .extensions import babel, cache, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Packages that plug into the core; each exposes init_app(app) to register its blueprints and commands.
PLUGGED_PACKAGES = ("merchants", "financing")
# The core's own features, each a subpackage with init_app(app) (models, blueprints, commands, nav).
CORE_FEATURES = ("marketplace.payments", "marketplace.orders", "marketplace.search", "marketplace.demo")
SQLITE_MMAP_BYTES = 2**31  # address space, not memory; SQLite caps it at its own build limit


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL so readers never block the writer; foreign keys on; wait for a lock instead of failing.

    The file is read through a memory map (shared by every worker through the OS page cache): a
    search's random row lookups become memory reads instead of read calls, which cut nearby search
    CPU p95 on the seed's town from about 100 to about 60 ms (docs/benchmarks.md).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()


def translation_directories() -> list[str]:
    """Every `translations/` folder of a package or subpackage; Flask-Babel merges them."""
    found = []
    for pkg in ("marketplace",) + PLUGGED_PACKAGES:
        for dirpath, dirnames, _files in os.walk(os.path.join(PROJECT_ROOT, pkg)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            if os.path.basename(dirpath) == "translations":
                found.append(dirpath)
                dirnames[:] = []
    return sorted(found)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.path.join(PROJECT_ROOT, "instance"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())

    _init_extensions(app)
    _register_core(app)
    for name in CORE_FEATURES + PLUGGED_PACKAGES:
        importlib.import_module(name).init_app(app)
    _register_error_pages(app)
    return app


def _init_extensions(app: Flask) -> None:
    from flask_babel import refresh as refresh_locale

    from .i18n import select_locale, share_form_translations

    db.init_app(app)
    from .schema import include_object

    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"), render_as_batch=True,
                     compare_type=True, include_object=include_object)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel remembers the locale on `g`, which outlives a request when an app context is already
    # pushed (a test, a CLI command making requests): choose again for every request.
    app.before_request(refresh_locale)
    app.before_request(share_form_translations)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please log in to see this page.")


def _register_core(app: Flask) -> None:
    from . import cli, core, models  # noqa: F401  (models: every table known to migrations)
    from .accounts import api as accounts_api, routes as accounts_routes
    from .accounts.services import load_user
    from .templating import register_template_helpers

    login_manager.user_loader(load_user)
    app.register_blueprint(core.bp)
    app.register_blueprint(accounts_routes.bp)
    app.register_blueprint(accounts_api.bp)
    cli.register(app)
    register_template_helpers(app)


def _register_error_pages(app: Flask) -> None:
    from .api_support import json_error

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    for status, message in ((400, "Bad request"), (403, "You cannot see this page"), (404, "Page not found"),
                            (405, "Method not allowed"), (413, "The file is too large"),
                            (429, "Too many attempts; wait a minute and try again"),
                            (500, "Something went wrong on our side")):
        def handler(exc, status=status, message=message):
            if wants_json():
                code = {401: "authentication_failed", 429: "rate_limited"}.get(status, "http_%d" % status)
                type_ = "api_error" if status >= 500 else "invalid_request_error"
                return json_error(status, getattr(exc, "description", None) or message, type_=type_, code=code)
            return render_template("error.html", status=status, message=message), status

        app.register_error_handler(status, handler)
