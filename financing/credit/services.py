"""Underwriting use cases: decide for a merchant, keep its pre-approved offer fresh, disclose terms."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from marketplace.catalog.models import Shop
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Order, OrderStatus
from marketplace.statemachine import utcnow

from .apr import Projection, estimated_apr, project_payments
from .errors import NotFound, ValidationError
from .features import compute_features
from .models import CreditDecision, CreditLine, CreditOffer, LineStatus, Loan, LoanStatus, OfferStatus, aware
from .policy import Policy, active_policy, evaluate
from .scorecard import load_scorecard


def _scorecard_path() -> str | None:
    return current_app.config.get("CREDIT_MODEL_PATH") or None


def decide(shop_id: int, *, as_of: datetime | None = None, policy: Policy | None = None) -> CreditDecision:
    """Score the shop on its history up to `as_of` and apply the policy; stores the decision (no commit)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("No such shop.", param="shop")
    as_of = aware(as_of) or utcnow()
    features = compute_features(shop_id, as_of)
    card = load_scorecard(_scorecard_path())
    score = card.score(features.to_json())
    policy = policy or active_policy()
    outcome = evaluate(policy, features, score)
    decision = CreditDecision(
        shop_id=shop_id, as_of=as_of, features=features.to_json(), model_version=card.version,
        policy_version=policy.version, score=score.score, probability_of_default=score.probability_of_default,
        grade=score.grade, points=score.points, eligible=outcome.eligible, limit_amount=outcome.limit.amount,
        currency=features.currency, fee_rate=str(outcome.fee_rate) if outcome.fee_rate is not None else None,
        withhold_rate=str(outcome.withhold_rate) if outcome.withhold_rate is not None else None,
        reasons=outcome.reasons,
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def latest_decision(shop_id: int) -> CreditDecision | None:
    return db.session.execute(
        select(CreditDecision).where(CreditDecision.shop_id == shop_id)
        .order_by(CreditDecision.created_at.desc(), CreditDecision.id.desc()).limit(1)).scalar()


def active_offer(shop_id: int, *, now: datetime | None = None) -> CreditOffer | None:
    """The shop's live offer; an offer past its date is marked expired on the way."""
    now = aware(now) or utcnow()
    offer = db.session.execute(
        select(CreditOffer).where(CreditOffer.shop_id == shop_id, CreditOffer.status == OfferStatus.active)
        .order_by(CreditOffer.id.desc()).limit(1)).scalar()
    if offer is not None and aware(offer.expires_at) <= now:
        offer.expire()
        db.session.flush()
        return None
    return offer


def open_line(shop_id: int) -> CreditLine | None:
    """The shop's newest line that is open or frozen (closed lines only run their loans out)."""
    return db.session.execute(
        select(CreditLine).where(CreditLine.shop_id == shop_id,
                                 CreditLine.status.in_([LineStatus.open, LineStatus.frozen]))
        .order_by(CreditLine.id.desc()).limit(1)).scalar()


def open_loans(shop_id: int) -> list[Loan]:
    """Loans still owing, oldest first (the order repayments are applied in)."""
    return list(db.session.execute(
        select(Loan).where(Loan.shop_id == shop_id, Loan.status.in_(LoanStatus.open_states()))
        .order_by(Loan.drawn_at, Loan.id)).scalars())


def _repaid_share(shop_id: int) -> Decimal:
    loans = db.session.execute(select(Loan).where(Loan.shop_id == shop_id, Loan.line_id.in_(
        select(CreditLine.id).where(CreditLine.shop_id == shop_id,
                                    CreditLine.status.in_([LineStatus.open, LineStatus.frozen]))))).scalars().all()
    total = sum(loan.total_amount for loan in loans)
    if not total:
        return Decimal(1)
    return Decimal(sum(loan.repaid_amount for loan in loans)) / total


def _needs_rescore(shop_id: int, decision: CreditDecision | None, now: datetime) -> bool:
    if decision is None:
        return True
    made = aware(decision.created_at)
    if now - made > timedelta(days=1):
        return True
    last_sale = db.session.execute(
        select(func.max(Order.placed_at)).where(Order.shop_id == shop_id, Order.status == OrderStatus.completed)
    ).scalar()
    return last_sale is not None and aware(last_sale) > aware(decision.as_of)


def refresh_offer(shop_id: int, *, as_of: datetime | None = None, force: bool = False) -> CreditOffer | None:
    """Re-score when the shop has new sales (or on `force`) and keep one live offer. Commits.

    A shop with an open line gets a fresh offer only once most of its draws are repaid (policy
    `repeat_offer_repaid_share`); until then its line is what it can use.
    """
    now = aware(as_of) or utcnow()
    offer = active_offer(shop_id, now=now)
    decision = latest_decision(shop_id)
    if not force and not _needs_rescore(shop_id, decision, now):
        db.session.commit()
        return offer
    policy = active_policy()
    line = open_line(shop_id)
    if line is not None and _repaid_share(shop_id) < policy.rate("repeat_offer_repaid_share"):
        db.session.commit()
        return offer
    decision = decide(shop_id, as_of=now, policy=policy)
    if offer is not None:
        offer.supersede()
    new_offer = None
    if decision.eligible:
        daily = decision.features["sales_90"] // 90
        new_offer = CreditOffer(
            shop_id=shop_id, decision_id=decision.id, limit_amount=decision.limit_amount,
            currency=decision.currency, grade=decision.grade, fee_rate=decision.fee_rate,
            withhold_rate=decision.withhold_rate, max_term_days=policy.max_term_days,
            minimum_period_days=policy.minimum_period_days,
            minimum_period_share=str(policy.minimum_period_share), estimated_daily_sales=daily,
            policy_version=policy.version, created_at=now,
            expires_at=now + timedelta(days=policy.offer_valid_days),
        )
        db.session.add(new_offer)
    db.session.commit()
    return new_offer


def rescore_all(*, as_of: datetime | None = None, progress=None) -> dict:
    """Re-score every retail shop (the nightly job). Returns counts."""
    from marketplace.catalog.models import ShopKind

    ids = list(db.session.execute(select(Shop.id).where(Shop.kind == ShopKind.retail).order_by(Shop.id)).scalars())
    offers = 0
    for shop_id in (progress(ids) if progress else ids):
        if refresh_offer(shop_id, as_of=as_of, force=True) is not None:
            offers += 1
    return {"shops": len(ids), "offers": offers}


# -- what the merchant sees -----------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """The terms of drawing `funds` under an offer or line, as the disclosure table shows them."""

    funds_provided: Money
    finance_charge: Money
    total_repayment: Money
    fee_rate: Decimal
    withhold_rate: Decimal
    estimated_daily_sales: Money
    estimated_daily_payment: Money
    estimated_term_days: int
    estimated_apr: Decimal
    minimum_period_days: int
    minimum_period_payment: Money
    max_term_days: int
    minimum_binds: bool

    def to_json(self) -> dict:
        return {
            "funds_provided": self.funds_provided.to_json(), "finance_charge": self.finance_charge.to_json(),
            "total_repayment": self.total_repayment.to_json(), "fee_rate": str(self.fee_rate),
            "withhold_rate": str(self.withhold_rate),
            "estimated_daily_sales": self.estimated_daily_sales.to_json(),
            "estimated_daily_payment": self.estimated_daily_payment.to_json(),
            "estimated_term_days": self.estimated_term_days, "estimated_apr": str(self.estimated_apr),
            "minimum_period_days": self.minimum_period_days,
            "minimum_period_payment": self.minimum_period_payment.to_json(), "max_term_days": self.max_term_days,
        }


def fee_for(principal: Money, fee_rate: Decimal) -> Money:
    return principal.apply_rate(fee_rate)


def disclose(terms: CreditOffer | CreditLine, principal: Money, estimated_daily_sales: int) -> Disclosure:
    """Funds, finance charge, total, estimated daily payment, term and APR for one draw."""
    if principal.amount <= 0:
        raise ValidationError("The amount must be above zero.", param="amount")
    fee_rate = Decimal(terms.fee_rate)
    withhold = Decimal(terms.withhold_rate)
    fee = fee_for(principal, fee_rate)
    total = principal + fee
    share = Decimal(terms.minimum_period_share)
    projection: Projection = project_payments(
        total.amount, estimated_daily_sales, withhold, minimum_period_days=terms.minimum_period_days,
        minimum_period_share=share)
    minimum = total.apply_rate(share, rounding="ROUND_CEILING")
    return Disclosure(
        funds_provided=principal, finance_charge=fee, total_repayment=total, fee_rate=fee_rate,
        withhold_rate=withhold, estimated_daily_sales=Money(estimated_daily_sales, principal.currency),
        estimated_daily_payment=Money(projection.daily_payment, principal.currency),
        estimated_term_days=projection.term_days, estimated_apr=estimated_apr(principal.amount, fee.amount, projection),
        minimum_period_days=terms.minimum_period_days, minimum_period_payment=minimum,
        max_term_days=terms.max_term_days, minimum_binds=projection.minimum_binds,
    )


def outstanding_principal(shop_id: int) -> int:
    return sum(loan.outstanding_principal_amount for loan in open_loans(shop_id))


def credit_summary(shop_id: int, *, refresh: bool = True) -> dict:
    """What the offer API and the dashboard panel show: offer or line, what is left, or the reasons."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("No such shop.", param="shop")
    offer = refresh_offer(shop_id) if refresh else active_offer(shop_id)
    line = open_line(shop_id)
    decision = latest_decision(shop_id)
    owed = sum(loan.outstanding_amount for loan in open_loans(shop_id))
    summary = {
        "shop": shop, "offer": offer, "line": line, "decision": decision,
        "owed": Money(owed, shop.currency), "currency": shop.currency,
    }
    terms = offer or line
    if terms is not None:
        limit = terms.limit_amount
        used = outstanding_principal(shop_id)  # earlier draws still count against a new offer
        available = max(0, limit - used)
        if line is not None and line.status == LineStatus.frozen and offer is None:
            available = 0
        daily = offer.estimated_daily_sales if offer is not None else (
            decision.features["sales_90"] // 90 if decision else 0)
        summary.update(limit=Money(limit, shop.currency), available=Money(available, shop.currency),
                       estimated_daily_sales=daily, terms=terms)
        summary["disclosure"] = disclose(terms, Money(available, shop.currency), daily) if available else None
    return summary
