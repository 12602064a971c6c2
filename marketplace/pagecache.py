"""Whole pages kept for visitors who are not logged in, checked against what they show.

A public page such as a shop's storefront looks the same to every visitor who is not logged in, in one
language, until something it shows changes. Such a view names a *stamp*: a cheap function of the
view's arguments whose value changes whenever the page would (one small query, say). The page is
rendered once per address, language and stamp and served from the cache after that, so a busy shop's
page costs a cache lookup instead of its queries and its template.

A kept page is served without reading the stamp again for `PAGE_CACHE_RECHECK_SECONDS` (one second by
default) after it was last read, so a page in demand costs one small query a second at most; a visitor
may see a price or a stock count up to that long after it changed (placing an order checks the stock
again, so nobody can buy what is gone).

Only GET views for visitors who are not logged in and have no message waiting are served from the
cache; anyone logged in, or with a flashed message to read, gets a fresh page. A page that put a CSRF
token in (a form tied to the visitor's session) is never kept. The cache is Flask-Caching's: in each
process by default, shared through Redis when `REDIS_URL` is set.
"""
from __future__ import annotations

import time
from functools import wraps
from typing import Callable

from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from .extensions import cache


def _servable_from_cache() -> bool:
    return request.method == "GET" and not current_user.is_authenticated and not session.get("_flashes")


def _keepable(response: Response) -> bool:
    return response.status_code == 200 and response.mimetype == "text/html" and "csrf_token" not in g


def cached_for_visitors(stamp: Callable[..., object | None]):
    """Serve the view from the cache while `stamp(**view_args)` is unchanged; a stamp of None (nothing
    there, say) always runs the view."""

    def decorator(view):
        @wraps(view)
        def wrapper(**kwargs):
            if not _servable_from_cache():
                return view(**kwargs)
            key = f"page:{request.full_path}:{get_locale()}"
            kept, now = cache.get(key), time.time()
            if kept is not None and now - kept[2] < current_app.config["PAGE_CACHE_RECHECK_SECONDS"]:
                return Response(kept[1], mimetype="text/html")
            current = stamp(**kwargs)
            if current is None:
                return view(**kwargs)
            if kept is not None and kept[0] == current:
                cache.set(key, (current, kept[1], now))
                return Response(kept[1], mimetype="text/html")
            response = make_response(view(**kwargs))
            if _keepable(response):
                cache.set(key, (current, response.get_data(as_text=True), now))
            return response

        return wrapper

    return decorator
