"""The merchant back office: shop profile, products, stock ledger, CSV, dashboard."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
