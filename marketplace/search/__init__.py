"""Nearby search behind a SearchBackend interface: SQL by default, Elasticsearch when configured."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
