"""Suppliers and purchasing: wholesale catalogue, purchase orders, receipts, supplier invoices."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from marketplace.config import env_int, env_str


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from marketplace.web import ROLE_HOMES, register_dashboard_panel, register_nav

    from . import api, models, routes  # noqa: F401  (models: tables known to migrations and create_all)

    # Markup on cost for a product first created by a receipt, and how far above the low-stock
    # threshold (as a multiple of it) a reorder brings stock back.
    app.config.setdefault("PURCHASING_RETAIL_MARKUP", env_str("PURCHASING_RETAIL_MARKUP", "0.30"))
    app.config.setdefault("PURCHASING_REORDER_TARGET_MULTIPLE", env_int("PURCHASING_REORDER_TARGET_MULTIPLE", 2))

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    register_nav("merchant", "purchasing.orders", _l("Purchasing"))
    register_nav("supplier", "purchasing.incoming", _l("Incoming orders"))
    ROLE_HOMES.setdefault("supplier", "purchasing.incoming")
    from .panels import purchasing_panel

    register_dashboard_panel(purchasing_panel)

    from marketplace.demo.hooks import register_seed_hook

    from .demo import seed_purchasing

    register_seed_hook("purchasing", seed_purchasing, order=40)
