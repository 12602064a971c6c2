"""The lender console's JSON API: portfolio, alerts and officers' actions, policy versions."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from financing.credit.models import CreditPolicyVersion
from financing.credit.policy import active_policy
from marketplace.accounts.models import User
from marketplace.api_support import api_blueprint, api_login_required, current_api_user, field, json_body, paginate
from marketplace.errors import NotFound, ValidationError
from marketplace.extensions import db

from . import actions, policy_editor, portfolio
from .models import Alert, AlertStatus, OfficerAction, Severity

bp = api_blueprint("lender_api", __name__)


def alert_json(alert: Alert) -> dict:
    return {
        "id": alert.public_id, "object": "alert", "shop": alert.shop.public_id, "shop_name": alert.shop.name,
        "rule": alert.rule.value, "severity": alert.severity.value, "status": alert.status.value,
        "summary": alert.summary, "merchant_message": alert.merchant_message, "evidence": alert.evidence,
        "raised": int(alert.raised_at.timestamp()), "last_seen": int(alert.last_seen_at.timestamp()),
        "resolution": alert.resolution,
    }


def action_json(action: OfficerAction) -> dict:
    return {
        "id": action.public_id, "object": "officer_action", "shop": action.shop.public_id,
        "alert": action.alert.public_id if action.alert else None, "kind": action.kind.value,
        "reason": action.reason, "details": action.details, "officer": action.officer.email,
        "created": int(action.created_at.timestamp()),
    }


def _email(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.email if user else None


def policy_json(row: CreditPolicyVersion | None) -> dict:
    if row is None:
        policy = active_policy()
        return {"object": "credit_policy", "version": policy.version, "params": policy.params,
                "note": "the default policy", "created_by": None, "created": None}
    return {"object": "credit_policy", "version": row.version, "params": row.params, "note": row.note,
            "created_by": _email(row.created_by_id),
            "created": int(row.created_at.timestamp())}


@bp.get("/lender/portfolio")
@api_login_required("lender")
def get_portfolio():
    """The loan book: exposure, delinquency buckets, losses, breakdowns, vintages, score distribution.
    ---
    get:
      tags: [lender]
      summary: The loan book
      security: [{bearer: []}]
      responses:
        200: {description: "headline figures in minor units, `delinquency` by bucket, `by_grade`, `by_category`, `vintages`, `score_distribution`"}
        403: {description: not a lender}
    """
    return jsonify({"object": "portfolio", **portfolio.summary(), **portfolio.vintages(),
                    "score_distribution": portfolio.score_distribution()})


@bp.get("/lender/alerts")
@api_login_required("lender")
def list_alerts():
    """Early-warning alerts, most severe first within the page's order (newest first).
    ---
    get:
      tags: [lender]
      summary: Early-warning alerts
      security: [{bearer: []}]
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [open, resolved], default: open}}
        - {name: severity, in: query, schema: {type: string, enum: [low, medium, high]}}
        - {name: limit, in: query, schema: {type: integer, default: 10}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        200: {description: a list of alerts with their evidence}
        400: {description: an unknown status or severity}
    """
    status = request.args.get("status", "open")
    if status not in {s.value for s in AlertStatus}:
        raise ValidationError("'status' must be open or resolved.", param="status")
    stmt = select(Alert).where(Alert.status == status)
    severity = request.args.get("severity")
    if severity:
        if severity not in {s.value for s in Severity}:
            raise ValidationError("'severity' must be low, medium or high.", param="severity")
        stmt = stmt.where(Alert.severity == severity)
    return jsonify(paginate(stmt, Alert, alert_json))


@bp.post("/lender/alerts/<alert_id>/actions")
@api_login_required("lender")
def act_on_alert(alert_id: str):
    """Act on an alert: freeze, unfreeze, note, payment_plan, charge_off or resolve.
    ---
    post:
      tags: [lender]
      summary: Record an officer's action on an alert
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [kind, reason]
              properties:
                kind: {type: string, enum: [freeze, unfreeze, note, payment_plan, charge_off, resolve]}
                reason: {type: string}
                weekly_amount: {type: integer, description: "payment_plan: minor units a week"}
                until: {type: string, format: date, description: "payment_plan: its last day"}
                loan: {type: string, description: "charge_off: one loan's id (default: every open loan)"}
      responses:
        201: {description: the recorded action}
        400: {description: a missing reason or a bad plan}
        404: {description: no such alert}
        409: {description: "the action does not apply (no line to freeze, nothing to charge off)"}
    """
    alert = db.session.scalars(select(Alert).where(Alert.public_id == alert_id)).first()
    if alert is None:
        raise NotFound("No such alert.", param="alert")
    body = json_body()
    details = {k: body[k] for k in ("weekly_amount", "until", "loan") if k in body}
    action = actions.record_action(alert.shop_id, current_api_user().id, field(body, "kind"),
                                   field(body, "reason"), alert=alert.public_id, details=details)
    return jsonify(action_json(action)), 201


@bp.get("/lender/policies")
@api_login_required("lender")
def list_policies():
    """Every version of the credit policy, newest first; the first is in force.
    ---
    get:
      tags: [lender]
      summary: Credit policy versions
      security: [{bearer: []}]
      responses:
        200: {description: a list of policy versions with who saved each and why}
    """
    rows = list(db.session.scalars(select(CreditPolicyVersion).order_by(CreditPolicyVersion.version.desc())))
    data = [policy_json(r) for r in rows] or [policy_json(None)]
    return jsonify({"object": "list", "url": request.path, "has_more": False, "data": data})


@bp.post("/lender/policies")
@api_login_required("lender")
def create_policy():
    """Save a new policy version (or preview it with `"preview": true`); it applies from the next rescore.
    ---
    post:
      tags: [lender]
      summary: Save or preview a credit policy version
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [params]
              properties:
                params: {type: object, description: the parameters to change; the rest keep their values}
                note: {type: string, description: why the policy changes (required to save)}
                preview: {type: boolean, default: false}
      responses:
        200: {description: "preview: merchants approved and exposure, now and under the proposal"}
        201: {description: the saved version}
        400: {description: "a parameter out of bounds, or no reason given"}
    """
    body = json_body()
    params = {**active_policy().params, **field(body, "params", dict)}
    if field(body, "preview", bool, required=False, default=False):
        return jsonify({"object": "policy_preview", **policy_editor.preview(params)})
    policy = policy_editor.save(params, officer_id=current_api_user().id, why=field(body, "note"))
    row = db.session.scalars(select(CreditPolicyVersion).where(CreditPolicyVersion.version == policy.version)).one()
    return jsonify(policy_json(row)), 201
