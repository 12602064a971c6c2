"""Search use cases: check what a resident asks, run it on the app's backend, describe the hits."""
from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select

from ..catalog.models import Product, Shop
from ..extensions import db
from ..i18n import translate as _
from .backend import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, SORTS, TYPES, SearchPage, SearchQuery, get_backend
from .categories import CATEGORY_NAMES
from .errors import ValidationError
from .geo import distance_km
from .hours import is_open_at, minute_of_week
from .text import query_terms

MAX_QUERY_LENGTH = 100
MAX_OFFSET = 1000  # deeper than any resident pages; keeps a crafted token from costing a full scan


@dataclass
class SearchResults:
    hits: list[dict]
    has_more: bool
    next_page: str | None
    facets: dict[str, int]
    query: SearchQuery


def _number(raw, name: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("'%(name)s' must be a number.", name=name), param=name) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValidationError(_("'%(name)s' must be between %(low)s and %(high)s.", name=name, low=f"{low:g}",
                                high=f"{high:g}"), param=name)
    return value


def _not_one_of(name: str, choices) -> ValidationError:
    return ValidationError(_("'%(name)s' must be one of: %(choices)s.", name=name, choices=", ".join(choices)),
                           param=name)


def parse_flag(raw, name: str) -> bool:
    if raw in (None, "", "0", "false", "no", "off", False):
        return False
    if raw in ("1", "true", "yes", "on", True):
        return True
    raise ValidationError(_("'%(name)s' must be true or false.", name=name), param=name)


def encode_page(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_page(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _colon, number = raw.partition(":")
        offset = int(number)
        if prefix != "o" or not 0 <= offset <= MAX_OFFSET:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(_("'page' is not a page token from a previous answer."), param="page") from None
    return offset


def build_query(*, q: str | None = None, lat=None, lon=None, radius_km=None, category: str | None = None,
                type: str | None = None, open_now=None, delivers=None, sort: str | None = None,
                limit=None, page: str | None = None, facets: bool = False,
                now: datetime | None = None) -> SearchQuery:
    """A SearchQuery from raw values (strings from a form or query string), or a ValidationError naming the field."""
    q = (q or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise ValidationError(_("'q' can be at most %(count)s characters.", count=MAX_QUERY_LENGTH), param="q")
    if lat in (None, "") or lon in (None, ""):
        raise ValidationError(_("Give the point to search around as 'lat' and 'lon'."),
                              param="lat" if lat in (None, "") else "lon", code="parameter_missing")
    lat_f = _number(lat, "lat", -90, 90)
    lon_f = _number(lon, "lon", -180, 180)
    radius = DEFAULT_RADIUS_KM if radius_km in (None, "") else _number(radius_km, "radius_km", 0.1, MAX_RADIUS_KM)
    category = (category or "").strip() or None
    if category is not None and category not in CATEGORY_NAMES:
        raise _not_one_of("category", CATEGORY_NAMES)
    type = (type or "all").strip()
    if type not in TYPES:
        raise _not_one_of("type", TYPES)
    sort = (sort or "relevance").strip()
    if sort not in SORTS:
        raise _not_one_of("sort", SORTS)
    if limit in (None, ""):
        limit_n = 20
    else:
        try:
            limit_n = int(limit)
        except (TypeError, ValueError):
            limit_n = 0
        if not 1 <= limit_n <= 100:
            raise ValidationError(_("'limit' must be a whole number from 1 to 100."), param="limit")
    moment = now or datetime.now(timezone.utc)
    return SearchQuery(
        lat=lat_f, lon=lon_f, radius_km=radius, terms=query_terms(q), category=category, type=type,
        open_now=parse_flag(open_now, "open_now"), delivers=parse_flag(delivers, "delivers"), sort=sort,
        limit=limit_n, offset=decode_page(page), facets=facets,
        minute_of_week=minute_of_week(moment, current_app.config["BABEL_DEFAULT_TIMEZONE"]),
    )


def search_nearby(query: SearchQuery) -> SearchResults:
    """Run the query on the configured backend; hits carry live prices, stock and opening state."""
    page: SearchPage = get_backend().search(query)
    shop_ids = {h.shop_id for h in page.hits}
    product_ids = {h.product_id for h in page.hits if h.product_id}
    shops = {s.id: s for s in db.session.execute(select(Shop).where(Shop.id.in_(shop_ids))).scalars()} if shop_ids else {}
    products = ({p.id: p for p in db.session.execute(select(Product).where(Product.id.in_(product_ids))).scalars()}
                if product_ids else {})
    hits = []
    for hit in page.hits:
        shop = shops.get(hit.shop_id)
        product = products.get(hit.product_id) if hit.product_id else None
        if shop is None or (hit.product_id and product is None):
            continue  # deleted since the index saw it; the outbox will catch up
        hits.append(describe_hit(hit.kind, shop, product, query))
    next_offset = query.offset + query.limit
    has_more = page.has_more and next_offset <= MAX_OFFSET
    return SearchResults(hits=hits, has_more=has_more, next_page=encode_page(next_offset) if has_more else None,
                         facets=page.facets, query=query)


def shop_open_now(shop: Shop, minute: int) -> bool:
    return bool(shop.is_open) and is_open_at(shop.opening_hours, minute)


def describe_hit(kind: str, shop: Shop, product: Product | None, query: SearchQuery) -> dict:
    distance = distance_km(query.lat, query.lon, shop.latitude, shop.longitude)
    delivers = bool(shop.delivery_enabled) and distance <= (shop.delivery_radius_km or 0)
    return {
        "object": "search_result",
        "type": kind,
        "distance_km": round(distance, 3),
        "shop": {
            "id": shop.public_id,
            "object": "shop",
            "name": shop.name,
            "category": shop.category,
            "address": shop.address,
            "url": f"/shops/{shop.public_id}",
            "open_now": shop_open_now(shop, query.minute_of_week),
            "delivers_to_you": delivers,
            "pickup": bool(shop.pickup_enabled),
            "delivery_fee": shop.delivery_fee.to_json(),
            "minimum_order": shop.minimum_order.to_json(),
        },
        "product": None if product is None else {
            "id": product.public_id,
            "object": "product",
            "name": product.name,
            "name_en": product.name_en,
            "category": product.category,
            "unit": product.unit,
            "price": product.price.to_json(),
            "in_stock": product.stock_on_hand > 0,
        },
    }


def user_location(user) -> tuple[float, float] | None:
    """A resident's saved point, when they have one."""
    if user is not None and getattr(user, "latitude", None) is not None and getattr(user, "longitude", None) is not None:
        return user.latitude, user.longitude
    return None
