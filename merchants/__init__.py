"""A merchant's back office: shop, inventory, orders to fulfil, suppliers, purchasing."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's models, blueprints and commands."""
