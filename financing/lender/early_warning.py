"""Early-warning rules: which merchants need an officer's eye, and the evidence for each.

Every rule reads the whole town in a handful of grouped queries (not a query per merchant), so
a scan after each rescore or settlement stays cheap at the seed's scale. `findings(now)` only
reads, which lets a back-test ask what the rules would have said on a past day; `scan(now)`
writes: it raises new alerts, refreshes open ones and resolves those whose condition cleared.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from financing.credit.models import CreditDecision, Loan, LoanStatus, aware
from marketplace.catalog.models import Shop, ShopKind
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, Payment, Refund
from marketplace.statemachine import utcnow
from merchants.purchasing.models import InvoiceStatus, SupplierInvoice

from .models import ActionKind, Alert, AlertRule, AlertStatus, OfficerAction, Severity

# Sales collapse: the last week against the average week of the four before it.
RECENT_DAYS = 7
TRAILING_DAYS = 28
COLLAPSE_SHARE = 0.5  # below half of a usual week
SEVERE_COLLAPSE_SHARE = 0.25
# Sales decline: the last four weeks against the average four weeks of the twelve before them.
DECLINE_RECENT_DAYS = 28
DECLINE_BASELINE_DAYS = 84
DECLINE_SHARE = 0.6
SEVERE_DECLINE_SHARE = 0.35
# A drop only counts when so few orders would be improbable for the shop's usual pace (a Poisson
# tail below 1%): a shop with two orders a week often has a quiet one, a shop with forty does not.
IMPROBABLE = 0.01
MIN_USUAL_ORDERS_PER_WEEK = 3
# Refund and cancel spikes: the last two weeks against the last quarter.
SPIKE_DAYS = 14
BASELINE_DAYS = 90
SPIKE_FACTOR = 2.0
SPIKE_MARGIN = 0.05  # and at least five points above the usual rate
SPIKE_MIN_EVENTS = 3
SEVERE_SPIKE_RATE = 0.20
# Supplier invoices: overdue at all is worth a look; a month overdue or three at once is serious.
SEVERE_OVERDUE_DAYS = 30
SEVERE_OVERDUE_COUNT = 3
GRADES = "ABCDE"


def N_(message: str) -> str:
    """Marks a merchant message for the catalogue; pages translate it when they show it."""
    return message

# An officer who resolves an alert has seen it: the same rule stays quiet for this long after.
QUIET_AFTER_OFFICER_DAYS = 14
CLEARED = "The condition cleared at a later scan."


@dataclass(frozen=True)
class Finding:
    shop_id: int
    rule: AlertRule
    severity: Severity
    summary: str
    merchant_message: str
    evidence: dict = field(default_factory=dict)


def _sold_amount(since, until):
    in_window = and_(Order.placed_at >= since, Order.placed_at < until, Order.status == OrderStatus.completed)
    return func.coalesce(func.sum(case((in_window, Order.total_amount), else_=0)), 0)


def _sold_count(since, until):
    in_window = and_(Order.placed_at >= since, Order.placed_at < until, Order.status == OrderStatus.completed)
    return func.coalesce(func.sum(case((in_window, 1), else_=0)), 0)


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean)."""
    if mean <= 0:
        return 1.0
    term = total = math.exp(-mean)
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return min(1.0, total)


@dataclass(frozen=True)
class _Drop:
    shop_id: int
    share: float  # recent sales as a share of the usual for the same length
    recent_amount: int
    usual_amount: int


def _sales_drops(now: datetime, recent_days: int, baseline_days: int, below_share: float) -> list[_Drop]:
    """Shops whose completed sales in the last `recent_days` fell below `below_share` of their usual
    pace over the `baseline_days` before, improbably so for their number of orders."""
    recent_start = now - timedelta(days=recent_days)
    base_start = recent_start - timedelta(days=baseline_days)
    rows = db.session.execute(
        select(Order.shop_id, _sold_count(base_start, recent_start), _sold_amount(base_start, recent_start),
               _sold_count(recent_start, now), _sold_amount(recent_start, now))
        .where(Order.placed_at >= base_start, Order.placed_at < now)
        .group_by(Order.shop_id)
    ).all()
    scale = recent_days / baseline_days
    drops = []
    for shop_id, base_n, base_amount, recent_n, recent_amount in rows:
        usual_n, usual_amount = base_n * scale, base_amount * scale
        if base_n * 7 / baseline_days < MIN_USUAL_ORDERS_PER_WEEK or not usual_amount:
            continue
        share = recent_amount / usual_amount
        if share < below_share and poisson_cdf(int(recent_n), usual_n) < IMPROBABLE:
            drops.append(_Drop(shop_id, share, int(recent_amount), int(round(usual_amount))))
    return drops


def _sales_collapse(now: datetime) -> list[Finding]:
    return [Finding(
        d.shop_id, AlertRule.sales_collapse,
        Severity.high if d.share < SEVERE_COLLAPSE_SHARE else Severity.medium,
        f"Sales last week were {d.share:.0%} of a usual week",
        N_("Your sales this past week were much lower than in the weeks before. If something has "
        "happened at the shop, tell us: we can adjust your repayments."),
        {"last_week_amount": d.recent_amount, "usual_week_amount": d.usual_amount,
         "share_of_usual": round(d.share, 3), "window_days": RECENT_DAYS, "baseline_days": TRAILING_DAYS},
    ) for d in _sales_drops(now, RECENT_DAYS, TRAILING_DAYS, COLLAPSE_SHARE)]


def _sales_decline(now: datetime) -> list[Finding]:
    return [Finding(
        d.shop_id, AlertRule.sales_decline,
        Severity.high if d.share < SEVERE_DECLINE_SHARE else Severity.medium,
        f"Sales over four weeks were {d.share:.0%} of the usual pace",
        N_("Your sales over the last month have fallen well below the months before. Talk to us early: "
        "a payment plan costs you less than missed repayments."),
        {"last_four_weeks_amount": d.recent_amount, "usual_four_weeks_amount": d.usual_amount,
         "share_of_usual": round(d.share, 3), "window_days": DECLINE_RECENT_DAYS,
         "baseline_days": DECLINE_BASELINE_DAYS},
    ) for d in _sales_drops(now, DECLINE_RECENT_DAYS, DECLINE_BASELINE_DAYS, DECLINE_SHARE)]


def _spikes(now: datetime) -> list[Finding]:
    """Refund and cancel rates of the last two weeks against each merchant's own quarter."""
    spike_start = now - timedelta(days=SPIKE_DAYS)
    base_start = now - timedelta(days=BASELINE_DAYS)

    def counted(since, statuses):
        cond = and_(Order.placed_at >= since, Order.status.in_(statuses))
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    ended = (OrderStatus.completed, OrderStatus.cancelled, OrderStatus.rejected)
    unsold = (OrderStatus.cancelled, OrderStatus.rejected)
    order_rows = db.session.execute(
        select(Order.shop_id, counted(spike_start, ended), counted(spike_start, unsold),
               counted(base_start, ended), counted(base_start, unsold),
               _sold_amount(spike_start, now), _sold_amount(base_start, now))
        .where(Order.placed_at >= base_start, Order.placed_at < now)
        .group_by(Order.shop_id)
    ).all()
    refund_in = lambda since: func.coalesce(func.sum(case((Refund.created_at >= since, Refund.amount), else_=0)), 0)  # noqa: E731
    refund_n = lambda since: func.coalesce(func.sum(case((Refund.created_at >= since, 1), else_=0)), 0)  # noqa: E731
    refunds = {
        shop_id: (n_recent, recent, base)
        for shop_id, n_recent, recent, base in db.session.execute(
            select(Order.shop_id, refund_n(spike_start), refund_in(spike_start), refund_in(base_start))
            .join(Payment, Payment.order_id == Order.id).join(Refund, Refund.payment_id == Payment.id)
            .where(Refund.created_at >= base_start, Refund.created_at < now)
            .group_by(Order.shop_id)
        ).all()
    }
    found = []
    for shop_id, n_recent, unsold_recent, n_base, unsold_base, sold_recent, sold_base in order_rows:
        if unsold_recent >= SPIKE_MIN_EVENTS and n_recent:
            found += _spike(
                shop_id, AlertRule.cancel_spike, unsold_recent / n_recent, unsold_base / max(n_base, 1),
                "{rate:.0%} of orders cancelled or rejected in two weeks (usually {usual:.0%})",
                N_("Many of your recent orders were cancelled or turned down. If you are short of "
                   "stock or staff, tell us: we can help."),
                {"recent_cancelled": int(unsold_recent), "recent_orders": int(n_recent)})
        n_refunds, refunded_recent, refunded_base = refunds.get(shop_id, (0, 0, 0))
        if n_refunds >= SPIKE_MIN_EVENTS and sold_recent:
            found += _spike(
                shop_id, AlertRule.refund_spike, refunded_recent / sold_recent, refunded_base / max(sold_base, 1),
                "Refunds were {rate:.0%} of sales in two weeks (usually {usual:.0%})",
                N_("You refunded a larger share of your sales than usual in the last two weeks. "
                   "If there is a problem with a product or a supplier, tell us."),
                {"recent_refunds": int(n_refunds), "recent_refunded_amount": int(refunded_recent)})
    return found


def _spike(shop_id: int, rule: AlertRule, rate: float, usual: float, summary: str, message: str,
           counts: dict) -> list[Finding]:
    """A finding when the last two weeks' rate stands well above the shop's own usual rate."""
    if not _is_spike(rate, usual):
        return []
    evidence = {"recent_rate": round(rate, 3), "usual_rate": round(usual, 3), **counts,
                "window_days": SPIKE_DAYS, "baseline_days": BASELINE_DAYS}
    return [Finding(shop_id, rule, _spike_severity(rate), summary.format(rate=rate, usual=usual), message,
                    evidence)]


def _is_spike(rate: float, usual: float) -> bool:
    return rate >= SPIKE_FACTOR * usual and rate >= usual + SPIKE_MARGIN


def _spike_severity(rate: float) -> Severity:
    return Severity.high if rate >= SEVERE_SPIKE_RATE else Severity.medium


def _missed_minimum(now: datetime) -> list[Finding]:
    planned = _shops_with_payment_plan(now)
    rows = db.session.execute(
        select(Loan.shop_id, func.max(Loan.days_past_due), func.count(Loan.id),
               func.sum(Loan.total_amount - Loan.repaid_amount - Loan.written_off_amount))
        .where(Loan.status == LoanStatus.delinquent, Loan.days_past_due > 0, Loan.drawn_at < now)
        .group_by(Loan.shop_id)
    ).all()
    found = []
    for shop_id, dpd, loans, outstanding in rows:
        if shop_id in planned:
            continue
        found.append(Finding(
            shop_id, AlertRule.missed_minimum, Severity.high if dpd > 30 else Severity.medium,
            f"Missed the minimum repayment: {dpd} days past due on {loans} loan(s)",
            N_("Your sales did not cover the minimum repayment of the last period. Pay early from "
            "your balance, or talk to us about a payment plan."),
            {"days_past_due": int(dpd), "loans": int(loans), "outstanding_amount": int(outstanding or 0)},
        ))
    return found


def _shops_with_payment_plan(now: datetime) -> set[int]:
    """Merchants an officer agreed a payment plan with that still runs: no missed-minimum alert."""
    plans = db.session.execute(
        select(OfficerAction.shop_id, OfficerAction.details)
        .where(OfficerAction.kind == ActionKind.payment_plan, OfficerAction.created_at <= now)
    ).all()
    return {shop_id for shop_id, details in plans if (details or {}).get("until", "") >= now.date().isoformat()}


def _unpaid_supplier_invoices(now: datetime) -> list[Finding]:
    rows = db.session.execute(
        select(SupplierInvoice.buyer_shop_id, func.count(SupplierInvoice.id), func.sum(SupplierInvoice.amount),
               func.min(SupplierInvoice.due_at))
        .where(SupplierInvoice.due_at < now, SupplierInvoice.issued_at < now,
               (SupplierInvoice.status == InvoiceStatus.open)
               | and_(SupplierInvoice.status == InvoiceStatus.paid, SupplierInvoice.paid_at > now))
        .group_by(SupplierInvoice.buyer_shop_id)
    ).all()
    found = []
    for shop_id, count, amount, oldest_due in rows:
        days = (now - aware(oldest_due)).days
        serious = days > SEVERE_OVERDUE_DAYS or count >= SEVERE_OVERDUE_COUNT
        found.append(Finding(
            shop_id, AlertRule.unpaid_supplier_invoices, Severity.high if serious else Severity.medium,
            f"{count} supplier invoice(s) overdue, the oldest by {days} days",
            N_("Some of your supplier invoices are past their due date. Paying suppliers on time keeps "
            "your credit limit where it is."),
            {"overdue_invoices": int(count), "overdue_amount": int(amount or 0), "oldest_days_overdue": days},
        ))
    return found


def _score_drop(now: datetime) -> list[Finding]:
    ranked = (
        select(CreditDecision.shop_id, CreditDecision.grade, CreditDecision.score, CreditDecision.as_of,
               func.row_number().over(partition_by=CreditDecision.shop_id,
                                      order_by=(CreditDecision.as_of.desc(), CreditDecision.id.desc())).label("n"))
        .where(CreditDecision.as_of <= now)
        .subquery()
    )
    latest: dict[int, dict] = {}
    for shop_id, grade, score, as_of, n in db.session.execute(select(ranked).where(ranked.c.n <= 2)).all():
        latest.setdefault(shop_id, {})[n] = (grade, score, as_of)
    found = []
    for shop_id, pair in latest.items():
        if 1 not in pair or 2 not in pair:
            continue
        (now_grade, now_score, _), (was_grade, was_score, was_at) = pair[1], pair[2]
        steps = GRADES.index(now_grade) - GRADES.index(was_grade)
        if steps <= 1:
            continue
        found.append(Finding(
            shop_id, AlertRule.score_drop, Severity.high if steps >= 3 else Severity.medium,
            f"Grade fell from {was_grade} to {now_grade} (score {was_score} to {now_score})",
            N_("Your recent sales history lowered your credit grade. Steady sales and on-time "
            "supplier payments bring it back up."),
            {"from_grade": was_grade, "to_grade": now_grade, "from_score": int(was_score),
             "to_score": int(now_score), "previous_decision_at": aware(was_at).isoformat()},
        ))
    return found


RULES = (_sales_collapse, _sales_decline, _spikes, _missed_minimum, _unpaid_supplier_invoices, _score_drop)



def findings(now: datetime | None = None) -> list[Finding]:
    """What every rule says about every retail merchant at `now`, without writing anything."""
    now = aware(now or utcnow())
    retail = set(db.session.scalars(select(Shop.id).where(Shop.kind == ShopKind.retail)))
    return [f for rule in RULES for f in rule(now) if f.shop_id in retail]


@dataclass
class ScanResult:
    raised: int = 0
    refreshed: int = 0
    resolved: int = 0


def scan(now: datetime | None = None) -> ScanResult:
    """Bring the open alerts in line with what the rules say now, in one transaction."""
    now = aware(now or utcnow())
    result = ScanResult()
    firing = {(f.shop_id, f.rule): f for f in findings(now)}
    open_alerts = {(a.shop_id, a.rule): a for a in db.session.scalars(
        select(Alert).where(Alert.status == AlertStatus.open))}
    seen_by_officer = set(db.session.execute(
        select(Alert.shop_id, Alert.rule).where(
            Alert.status == AlertStatus.resolved, Alert.resolution != CLEARED,
            Alert.resolved_at >= now - timedelta(days=QUIET_AFTER_OFFICER_DAYS))).tuples())
    for key, finding in firing.items():
        alert = open_alerts.get(key)
        if alert is None and key in seen_by_officer:
            continue
        if alert is None:
            db.session.add(Alert(shop_id=finding.shop_id, rule=finding.rule, severity=finding.severity,
                                 summary=finding.summary, merchant_message=finding.merchant_message,
                                 evidence=finding.evidence, raised_at=now, last_seen_at=now))
            result.raised += 1
        else:
            alert.severity, alert.summary, alert.evidence = finding.severity, finding.summary, finding.evidence
            alert.merchant_message, alert.last_seen_at = finding.merchant_message, now
            result.refreshed += 1
    for key, alert in open_alerts.items():
        if key not in firing:
            alert.resolve(CLEARED, at=now)
            result.resolved += 1
    db.session.commit()
    return result
