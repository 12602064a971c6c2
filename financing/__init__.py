"""Money: ledger, settlement, payouts, credit scoring, offers, loans, and the lender console."""
import importlib

from flask import Flask

FEATURES = ("financing.ledger", "financing.credit", "financing.lender")


def init_app(app: Flask) -> None:
    """Register each feature's models, blueprints and commands."""
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
