"""The merchant is told too: open early-warning alerts, in plain words, on the merchant dashboard."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from marketplace.extensions import db

from .models import Alert, AlertStatus


def render_alerts_panel(shop) -> Markup | None:
    alerts = list(db.session.scalars(
        select(Alert).where(Alert.shop_id == shop.id, Alert.status == AlertStatus.open).order_by(Alert.raised_at)))
    if not alerts:
        return None
    return Markup(render_template("lender/_merchant_panel.html", alerts=alerts))
