"""What every HTML blueprint shares: role checks, safe redirects, and each role's home page."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlparse

from flask import abort, url_for
from flask_login import current_user, login_required

# Each package registers the endpoint of its home page for a role, e.g. {"merchant": "merchants.dashboard"}.
ROLE_HOMES: dict[str, str] = {}


def role_required(*roles: str):
    """Log-in required, and one of the roles; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def home_for(user) -> str:
    for role in ("lender", "merchant", "supplier", "resident"):
        if user.has_role(role) and role in ROLE_HOMES:
            return url_for(ROLE_HOMES[role])
    return url_for("core.index")


def safe_next_url(target: str | None) -> str | None:
    """Only same-site paths, so a crafted link cannot bounce a fresh login to another site."""
    if not target:
        return None
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# Top-bar links per role: (role, endpoint, lazy label). Packages append theirs in init_app.
NAV_ITEMS: list[tuple[str, str, object]] = []


def register_nav(role: str, endpoint: str, label) -> None:
    if (role, endpoint) not in [(r, e) for r, e, _ in NAV_ITEMS]:
        NAV_ITEMS.append((role, endpoint, label))


def nav_items(user) -> list[dict]:
    seen, items = set(), []
    for role, endpoint, label in NAV_ITEMS:
        if endpoint not in seen and user.has_role(role):
            seen.add(endpoint)
            items.append({"url": url_for(endpoint), "label": str(label)})
    return items


# Panels other features add to the merchant dashboard (the credit offer, supplier invoices due, ...):
# each is a callable taking the shop and returning HTML (Markup) or None when it has nothing to show.
DASHBOARD_PANELS: list = []


def register_dashboard_panel(render) -> None:
    if render not in DASHBOARD_PANELS:
        DASHBOARD_PANELS.append(render)


def dashboard_panels(shop) -> list:
    return [html for html in (render(shop) for render in DASHBOARD_PANELS) if html]
