"""Credit: features from history, scorecard, policy, offers, draws and repayment."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
