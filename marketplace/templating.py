"""Jinja filters and globals: money, dates, units and the language switch."""
from flask import Flask
from flask_babel import format_datetime

from .catalog.units import unit_label
from .i18n import current_language
from .money import Money
from .web import nav_items


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("money")
    def money_filter(value, currency: str | None = None):
        if isinstance(value, Money):
            return value.format()
        return Money(int(value or 0), currency or app.config["CURRENCY"]).format()

    @app.template_filter("datetime")
    def datetime_filter(value, fmt: str = "medium"):
        return format_datetime(value, fmt) if value else ""

    app.add_template_filter(unit_label, "unit")

    @app.context_processor
    def inject_globals():
        return {"current_locale": current_language(), "languages": app.config["LANGUAGES"], "nav_items": nav_items}
