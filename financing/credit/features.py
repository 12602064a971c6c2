"""Features of a merchant's own history as it stood at a cut-off: nothing after the cut-off is read."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import DateTime, Integer, and_, bindparam, case, func, select

from marketplace.catalog.models import Shop
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, Payment, Refund

# Orders that became sales (completed) and orders that never did (cancelled or rejected).
_SOLD = (OrderStatus.completed,)
_UNSOLD = (OrderStatus.cancelled, OrderStatus.rejected)


@dataclass(frozen=True)
class Features:
    """What the scorecard and the policy read. Amounts are minor units of the shop's currency."""

    currency: str
    tenure_days: int
    sales_30: int
    sales_90: int
    sales_365: int
    sales_prev_90: int  # the 90 days before the last 90: the base of the trend
    trend: float  # sales_90 / sales_prev_90 - 1; 0 when there is no earlier quarter
    volatility: float  # coefficient of variation of daily sales over the last 90 days
    zero_sale_day_share: float  # of the last 90 days the shop was open
    days_since_last_sale: int
    orders_90: int
    average_ticket_90: int
    repeat_customer_share: float  # of last-365-day orders, from residents who ordered more than once
    refund_rate: float  # refunded amount / sales, last 365 days
    cancel_rate: float  # cancelled or rejected orders / all orders, last 365 days
    supplier_invoices: int
    supplier_on_time_share: float | None
    supplier_overdue_count: int
    supplier_overdue: int
    credit_outstanding: int
    credit_days_past_due: int
    credit_loans_charged_off: int

    @property
    def daily_sales_90(self) -> int:
        """Average daily sales over the last 90 days, in minor units (rounded down)."""
        return self.sales_90 // 90

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Features":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _when(value) -> datetime | None:
    """A time from a scalar subquery: SQLite may hand it back as text, naive and in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _aware(value)


def _at(name: str):
    return bindparam(name, type_=DateTime(timezone=True))


@lru_cache(maxsize=1)
def _daily_sales_statement():
    """Completed-order sales per day, built once: a decision runs it with new values only."""
    day = func.date(Order.placed_at)
    return (select(day, func.sum(Order.total_amount))
            .where(Order.shop_id == bindparam("shop_id", type_=Integer), Order.status.in_(_SOLD),
                   Order.placed_at >= _at("since"), Order.placed_at < _at("until"))
            .group_by(day))


def daily_sales(shop_id: int, since: datetime, until: datetime) -> dict[date, int]:
    """Completed-order sales per day, [since, until)."""
    rows = db.session.execute(_daily_sales_statement(), {"shop_id": shop_id, "since": since, "until": until}).all()
    result = {}
    for d, amount in rows:
        d = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        result[d] = int(amount or 0)
    return result


@lru_cache(maxsize=1)
def _order_figures_statement():
    """Every figure from the shop's orders and refunds in one statement, built once.

    A decision's time goes mostly to building and sending statements, not to the database running
    them, so the year's sums, the first order, the last sale, repeat customers and refunds are one
    round trip (the subqueries are not correlated with the outer scan of the year's orders).
    """
    shop_id = bindparam("shop_id", type_=Integer)
    as_of, d365, d180, d90, d30 = (_at(n) for n in ("as_of", "d365", "d180", "d90", "d30"))
    sold = Order.status.in_(_SOLD)
    in_year = and_(Order.shop_id == shop_id, Order.placed_at >= d365, Order.placed_at < as_of)

    def total(condition, value=Order.total_amount):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    first_order = (select(func.min(Order.placed_at)).where(Order.shop_id == shop_id, Order.placed_at < as_of)
                   .correlate(None).scalar_subquery())
    last_sale = (select(func.max(Order.placed_at)).where(Order.shop_id == shop_id, sold, Order.placed_at < as_of)
                 .correlate(None).scalar_subquery())
    per_repeater = (select(func.count(Order.id).label("n")).where(in_year, sold).group_by(Order.resident_id)
                    .having(func.count(Order.id) > 1).correlate(None).subquery())
    repeat_orders = select(func.coalesce(func.sum(per_repeater.c.n), 0)).correlate(None).scalar_subquery()
    refunded = (select(func.coalesce(func.sum(Refund.amount), 0))
                .join(Payment, Refund.payment_id == Payment.id).join(Order, Payment.order_id == Order.id)
                .where(Order.shop_id == shop_id, Refund.created_at >= d365, Refund.created_at < as_of)
                .correlate(None).scalar_subquery())
    return select(
        total(sold),
        total(and_(sold, Order.placed_at >= d180, Order.placed_at < d90)),
        total(and_(sold, Order.placed_at >= d90)),
        total(and_(sold, Order.placed_at >= d30)),
        total(and_(sold, Order.placed_at >= d90), 1),
        func.count(Order.id),
        total(Order.status.in_(_UNSOLD), 1),
        total(sold, 1),
        repeat_orders, refunded, first_order, last_sale,
    ).where(in_year)


def compute_features(shop_id: int, as_of: datetime) -> Features:
    """The merchant's figures at `as_of` (exclusive): usable for any past cut-off, for back-tests."""
    as_of = _aware(as_of)
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise LookupError(f"no shop {shop_id}")
    d90 = as_of - timedelta(days=90)
    row = db.session.execute(_order_figures_statement(), {
        "shop_id": shop_id, "as_of": as_of, "d365": as_of - timedelta(days=365),
        "d180": as_of - timedelta(days=180), "d90": d90, "d30": as_of - timedelta(days=30)}).one()
    (sales_365, sales_prev_90, sales_90, sales_30, orders_90, orders_365, unsold_365, sold_365, repeat_orders,
     refunded) = (int(v or 0) for v in row[:10])
    first_order, last_sale = (_when(v) for v in row[10:])
    opened = min(_aware(shop.created_at), first_order) if first_order else _aware(shop.created_at)
    tenure_days = max(0, (as_of - opened).days)

    # Daily figures over the days of the last 90 the shop existed.
    per_day = daily_sales(shop_id, d90, as_of)
    window_days = max(1, min(90, tenure_days))
    first_day = (as_of - timedelta(days=window_days)).date()
    values = [per_day.get(first_day + timedelta(days=i), 0) for i in range(window_days)]
    mean = sum(values) / len(values)
    if mean > 0:
        variance = sum((v - mean) ** 2 for v in values) / len(values)
        volatility = math.sqrt(variance) / mean
    else:
        volatility = 0.0
    zero_share = sum(1 for v in values if v == 0) / len(values)

    supplier = _supplier_figures(shop_id, as_of)
    credit = _credit_figures(shop_id, as_of)

    return Features(
        currency=shop.currency,
        tenure_days=tenure_days,
        sales_30=sales_30, sales_90=sales_90, sales_365=sales_365, sales_prev_90=sales_prev_90,
        trend=round(sales_90 / sales_prev_90 - 1, 4) if sales_prev_90 > 0 else 0.0,
        volatility=round(volatility, 4),
        zero_sale_day_share=round(zero_share, 4),
        days_since_last_sale=(as_of - last_sale).days if last_sale else tenure_days,
        orders_90=orders_90,
        average_ticket_90=sales_90 // orders_90 if orders_90 else 0,
        repeat_customer_share=round(repeat_orders / sold_365, 4) if sold_365 else 0.0,
        refund_rate=round(refunded / sales_365, 4) if sales_365 else 0.0,
        cancel_rate=round(unsold_365 / orders_365, 4) if orders_365 else 0.0,
        **supplier, **credit,
    )


def _supplier_figures(shop_id: int, as_of: datetime) -> dict:
    from merchants.purchasing.services import purchase_summary

    summary = purchase_summary(shop_id, as_of=as_of)
    share = summary["on_time_share"]
    return {
        "supplier_invoices": summary["invoices"],
        "supplier_on_time_share": round(float(share), 4) if share is not None else None,
        "supplier_overdue_count": summary["overdue_count"],
        "supplier_overdue": summary["overdue"].amount,
    }


@lru_cache(maxsize=1)
def _credit_figures_statement():
    from .models import Loan, LoanStatus

    open_loan = Loan.status.in_(LoanStatus.open_states())
    return select(
        func.coalesce(func.sum(case((open_loan, Loan.total_amount - Loan.repaid_amount - Loan.written_off_amount),
                                    else_=0)), 0),
        func.coalesce(func.max(case((open_loan, Loan.days_past_due), else_=0)), 0),
        func.coalesce(func.sum(case((Loan.status == LoanStatus.charged_off, 1), else_=0)), 0),
    ).where(Loan.shop_id == bindparam("shop_id", type_=Integer), Loan.drawn_at < _at("as_of"))


def _credit_figures(shop_id: int, as_of: datetime) -> dict:
    """What the merchant owes on its credit line now and how it has repaid (zero before any draw)."""
    outstanding, dpd, charged_off = db.session.execute(_credit_figures_statement(),
                                                       {"shop_id": shop_id, "as_of": as_of}).one()
    return {"credit_outstanding": int(outstanding), "credit_days_past_due": int(dpd),
            "credit_loans_charged_off": int(charged_off)}
