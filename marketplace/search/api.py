"""GET /api/v1/search: nearby shops and products, paged like Stripe's search API."""
from flask import g, jsonify, request

from ..api_support import api_blueprint
from . import services

bp = api_blueprint("search_api", __name__)


@bp.get("/search")
def search():
    """Find shops and products near a point.
    ---
    get:
      tags: [search]
      summary: Nearby search
      description: >
        Words match Chinese and English names (a Chinese word matches inside longer names; Latin words
        match as prefixes). Without `lat`/`lon` the saved address of the token's user is the centre.
        No token is needed. Pages with `page`, the `next_page` of the previous answer.
      parameters:
        - {name: q, in: query, schema: {type: string, maxLength: 100}, description: words to match}
        - {name: lat, in: query, schema: {type: number, minimum: -90, maximum: 90}}
        - {name: lon, in: query, schema: {type: number, minimum: -180, maximum: 180}}
        - {name: radius_km, in: query, schema: {type: number, minimum: 0.1, maximum: 20, default: 3}}
        - {name: category, in: query, schema: {type: string}, description: a category slug such as fruit}
        - {name: type, in: query, schema: {type: string, enum: [all, product, shop], default: all}}
        - {name: open_now, in: query, schema: {type: boolean, default: false}}
        - {name: delivers, in: query, schema: {type: boolean, default: false},
           description: only shops that deliver to the point}
        - {name: sort, in: query, schema: {type: string, enum: [relevance, distance, price], default: relevance}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
        - {name: page, in: query, schema: {type: string}, description: next_page of the previous answer}
        - {name: facets, in: query, schema: {type: boolean, default: false}, description: count hits per category}
      responses:
        200:
          description: >
            `{object: "search_result", data: [{type, distance_km, shop: {id, name, url, open_now,
            delivers_to_you, ...}, product: {id, name, price: {amount, currency}, in_stock, ...} | null}],
            has_more, next_page, facets}`
        400: {description: a parameter is missing or invalid (the error names it in `param`)}
        503: {description: the search index cannot be reached; the rest of the site keeps working}
    """
    args = request.args
    lat, lon = args.get("lat"), args.get("lon")
    if lat in (None, "") and lon in (None, ""):
        saved = services.user_location(g.get("api_user"))
        if saved:
            lat, lon = saved
    query = services.build_query(
        q=args.get("q"), lat=lat, lon=lon, radius_km=args.get("radius_km"), category=args.get("category"),
        type=args.get("type"), open_now=args.get("open_now"), delivers=args.get("delivers"), sort=args.get("sort"),
        limit=args.get("limit"), page=args.get("page"), facets=services.parse_flag(args.get("facets"), "facets"),
    )
    results = services.search_nearby(query)
    body = {
        "object": "search_result",
        "url": request.path,
        "data": results.hits,
        "has_more": results.has_more,
        "next_page": results.next_page,
    }
    if query.facets:
        body["facets"] = {"category": results.facets}
    return jsonify(body)
