"""Nearby search behind a SearchBackend interface: SQL by default, Elasticsearch when configured."""
from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register the index tables, the outbox listeners, the API, the page and the commands."""
    from ..signals import catalog_changed
    from ..web import register_nav
    from . import api, cli, ddl, demo, models, outbox, routes

    ddl.listen_for_schema(models.SearchDocument.__table__)
    outbox.listen()
    catalog_changed.connect(outbox.on_catalog_changed, weak=False)
    app.register_blueprint(api.bp, name="search_api")
    app.register_blueprint(routes.bp)
    app.cli.add_command(cli.search_cli)
    register_nav("resident", "search.search_page", _l("Search"))
    demo.register()
