"""The merchant back office: shop profile, products, stock ledger, CSV, dashboard."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from marketplace.config import env_int, env_str


def init_app(app: Flask) -> None:
    """Register this feature's models, blueprints, commands and nav links."""
    from marketplace.web import ROLE_HOMES, register_nav

    from marketplace.openapi import register_schema

    from . import api, media, routes

    app.config.setdefault("BACKOFFICE_MAX_IMAGE_BYTES", env_int("BACKOFFICE_MAX_IMAGE_BYTES", 5 * 1024 * 1024))
    # The map on which a merchant picks the shop's location: any XYZ tile server (the phone loads the tiles).
    app.config.setdefault("MAP_TILE_URL", env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"))
    app.config.setdefault("MAP_TILE_ATTRIBUTION", env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap"))
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.media_bp)
    app.register_blueprint(api.bp)
    for name, schema in api.SCHEMAS.items():
        register_schema(name, schema)
    register_nav("merchant", "backoffice.dashboard", _l("My shop"))
    register_nav("merchant", "backoffice.products", _l("Products"))
    register_nav("supplier", "backoffice.products", _l("Products"))
    ROLE_HOMES.setdefault("merchant", "backoffice.dashboard")

    from .wording import localise

    # A refusal or CSV error in the merchant's language (see wording.py).
    app.add_template_filter(localise, "localise")

    @app.template_global()
    def field_label(param: str) -> str:
        """What a form field or CSV column ("price") is called in the page's language."""
        from .wording import field_name

        return localise(field_name(param))

    @app.template_global()
    def category_label(slug: str) -> str:
        from marketplace.search.categories import CATEGORY_LABELS

        return str(CATEGORY_LABELS.get(slug, slug))

    @app.template_global()
    def media_url(path: str | None, thumb: bool = False) -> str | None:
        """The address of a stored logo or photo (its thumbnail with thumb=True), or None."""
        from flask import url_for

        if not path:
            return None
        return url_for("media.uploaded", filename=media.thumbnail_path(path) if thumb else path)
