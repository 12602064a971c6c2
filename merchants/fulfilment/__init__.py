"""The merchant's order inbox: accept, reject, ready, hand over, complete."""
from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register the inbox pages and the merchant's nav link."""
    from marketplace.web import ROLE_HOMES, register_nav

    from . import routes

    app.register_blueprint(routes.bp)
    register_nav("merchant", "fulfilment.inbox", _l("Orders"))
    ROLE_HOMES.setdefault("merchant", "fulfilment.inbox")
