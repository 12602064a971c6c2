"""The merchant's order inbox: accept, reject, ready, hand over, complete."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
