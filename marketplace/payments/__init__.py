"""Card payments through a Stripe-compatible provider: client, webhooks, reconciliation."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from . import cli

    app.config.setdefault("PAYMENT_CONNECT_TIMEOUT_SECONDS", 3.05)
    app.config.setdefault("PAYMENT_MAX_RETRIES", 3)
    app.config.setdefault("PAYMENT_RETRY_BACKOFF_SECONDS", 0.25)
    cli.register(app)
