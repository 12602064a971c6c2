"""The lender console: loan book, early warning, policy editor, model monitoring."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
