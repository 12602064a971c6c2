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
    _scan_when_the_book_is_refreshed()
    _scan_the_demo_town()


def _scan_when_the_book_is_refreshed() -> None:
    """Early warning runs after every settlement and rescore (financing.signals.book_refreshed)."""
    from financing.signals import book_refreshed

    from .early_warning import scan

    def receive(sender, job: str, as_of=None, **_):
        scan(as_of)

    # A strong reference, connected once: init_app runs for every app a process builds.
    global _receiver
    if _receiver is None:
        _receiver = receive
        book_refreshed.connect(_receiver)


_receiver = None


SEED_HOOK_ORDER = 70  # after credit has replayed the town's loans and made today's offers


def _scan_the_demo_town() -> None:
    """A freshly seeded town opens with its early-warning list already drawn up."""
    from marketplace.demo.hooks import register_seed_hook

    from .early_warning import scan

    def seed_alerts(ctx) -> None:
        result = scan(ctx.end)
        ctx.echo(f"Early warning: {result.raised} alerts raised.")

    register_seed_hook("early_warning", seed_alerts, order=SEED_HOOK_ORDER)
