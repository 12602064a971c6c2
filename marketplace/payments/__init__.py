"""Card payments through a Stripe-compatible provider: client, webhooks, reconciliation."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from . import cli, models, webhooks  # noqa: F401  (models: the webhook events table)

    app.register_blueprint(webhooks.bp)
    cli.register(app)
