"""What a credit officer can do about a merchant; each action is recorded with who and why."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from financing.credit.models import CreditLine, LineStatus, Loan, LoanStatus
from marketplace.catalog.models import Shop
from marketplace.errors import Conflict, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.statemachine import utcnow

from .models import ActionKind, Alert, AlertStatus, OfficerAction

MAX_PLAN_DAYS = 365


def _shop(shop_id: int) -> Shop:
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("No such merchant.", param="shop")
    return shop


def _alert_for(shop_id: int, alert_public_id: str | None) -> Alert | None:
    if not alert_public_id:
        return None
    alert = db.session.scalars(select(Alert).where(Alert.public_id == alert_public_id)).first()
    if alert is None or alert.shop_id != shop_id:
        raise NotFound("No such alert for this merchant.", param="alert")
    return alert


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationError("Say why, in a few words: the record needs it.", param="reason")
    return reason[:2000]


def _line(shop_id: int) -> CreditLine:
    line = db.session.scalars(
        select(CreditLine).where(CreditLine.shop_id == shop_id,
                                 CreditLine.status.in_((LineStatus.open, LineStatus.frozen)))
        .order_by(CreditLine.id.desc())
    ).first()
    if line is None:
        raise Conflict("This merchant has no credit line.", param="shop")
    return line


def record_action(shop_id: int, officer_id: int, kind: ActionKind | str, reason: str, *,
                  alert: str | None = None, details: dict | None = None) -> OfficerAction:
    """Do one officer action and record it, in one transaction.

    `alert` is the public id of the alert the action answers, if any; it must be this merchant's.

    details by kind: payment_plan needs `weekly_amount` (minor units) and `until` (YYYY-MM-DD);
    charge_off may name a `loan` (public id), otherwise every open loan of the merchant.
    """
    try:
        kind = ActionKind(kind)
    except ValueError:
        raise ValidationError(f"Unknown action: choose one of {', '.join(k.value for k in ActionKind)}.",
                              param="kind") from None
    shop = _shop(shop_id)
    alert = _alert_for(shop_id, alert)
    reason = _reason(reason)
    details = dict(details or {})
    recorded: dict = {}
    if kind == ActionKind.freeze:
        line = _line(shop_id)
        if line.status == LineStatus.frozen:
            raise Conflict("The undrawn limit is already frozen.", param="kind")
        line.freeze(reason)
        recorded = {"line": line.public_id, "undrawn_frozen": True}
    elif kind == ActionKind.unfreeze:
        line = _line(shop_id)
        if line.status != LineStatus.frozen:
            raise Conflict("The limit is not frozen.", param="kind")
        line.unfreeze()
        recorded = {"line": line.public_id, "undrawn_frozen": False}
    elif kind == ActionKind.payment_plan:
        recorded = _payment_plan(shop, details)
    elif kind == ActionKind.charge_off:
        recorded = _charge_off(shop_id, details.get("loan"), officer_id, reason)
    elif kind == ActionKind.resolve and alert is None:
        raise ValidationError("Name the alert to resolve.", param="alert")
    action = OfficerAction(shop_id=shop_id, alert=alert, kind=kind, reason=reason, details=recorded,
                           officer_id=officer_id)
    db.session.add(action)
    if alert is not None and alert.status == AlertStatus.open and kind != ActionKind.note:
        alert.resolve(f"{kind.value}: {reason}")
    db.session.commit()
    return action


def _payment_plan(shop: Shop, details: dict) -> dict:
    try:
        weekly = int(details.get("weekly_amount"))
    except (TypeError, ValueError):
        raise ValidationError("Give the weekly amount in minor units, a whole number.",
                              param="weekly_amount") from None
    if weekly <= 0:
        raise ValidationError("The weekly amount must be more than zero.", param="weekly_amount")
    try:
        until = date.fromisoformat(str(details.get("until", "")))
    except ValueError:
        raise ValidationError("Give the plan's last day as YYYY-MM-DD.", param="until") from None
    days = (until - utcnow().date()).days
    if days <= 0 or days > MAX_PLAN_DAYS:
        raise ValidationError(f"The plan must end within the next {MAX_PLAN_DAYS} days.", param="until")
    if not db.session.scalars(select(Loan.id).where(Loan.shop_id == shop.id,
                                                    Loan.status.in_(LoanStatus.open_states()))).first():
        raise Conflict("This merchant has no open loan to plan repayments for.", param="kind")
    return {"weekly_amount": weekly, "currency": shop.currency, "until": until.isoformat(),
            "weekly": Money(weekly, shop.currency).format()}


def _charge_off(shop_id: int, loan_public_id: str | None, officer_id: int, reason: str) -> dict:
    from financing.credit.services import charge_off_loan

    query = select(Loan).where(Loan.shop_id == shop_id, Loan.status.in_(LoanStatus.open_states()))
    if loan_public_id:
        query = query.where(Loan.public_id == loan_public_id)
    loans = list(db.session.scalars(query))
    if not loans:
        raise Conflict("No open loan to charge off.", param="loan")
    written = [charge_off_loan(loan.id, reason=reason, user_id=officer_id) for loan in loans]
    return {"loans": [loan.public_id for loan in loans], "written_off_amount": sum(written)}
