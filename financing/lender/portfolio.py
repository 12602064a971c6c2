"""The loan book as a credit officer reads it: exposure, delinquency, losses, vintages, scores.

All figures come from the credit tables (lines, loans, repayments, decisions), whose money
movements are each posted to the ledger in the same transaction; the tests check that the
book's outstanding, fees and losses agree with the ledger's accounts to the minor unit.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from sqlalchemy import func, select

from financing.credit.models import (
    CreditDecision, CreditLine, CreditOffer, LineStatus, Loan, LoanStatus, Repayment, aware, delinquency_bucket,
)
from marketplace.catalog.models import Shop
from marketplace.extensions import db

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
GRADES = ("A", "B", "C", "D", "E")
SCORE_BANDS = ((0, 500), (500, 550), (550, 600), (600, 650), (650, 700), (700, 10_000))


def _month(value: datetime) -> str:
    return value.strftime("%Y-%m")


def _months_between(start: datetime, end: datetime) -> int:
    return (end.year - start.year) * 12 + end.month - start.month



def _loans_with_context() -> list[tuple[Loan, str, str]]:
    """Every loan with the grade of the offer behind its line and the merchant's category."""
    return db.session.execute(
        select(Loan, CreditOffer.grade, Shop.category)
        .join(CreditLine, CreditLine.id == Loan.line_id)
        .join(CreditOffer, CreditOffer.id == CreditLine.offer_id)
        .join(Shop, Shop.id == Loan.shop_id)
    ).tuples().all()


def summary() -> dict:
    """Headline figures, delinquency buckets and the breakdowns by grade and category."""
    lines = db.session.execute(
        select(CreditLine.status, func.count(CreditLine.id), func.coalesce(func.sum(CreditLine.limit_amount), 0))
        .group_by(CreditLine.status)
    ).all()
    live = [(status, n, limit) for status, n, limit in lines if status in (LineStatus.open, LineStatus.frozen)]
    book = _loans_with_context()
    open_loans = [(loan, grade, cat) for loan, grade, cat in book if loan.status in LoanStatus.open_states()]
    drawn = sum(loan.principal_amount for loan, _, _ in book)
    buckets = {b: {"loans": 0, "outstanding_amount": 0} for b in BUCKETS}
    by_grade: dict[str, dict] = defaultdict(lambda: _breakdown_row())
    by_category: dict[str, dict] = defaultdict(lambda: _breakdown_row())
    for loan, grade, category in book:
        for row in (by_grade[grade], by_category[category]):
            _add_to_breakdown(row, loan)
        if loan.status in LoanStatus.open_states():
            bucket = buckets[delinquency_bucket(loan.days_past_due, loan.status)]
            bucket["loans"] += 1
            bucket["outstanding_amount"] += loan.outstanding_amount
    latest = latest_decisions()
    approved = sum(1 for d in latest if d.eligible)
    currency = book[0][0].currency if book else "CNY"
    return {
        "currency": currency,
        "lines_open": sum(n for status, n, _ in live if status == LineStatus.open),
        "lines_frozen": sum(n for status, n, _ in live if status == LineStatus.frozen),
        "limit_amount": int(sum(limit for _, _, limit in live)),
        "drawn_amount": drawn,
        "loans_open": len(open_loans),
        "outstanding_amount": sum(loan.outstanding_amount for loan, _, _ in open_loans),
        "outstanding_principal_amount": sum(loan.outstanding_principal_amount for loan, _, _ in open_loans),
        # Fees are earned on the draw (the ledger books them then); collected as repayments come in.
        "fees_booked_amount": sum(loan.fee_amount for loan, _, _ in book),
        "fees_collected_amount": sum(loan.repaid_fee_amount for loan, _, _ in book),
        "repaid_amount": sum(loan.repaid_amount for loan, _, _ in book),
        "charged_off_loans": sum(1 for loan, _, _ in book if loan.status == LoanStatus.charged_off),
        "losses_amount": sum(loan.written_off_amount for loan, _, _ in book),
        "merchants_scored": len(latest),
        "merchants_approved": approved,
        "approval_rate": round(approved / len(latest), 4) if latest else None,
        "delinquency": buckets,
        "by_grade": {g: by_grade[g] for g in GRADES if g in by_grade},
        "by_category": dict(sorted(by_category.items())),
    }


def _breakdown_row() -> dict:
    return {"loans": 0, "drawn_amount": 0, "outstanding_amount": 0, "past_due_amount": 0, "losses_amount": 0}


def _add_to_breakdown(row: dict, loan: Loan) -> None:
    row["loans"] += 1
    row["drawn_amount"] += loan.principal_amount
    row["losses_amount"] += loan.written_off_amount
    if loan.status in LoanStatus.open_states():
        row["outstanding_amount"] += loan.outstanding_amount
        if loan.days_past_due > 0:
            row["past_due_amount"] += loan.outstanding_amount


def latest_decisions() -> list[CreditDecision]:
    newest = (
        select(CreditDecision.shop_id, func.max(CreditDecision.id).label("id"))
        .group_by(CreditDecision.shop_id).subquery()
    )
    return list(db.session.scalars(select(CreditDecision).join(newest, newest.c.id == CreditDecision.id)))


def vintages(now: datetime | None = None) -> dict:
    """Per month of origination: cumulative share repaid and share lost, by months on book."""
    from marketplace.statemachine import utcnow

    now = aware(now or utcnow())
    loans = list(db.session.scalars(select(Loan)))
    if not loans:
        return {"vintages": []}
    by_loan = {loan.id: loan for loan in loans}
    repaid = defaultdict(lambda: defaultdict(int))  # vintage -> months on book -> amount
    for loan_id, amount, at in db.session.execute(
            select(Repayment.loan_id, Repayment.amount, Repayment.created_at)).all():
        loan = by_loan[loan_id]
        repaid[_month(aware(loan.drawn_at))][max(0, _months_between(aware(loan.drawn_at), aware(at)))] += amount
    lost = defaultdict(lambda: defaultdict(int))
    owed = defaultdict(int)
    for loan in loans:
        vintage = _month(aware(loan.drawn_at))
        owed[vintage] += loan.total_amount
        if loan.charged_off_at is not None:
            lost[vintage][max(0, _months_between(aware(loan.drawn_at), aware(loan.charged_off_at)))] += \
                loan.written_off_amount
    result = []
    for vintage in sorted(owed):
        start = datetime.strptime(vintage, "%Y-%m").replace(tzinfo=timezone.utc)
        age = _months_between(start, now)
        cum_repaid = cum_lost = 0
        points = []
        for m in range(age + 1):
            cum_repaid += repaid[vintage].get(m, 0)
            cum_lost += lost[vintage].get(m, 0)
            points.append({"month_on_book": m, "repaid_share": round(cum_repaid / owed[vintage], 4),
                           "loss_share": round(cum_lost / owed[vintage], 4)})
        result.append({"vintage": vintage, "loans": sum(1 for l in loans if _month(aware(l.drawn_at)) == vintage),
                       "owed_amount": owed[vintage], "points": points})
    return {"vintages": result}


def score_distribution() -> dict:
    """Share of each month's decisions in each score band and grade, to see the town drift."""
    months: dict[str, dict] = {}
    for as_of, score, grade in db.session.execute(
            select(CreditDecision.as_of, CreditDecision.score, CreditDecision.grade)).all():
        month = months.setdefault(_month(aware(as_of)), {"decisions": 0, "bands": defaultdict(int),
                                                          "grades": defaultdict(int)})
        month["decisions"] += 1
        month["bands"][band_label(score)] += 1
        month["grades"][grade] += 1
    return {
        "bands": [band_label(lo) for lo, _ in SCORE_BANDS],
        "months": [{"month": m, "decisions": v["decisions"], "bands": dict(v["bands"]), "grades": dict(v["grades"])}
                   for m, v in sorted(months.items())],
    }


def band_label(score: int) -> str:
    for lo, hi in SCORE_BANDS:
        if lo <= score < hi:
            if lo == 0:
                return f"<{hi}"
            return f"{lo}+" if hi >= 10_000 else f"{lo}-{hi - 1}"
    return f"{SCORE_BANDS[-1][0]}+"
