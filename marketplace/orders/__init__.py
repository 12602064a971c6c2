"""Residents' orders, from placement to completion, and how they were paid."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the resident order pages, the order API, the `flask orders` commands and their nav links."""
    from flask_babel import lazy_gettext as _l

    from ..web import register_nav
    from . import api, cli, models, routes  # noqa: F401  (models: tables known to migrations and create_all)

    app.register_blueprint(routes.bp)
    if "orders" not in app.cli.commands:
        app.cli.add_command(cli.orders_cli)
    app.register_blueprint(api.bp)
    register_nav("resident", "orders.my_orders", _l("My orders"))
