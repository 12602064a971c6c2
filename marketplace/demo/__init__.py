"""The demo town generator: `flask demo seed`, and the hooks other areas add to it."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the `demo` commands."""
    from .cli import demo_cli

    app.cli.add_command(demo_cli)
