"""Credit: features from history, scorecard, policy, offers, draws and repayment."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands, ledger accounts, receivers and panels."""
    from financing.signals import sale_settled

    from . import cli, ledger_accounts, lending, models  # noqa: F401  (models: tables for migrations)

    app.config.setdefault("CREDIT_MODEL_PATH", None)
    ledger_accounts.register_accounts()
    from financing.ledger.reconcile import register_check

    from .reconcile import credit_disagreements

    register_check("credit", credit_disagreements)
    # weak=False: the receiver is a module function, kept for the life of the process either way.
    sale_settled.connect(lending.on_sale_settled, weak=False)
    cli.register(app)
    from .demo import register as register_demo

    register_demo()
    try:
        from . import api, routes
    except ImportError:  # pages and API land after the core
        return
    app.register_blueprint(api.bp)
    routes.init_app(app)
