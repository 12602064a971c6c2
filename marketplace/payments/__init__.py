"""Card payments through a Stripe-compatible provider: client, webhooks, reconciliation."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
