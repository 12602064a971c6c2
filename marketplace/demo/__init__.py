"""The demo town generator: `flask demo seed`."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
