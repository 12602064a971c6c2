"""The double-entry ledger: accounts, entries, settlement, payouts, statements, reconcile."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
