"""What the merchant dashboard shows: sales today and this week, orders waiting, a daily sales series,
top products, and the low-stock list with the supplier each product last came from.

Sales are read from the orders themselves: what orders placed and not rejected or cancelled came to,
less what was refunded on them, counted by the local day (the site's TIMEZONE) each order was placed.
They need no ledger to be in place, and they agree with it to the fen (tested with real orders,
refunds and settlement).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Order, OrderLine, OrderStatus, Payment, Refund

NOT_SALES = (OrderStatus.rejected, OrderStatus.cancelled)
WAITING = (OrderStatus.placed, OrderStatus.accepted)


def _the_shops(*conditions):
    """Orders that are the shop's: paid, or to be paid in cash (a card order still waiting for the
    bank's check, or whose check failed, is not a sale and not the shop's to act on)."""
    from marketplace.orders.services import FOR_THE_SHOP

    return (FOR_THE_SHOP, *conditions)

# The seam for purchasing: a function taking a product id and returning the supplier it last came from,
# as {"name": ..., "url": ...} (url optional, e.g. a one-click reorder page), or None when it never did.
# Purchasing sets it with `set_last_supplier_lookup` in its init_app; until then the list shows no supplier.
last_supplier_lookup: Callable[[int], dict | None] | None = None


def set_last_supplier_lookup(lookup: Callable[[int], dict | None] | None) -> None:
    global last_supplier_lookup
    last_supplier_lookup = lookup


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(_zone()).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=_zone()).astimezone(timezone.utc)


def _net_amount():
    """An order's total less what was refunded on it (a correlated subquery over its payments' refunds)."""
    refunded = (select(func.coalesce(func.sum(Refund.amount), 0))
                .join(Payment, Payment.id == Refund.payment_id)
                .where(Payment.order_id == Order.id).correlate(Order).scalar_subquery())
    return Order.total_amount - refunded


def _sales_between(shop_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    total, count = db.session.execute(
        select(func.coalesce(func.sum(_net_amount()), 0), func.count(Order.id))
        .where(*_the_shops(Order.shop_id == shop_id, Order.status.not_in(NOT_SALES),
                           Order.placed_at >= start, Order.placed_at < end))).one()
    return int(total), int(count)


@dataclass(frozen=True)
class LowStockLine:
    product: Product
    supplier: dict | None  # from last_supplier_lookup


@dataclass(frozen=True)
class Dashboard:
    today: Money
    today_orders: int
    week: Money
    week_orders: int
    waiting_orders: int
    low_stock: list[LowStockLine]
    top_products: list[dict]
    active_products: int


def low_stock(shop_id: int, *, limit: int = 50) -> list[LowStockLine]:
    """Active products at or below their threshold, and any that ran out, emptiest first."""
    products = db.session.execute(
        select(Product).where(
            Product.shop_id == shop_id, Product.status == ProductStatus.active,
            (Product.stock_on_hand <= 0) | ((Product.low_stock_threshold > 0)
                                            & (Product.stock_on_hand <= Product.low_stock_threshold)))
        .order_by(Product.stock_on_hand, Product.name).limit(limit)).scalars().all()
    lookup = last_supplier_lookup
    return [LowStockLine(p, lookup(p.id) if lookup else None) for p in products]


def top_products(shop_id: int, *, days: int = 30, limit: int = 5) -> list[dict]:
    since = _start_of(local_today() - timedelta(days=days - 1))
    rows = db.session.execute(
        select(OrderLine.product_id, Product.name, Product.public_id,
               func.sum(OrderLine.quantity).label("units"), func.sum(OrderLine.line_total_amount).label("amount"))
        .join(Order, Order.id == OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
        .where(*_the_shops(Order.shop_id == shop_id, Order.status.not_in(NOT_SALES), Order.placed_at >= since))
        .group_by(OrderLine.product_id, Product.name, Product.public_id)
        .order_by(func.sum(OrderLine.line_total_amount).desc()).limit(limit)).all()
    return [{"id": r.public_id, "name": r.name, "units": int(r.units), "amount": int(r.amount)} for r in rows]


def daily_sales(shop_id: int, *, days: int) -> list[dict]:
    """One point per local day for the last `days` days (today included), zero on days with no sales."""
    today = local_today()
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(Order.placed_at, _net_amount())
        .where(*_the_shops(Order.shop_id == shop_id, Order.status.not_in(NOT_SALES),
                           Order.placed_at >= _start_of(first)))
    ).all()
    zone = _zone()
    totals = {first + timedelta(days=i): 0 for i in range(days)}
    for placed_at, amount in rows:
        placed = placed_at if placed_at.tzinfo else placed_at.replace(tzinfo=timezone.utc)
        day = placed.astimezone(zone).date()
        if day in totals:
            totals[day] += amount
    return [{"date": d.isoformat(), "amount": a} for d, a in totals.items()]


def dashboard(shop) -> Dashboard:
    today = local_today()
    start_today = _start_of(today)
    start_week = _start_of(today - timedelta(days=today.weekday()))
    end = _start_of(today + timedelta(days=1))
    today_total, today_orders = _sales_between(shop.id, start_today, end)
    week_total, week_orders = _sales_between(shop.id, start_week, end)
    waiting = db.session.execute(select(func.count(Order.id)).where(
        *_the_shops(Order.shop_id == shop.id, Order.status.in_(WAITING)))).scalar_one()
    active = db.session.execute(select(func.count(Product.id)).where(
        Product.shop_id == shop.id, Product.status == ProductStatus.active)).scalar_one()
    return Dashboard(
        today=Money(today_total, shop.currency), today_orders=today_orders,
        week=Money(week_total, shop.currency), week_orders=week_orders,
        waiting_orders=int(waiting), low_stock=low_stock(shop.id, limit=10),
        top_products=top_products(shop.id), active_products=int(active),
    )
