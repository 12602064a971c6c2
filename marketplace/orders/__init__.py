"""Residents' orders, from placement to completion, and how they were paid."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the resident order pages, the order API and their nav links."""
    from . import models  # noqa: F401  (tables known to migrations and create_all)
