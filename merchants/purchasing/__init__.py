"""Suppliers and purchasing: wholesale catalogue, purchase orders, receipts, supplier invoices."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
