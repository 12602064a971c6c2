"""The credit policy: eligibility gates, limit, pricing and repayment terms, kept apart from code.

Parameters live in `credit_policy_versions` (the newest version is in force); until a lender
saves one, DEFAULT_PARAMS below is version 1. Lenders tune the policy by saving a new version
(`save_policy_version`), and every decision records the version it was made under.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from marketplace.errors import ValidationError
from marketplace.extensions import db
from marketplace.money import Money

from .features import Features
from .scorecard import Score

DEFAULT_PARAMS: dict = {
    # Gates: each failing gate is a principal reason for a decline.
    "min_tenure_days": 180,
    "min_sales_90": 60_000,  # minor units: 600.00 of sales in the last 90 days
    "max_days_since_last_sale": 14,
    "max_zero_sale_day_share": "0.85",
    "max_supplier_overdue_count": 0,
    "max_credit_days_past_due": 0,
    "allow_after_charge_off": False,
    "declined_grades": ["E"],
    # Limit = multiple of average monthly sales (last 90 days) by grade, within [min, max],
    # rounded down to `limit_rounding`, and never more than the term allows to repay.
    "limit_multiple_by_grade": {"A": "1.5", "B": "1.2", "C": "1.0", "D": "0.6"},
    "min_limit": 50_000,
    "max_limit": 50_000_000,
    "limit_rounding": 10_000,
    # Pricing: a fixed fee on each draw, by grade; a share of each settlement is withheld.
    "fee_rate_by_grade": {"A": "0.05", "B": "0.07", "C": "0.09", "D": "0.12"},
    "withhold_rate": "0.15",
    "max_term_days": 540,  # 18 months
    "minimum_period_days": 60,
    "minimum_period_share": "0.1112",  # of the total to repay, due by the end of each 60-day period
    "offer_valid_days": 30,
    "repeat_offer_repaid_share": "0.75",  # a fresh offer once this share of the draws is repaid
    "charge_off_days_past_due": 120,
    "freeze_days_past_due": 1,  # freeze the undrawn limit from the first day past due
}


@dataclass(frozen=True)
class Policy:
    version: int
    params: dict = field(default_factory=lambda: dict(DEFAULT_PARAMS))

    def rate(self, name: str) -> Decimal:
        return Decimal(str(self.params[name]))

    def __getattr__(self, name: str):
        params = self.__dict__.get("params") or {}
        if name in params:
            return params[name]
        raise AttributeError(name)

    def fee_rate(self, grade: str) -> Decimal | None:
        value = self.params["fee_rate_by_grade"].get(grade)
        return Decimal(value) if value is not None else None

    def limit_multiple(self, grade: str) -> Decimal | None:
        value = self.params["limit_multiple_by_grade"].get(grade)
        return Decimal(value) if value is not None else None


def validate_params(params: dict) -> dict:
    """Complete a lender's parameters with the defaults and check they make sense."""
    if not isinstance(params, dict):
        raise ValidationError("Policy parameters must be an object.", param="params")
    unknown = set(params) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValidationError(f"Unknown policy parameters: {', '.join(sorted(unknown))}.", param="params")
    merged = {**DEFAULT_PARAMS, **params}
    for name in ("withhold_rate", "minimum_period_share", "repeat_offer_repaid_share", "max_zero_sale_day_share"):
        try:
            rate = Decimal(str(merged[name]))
        except ArithmeticError:
            raise ValidationError(f"'{name}' must be a decimal number.", param=name) from None
        if not Decimal(0) < rate <= Decimal(1):
            raise ValidationError(f"'{name}' must be above 0 and at most 1.", param=name)
    if not 1 <= int(merged["max_term_days"]) <= 540:
        raise ValidationError("'max_term_days' must be between 1 and 540 (18 months).", param="max_term_days")
    if int(merged["min_limit"]) <= 0 or int(merged["max_limit"]) < int(merged["min_limit"]):
        raise ValidationError("Limits must be positive and the maximum at least the minimum.", param="max_limit")
    return merged


def active_policy() -> Policy:
    from .models import CreditPolicyVersion

    row = db.session.execute(
        select(CreditPolicyVersion).order_by(CreditPolicyVersion.version.desc()).limit(1)).scalar()
    if row is None:
        return Policy(1, dict(DEFAULT_PARAMS))
    return Policy(row.version, {**DEFAULT_PARAMS, **row.params})


def save_policy_version(params: dict, *, user_id: int | None = None, note: str = "") -> Policy:
    """Add a new policy version (the lender console's seam). Commits."""
    from .models import CreditPolicyVersion

    merged = validate_params(params)
    current = active_policy()
    row = CreditPolicyVersion(version=current.version + 1, params=merged, note=note[:255], created_by_id=user_id)
    db.session.add(row)
    db.session.commit()
    return Policy(row.version, merged)


# -- applying the policy --------------------------------------------------------------------------


@dataclass
class Outcome:
    eligible: bool
    limit: Money
    fee_rate: Decimal | None
    withhold_rate: Decimal | None
    reasons: list[dict]


def _money(amount: int, currency: str) -> str:
    return Money(int(amount), currency).format()


def N_(message: str) -> str:  # noqa: N802  (the gettext convention pybabel looks for)
    """Mark a reason's wording for the catalogue; it is translated when shown (see `reason_text`)."""
    return message


def reason(code: str, message: str, remedy: str, **values) -> dict:
    """A reason as stored: the English text (for the API and the record), and the wording with its
    values, so a page can show it in the reader's language."""
    return {"code": code, "message": message % values, "remedy": remedy % values,
            "message_id": message, "remedy_id": remedy, "values": values}


def evaluate(policy: Policy, features: Features, score: Score) -> Outcome:
    """Gates first (each failure a specific reason with what would change it), then limit and price."""
    cur = features.currency
    p = policy.params
    reasons: list[dict] = []

    def fail(code: str, message: str, remedy: str, **values) -> None:
        reasons.append(reason(code, message, remedy, **values))

    if features.tenure_days < p["min_tenure_days"]:
        fail("tenure_short", N_("Trading on the platform for %(days)d days; the minimum is %(minimum)d."),
             N_("Keep trading: you become eligible after %(more)d more days."),
             days=features.tenure_days, minimum=p["min_tenure_days"],
             more=p["min_tenure_days"] - features.tenure_days)
    if features.sales_90 < p["min_sales_90"]:
        fail("sales_low", N_("Sales in the last 90 days were %(sales)s, below %(minimum)s."),
             N_("Sell %(more)s more within 90 days."),
             sales=_money(features.sales_90, cur), minimum=_money(p["min_sales_90"], cur),
             more=_money(p["min_sales_90"] - features.sales_90, cur))
    if features.days_since_last_sale > p["max_days_since_last_sale"]:
        fail("no_recent_sales", N_("No sale in the last %(days)d days."),
             N_("Make sales again: a sale within %(within)d days is needed."),
             days=features.days_since_last_sale, within=p["max_days_since_last_sale"])
    if Decimal(str(features.zero_sale_day_share)) > Decimal(str(p["max_zero_sale_day_share"])):
        fail("few_trading_days", N_("No sales on %(share)d%% of the last 90 days."),
             N_("Sell on more days: at most %(most)d%% of days without a sale."),
             share=round(features.zero_sale_day_share * 100), most=round(float(p["max_zero_sale_day_share"]) * 100))
    if features.supplier_overdue_count > p["max_supplier_overdue_count"]:
        fail("supplier_overdue", N_("%(count)d supplier invoice(s) overdue, %(amount)s in all."),
             N_("Pay your overdue supplier invoices."),
             count=features.supplier_overdue_count, amount=_money(features.supplier_overdue, cur))
    if features.credit_days_past_due > p["max_credit_days_past_due"]:
        fail("credit_past_due", N_("A credit repayment is %(days)d days past due."),
             N_("Bring your credit repayments up to date."), days=features.credit_days_past_due)
    if features.credit_loans_charged_off and not p["allow_after_charge_off"]:
        fail("charged_off", N_("An earlier loan was written off."), N_("This cannot change for now."))
    if score.grade in p["declined_grades"]:
        for r in _score_reasons(features, score):
            if len(reasons) >= 4:
                break
            if r["code"] not in {x["code"] for x in reasons}:
                reasons.append(r)
        if not reasons:  # every gate passed but the score: still say why, by feature
            fail("risk_high", N_("Your recent sales pattern puts you in our highest-risk grade."),
                 N_("Steadier daily sales over the next months."))
    if reasons:
        return Outcome(False, Money.zero(cur), None, None, reasons[:4])

    fee_rate = policy.fee_rate(score.grade)
    multiple = policy.limit_multiple(score.grade)
    withhold = policy.rate("withhold_rate")
    monthly = Decimal(features.sales_90) / 3
    raw = monthly * multiple
    # Never more than can be repaid within the term at the withhold rate on recent daily sales.
    repayable = Decimal(features.sales_90) / 90 * withhold * p["max_term_days"] / (1 + fee_rate)
    limiting: list[dict] = []
    if repayable < raw:
        raw = repayable
        limiting.append(reason("term_cap", N_("Limited so it can be repaid within the term from the agreed "
                                              "share of your recent sales."),
                               N_("Higher daily sales raise the limit.")))
    step = Decimal(p["limit_rounding"])
    amount = int((raw / step).to_integral_value(rounding=ROUND_DOWN) * step)
    amount = min(amount, p["max_limit"])
    if amount < p["min_limit"]:
        reasons.append(reason("limit_small", N_("Your sales support a line of %(amount)s, below the smallest we "
                                                "offer (%(minimum)s)."),
                              N_("Higher monthly sales raise the line above the minimum."),
                              amount=_money(amount, cur), minimum=_money(p["min_limit"], cur)))
        return Outcome(False, Money.zero(cur), None, None, reasons)
    return Outcome(True, Money(amount, cur), fee_rate, withhold, limiting + _score_reasons(features, score)[:2])


# Specific wording for the scorecard's features, used when the score (not a gate) limits the answer.
def _score_reasons(features: Features, score: Score) -> list[dict]:
    cur = features.currency
    texts = {
        "trend": (N_("Sales in the last 90 days changed by %(change)d%% against the 90 before."),
                  N_("Growing, or at least steady, sales quarter on quarter."),
                  {"change": round(features.trend * 100)}),
        "volatility": (N_("Daily sales vary a lot (variation %(times).1f times the average)."),
                       N_("Steadier sales from day to day."), {"times": round(features.volatility, 1)}),
        "zero_sale_day_share": (N_("No sales on %(share)d%% of the last 90 days."),
                                N_("Sales on more of your opening days."),
                                {"share": round(features.zero_sale_day_share * 100)}),
        "sales_90": (N_("Sales in the last 90 days were %(sales)s."), N_("Higher sales over the next 90 days."),
                     {"sales": _money(features.sales_90, cur)}),
        "orders_90": (N_("%(orders)d orders in the last 90 days."), N_("More orders over the next 90 days."),
                      {"orders": features.orders_90}),
        "tenure_days": (N_("Trading on the platform for %(days)d days."), N_("A longer trading record."),
                        {"days": features.tenure_days}),
        "days_since_last_sale": (N_("Last sale %(days)d days ago."), N_("Regular sales."),
                                 {"days": features.days_since_last_sale}),
        "repeat_customer_share": (N_("%(share)d%% of orders come from returning customers."),
                                  N_("More customers coming back."),
                                  {"share": round(features.repeat_customer_share * 100)}),
        "refund_rate": (N_("Refunds were %(rate).1f%% of sales."), N_("Fewer refunds."),
                        {"rate": round(features.refund_rate * 100, 1)}),
        "cancel_rate": (N_("%(rate).1f%% of orders were cancelled or rejected."),
                        N_("Fewer cancelled or rejected orders."), {"rate": round(features.cancel_rate * 100, 1)}),
        "supplier_on_time_share": (N_("Some supplier invoices were paid late."),
                                   N_("Pay supplier invoices by their due date."), {}),
        "supplier_overdue_count": (N_("Supplier invoices are overdue."), N_("Pay your overdue supplier invoices."), {}),
        "credit_days_past_due": (N_("Credit repayments are past due."), N_("Bring your repayments up to date."), {}),
    }
    ranked = sorted((f for f, gap in score.shortfall.items() if gap > 0 and f in texts),
                    key=lambda f: (-score.shortfall[f], f))
    return [reason(f"score_{f}", texts[f][0], texts[f][1], **texts[f][2]) for f in ranked[:4]]



def policy_json(policy: Policy) -> dict:
    return {"version": policy.version, **asdict(policy)["params"]}
