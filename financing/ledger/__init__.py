"""The double-entry ledger: accounts, entries, settlement, payouts, statements, reconcile."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from . import models  # noqa: F401  (tables known to create_all and migrations)
    from .guards import register_guards
    from .receivers import connect

    register_guards()
    connect()
    from flask_babel import lazy_gettext as _l

    from marketplace.web import register_dashboard_panel, register_nav

    from . import api, cli, routes

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    for role in ("merchant", "supplier"):
        register_nav(role, "ledger.money", _l("Money"))
    register_dashboard_panel(routes.money_panel)
    cli.register(app)
    _register_demo_hook()


def _register_demo_hook() -> None:
    from marketplace.demo.hooks import register_seed_hook

    from .demo import post_demo_ledger

    # Before credit (which reads balances and settlements) and the other areas' hooks.
    register_seed_hook("ledger", post_demo_ledger, order=10)
