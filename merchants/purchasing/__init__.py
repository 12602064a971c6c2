"""Suppliers and purchasing: wholesale catalogue, purchase orders, receipts, supplier invoices."""
from flask import Flask

from marketplace.config import env_int, env_str


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from . import models  # noqa: F401  (tables known to migrations and create_all)

    # Markup on cost for a product first created by a receipt, and how far above the low-stock
    # threshold (as a multiple of it) a reorder brings stock back.
    app.config.setdefault("PURCHASING_RETAIL_MARKUP", env_str("PURCHASING_RETAIL_MARKUP", "0.30"))
    app.config.setdefault("PURCHASING_REORDER_TARGET_MULTIPLE", env_int("PURCHASING_REORDER_TARGET_MULTIPLE", 2))
