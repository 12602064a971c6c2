"""The lender console: loan book, early warning, policy editor, model monitoring."""
from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from marketplace.web import ROLE_HOMES, register_dashboard_panel, register_nav

    from . import api, cli, models, routes  # noqa: F401  (models: tables known to migrations and create_all)
    from .merchant_panel import render_alerts_panel

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.lender_cli)
    register_nav("lender", "lender.portfolio_page", _l("Loan book"))
    register_nav("lender", "lender.alerts_page", _l("Early warning"))
    ROLE_HOMES.setdefault("lender", "lender.portfolio_page")
    register_dashboard_panel(render_alerts_panel)
