"""One merchant as the credit officer sees it: the decision's working, trends, loans, alerts, actions."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from financing.credit.features import daily_sales
from financing.credit.models import CreditDecision, CreditLine, Loan, Repayment
from marketplace.catalog.models import Shop
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.statemachine import utcnow
from merchants.purchasing.models import PurchaseOrder, PurchaseOrderStatus, SupplierInvoice

from .models import Alert, OfficerAction

TREND_WEEKS = 26
DECISIONS_SHOWN = 12
_NOT_BOUGHT = (PurchaseOrderStatus.draft, PurchaseOrderStatus.rejected, PurchaseOrderStatus.cancelled)


def shop_by_public_id(public_id: str) -> Shop:
    shop = db.session.scalars(select(Shop).where(Shop.public_id == public_id)).first()
    if shop is None:
        raise NotFound("No such merchant.", param="shop")
    return shop


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_trends(shop_id: int, now: datetime | None = None, weeks: int = TREND_WEEKS) -> list[dict]:
    """Sales and supplier purchases per week (Monday first), oldest first, empty weeks included."""
    now = now or utcnow()
    first = _week_start(now.date()) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, datetime.min.time(), now.tzinfo)
    series = {first + timedelta(weeks=i): {"sales_amount": 0, "purchases_amount": 0} for i in range(weeks)}
    for day, amount in daily_sales(shop_id, since, now).items():
        series[_week_start(day)]["sales_amount"] += amount
    for created, amount in db.session.execute(
            select(PurchaseOrder.submitted_at, PurchaseOrder.total_amount)
            .where(PurchaseOrder.buyer_shop_id == shop_id, PurchaseOrder.submitted_at >= since,
                   PurchaseOrder.status.not_in(_NOT_BOUGHT))).all():
        week = _week_start(created.date())
        if week in series:
            series[week]["purchases_amount"] += amount
    return [{"week": week.isoformat(), **values} for week, values in sorted(series.items())]


def lender_profile(shop_id: int) -> dict:
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("No such merchant.", param="shop")
    decisions = list(db.session.scalars(
        select(CreditDecision).where(CreditDecision.shop_id == shop_id)
        .order_by(CreditDecision.as_of.desc(), CreditDecision.id.desc()).limit(DECISIONS_SHOWN)))
    loans = list(db.session.scalars(select(Loan).where(Loan.shop_id == shop_id).order_by(Loan.drawn_at.desc())))
    repayments = list(db.session.scalars(
        select(Repayment).where(Repayment.shop_id == shop_id).order_by(Repayment.created_at.desc()).limit(50)))
    line = db.session.scalars(select(CreditLine).where(CreditLine.shop_id == shop_id)
                              .order_by(CreditLine.id.desc())).first()
    invoices_open = db.session.execute(
        select(func.count(SupplierInvoice.id), func.coalesce(func.sum(SupplierInvoice.amount), 0))
        .where(SupplierInvoice.buyer_shop_id == shop_id, SupplierInvoice.status == "open")).one()
    return {
        "shop": shop,
        "latest": decisions[0] if decisions else None,
        "decisions": decisions,
        "line": line,
        "loans": loans,
        "repayments": repayments,
        "trends": weekly_trends(shop_id),
        "open_invoices": {"count": invoices_open[0], "amount": int(invoices_open[1])},
        "alerts": list(db.session.scalars(select(Alert).where(Alert.shop_id == shop_id)
                                          .order_by(Alert.status, Alert.raised_at.desc()))),
        "actions": list(db.session.scalars(select(OfficerAction).where(OfficerAction.shop_id == shop_id)
                                           .order_by(OfficerAction.id.desc()))),
    }
