"""The residents' search page: words, filters and results with distance, open now and delivery."""
from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from .backend import DEFAULT_RADIUS_KM
from .categories import CATEGORY_LABELS
from .errors import SearchUnavailable, ValidationError
from . import services

bp = Blueprint("search", __name__)


def _centre() -> tuple[str | None, str | None, str]:
    """Where to search around: the point in the link, the resident's saved address, or the town centre."""
    lat, lon = request.args.get("lat"), request.args.get("lon")
    if lat not in (None, "") or lon not in (None, ""):
        return lat, lon, "point"
    saved = services.user_location(current_user if current_user.is_authenticated else None)
    if saved:
        return str(saved[0]), str(saved[1]), "saved"
    return str(current_app.config["SEARCH_DEFAULT_LAT"]), str(current_app.config["SEARCH_DEFAULT_LON"]), "town"


@bp.get("/search")
def search_page():
    args = request.args
    lat, lon, centre = _centre()
    results, error, status = None, None, 200
    try:
        query = services.build_query(
            q=args.get("q"), lat=lat, lon=lon, radius_km=args.get("radius_km"), category=args.get("category"),
            type=args.get("type"), open_now=args.get("open_now"), delivers=args.get("delivers"),
            sort=args.get("sort"), page=args.get("page"), limit=20, facets=True)
        results = services.search_nearby(query)
    except ValidationError as exc:
        error, status = exc, 400
    except SearchUnavailable:
        error, status = SearchUnavailable(_("Search is not available right now. Please try again in a minute.")), 503
    return render_template(
        "search/search.html", results=results, error=error, args=args, lat=lat, lon=lon, centre=centre,
        categories=CATEGORY_LABELS, radius_default=DEFAULT_RADIUS_KM,
    ), status
