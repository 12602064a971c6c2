"""The credit policy in the officers' hands: check a proposed version, preview its effect, save it.

The preview re-applies a proposed policy to every merchant's latest decision (same features, same
score) and counts who it would approve and for how much, beside the policy in force, before
anything is saved. A saved version takes effect at the next rescore; decisions name it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from financing.credit.features import Features
from financing.credit.policy import DEFAULT_PARAMS, Policy, active_policy, evaluate, save_policy_version, validate_params
from financing.credit.scorecard import load_scorecard
from marketplace.errors import ValidationError

from .portfolio import GRADES, latest_decisions

INTEGER_PARAMS = tuple(k for k, v in DEFAULT_PARAMS.items() if isinstance(v, int) and not isinstance(v, bool))
MAX_FEE_RATE = Decimal("0.36")
MAX_LIMIT_MULTIPLE = Decimal("6")


def _decimal(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"'{name}' must be a decimal number.", param=name) from None
    if not number.is_finite():
        raise ValidationError(f"'{name}' must be a decimal number.", param=name)
    return number


def check_params(params: dict) -> dict:
    """The credit module's checks plus the bounds a credit committee would insist on."""
    merged = validate_params(params)
    for name in INTEGER_PARAMS:
        try:
            merged[name] = int(str(merged[name]).strip())
        except ValueError:
            raise ValidationError(f"'{name}' must be a whole number.", param=name) from None
        if merged[name] < 0:
            raise ValidationError(f"'{name}' cannot be negative.", param=name)
    declined = merged["declined_grades"]
    if not isinstance(declined, list) or not set(declined) <= set(GRADES):
        raise ValidationError("Declined grades must be among A to E.", param="declined_grades")
    for grade, rate in merged["fee_rate_by_grade"].items():
        rate = _decimal(rate, f"fee_rate_by_grade.{grade}")
        if not Decimal(0) <= rate <= MAX_FEE_RATE:
            raise ValidationError(f"The fee for grade {grade} must be between 0 and {MAX_FEE_RATE}.",
                                  param=f"fee_rate_by_grade.{grade}")
    for grade, multiple in merged["limit_multiple_by_grade"].items():
        multiple = _decimal(multiple, f"limit_multiple_by_grade.{grade}")
        if not Decimal(0) < multiple <= MAX_LIMIT_MULTIPLE:
            raise ValidationError(f"The limit multiple for grade {grade} must be above 0 and at most "
                                  f"{MAX_LIMIT_MULTIPLE}.", param=f"limit_multiple_by_grade.{grade}")
    for grade in GRADES:
        if grade not in declined and (grade not in merged["fee_rate_by_grade"]
                                      or grade not in merged["limit_multiple_by_grade"]):
            raise ValidationError(f"Grade {grade} is approved but has no fee or limit multiple: decline it "
                                  f"or price it.", param=f"fee_rate_by_grade.{grade}")
    return merged


@dataclass(frozen=True)
class Impact:
    merchants: int
    approved: int
    exposure_amount: int  # the sum of the limits it would offer
    currency: str

    def to_json(self) -> dict:
        return {"merchants": self.merchants, "approved": self.approved,
                "exposure": {"amount": self.exposure_amount, "currency": self.currency}}


def impact(policy: Policy) -> Impact:
    """Who the policy approves, and for how much, on every merchant's latest features and score."""
    card = load_scorecard()
    approved = exposure = 0
    currency = "CNY"
    latest = latest_decisions()
    for decision in latest:
        features = Features.from_json(decision.features)
        outcome = evaluate(policy, features, card.score(decision.features))
        currency = outcome.limit.currency
        if outcome.eligible:
            approved += 1
            exposure += outcome.limit.amount
    return Impact(len(latest), approved, exposure, currency)


def preview(params: dict) -> dict:
    """The proposed policy's impact beside the one in force; nothing is saved."""
    current = active_policy()
    proposed = Policy(current.version + 1, check_params(params))
    now, then = impact(current), impact(proposed)
    return {"current_version": current.version, "current": now.to_json(), "proposed": then.to_json(),
            "approved_change": then.approved - now.approved,
            "exposure_change": {"amount": then.exposure_amount - now.exposure_amount, "currency": then.currency}}


def save(params: dict, *, officer_id: int, why: str) -> Policy:
    why = (why or "").strip()
    if len(why) < 3:
        raise ValidationError("Say why the policy changes: the version history keeps it.", param="note")
    return save_policy_version(check_params(params), user_id=officer_id, note=why)
