"""Credit: features from history, scorecard, policy, offers, draws and repayment."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from . import cli, models  # noqa: F401  (models: tables known to migrations and create_all)

    app.config.setdefault("CREDIT_MODEL_PATH", None)
    cli.register(app)
