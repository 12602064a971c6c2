"""A merchant's back office: shop, inventory, orders to fulfil, suppliers, purchasing."""
import importlib

from flask import Flask

FEATURES = ("merchants.backoffice", "merchants.fulfilment", "merchants.purchasing")


def init_app(app: Flask) -> None:
    """Register each feature's models, blueprints and commands."""
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
