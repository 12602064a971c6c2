"""Money: ledger, settlement, payouts, credit scoring, offers, loans, and the lender console."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's models, blueprints and commands."""
