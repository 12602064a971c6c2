"""The lender console's pages: portfolio, alerts, merchant profile, policy editor, model monitoring."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select

from financing.credit.models import CreditPolicyVersion
from financing.credit.policy import active_policy
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.web import role_required

from . import actions, monitoring, policy_editor, portfolio, profile
from .forms import ActionForm, params_from_form, policy_form_class
from .models import Alert, AlertStatus, Severity

bp = Blueprint("lender", __name__, url_prefix="/lender")

ALERTS_SHOWN = 200


@bp.before_request
@role_required("lender")
def _lenders_only():
    """Every page here is for lenders: anyone else gets 403 (or the login page)."""


@bp.get("/")
def portfolio_page():
    return render_template("lender/portfolio.html", book=portfolio.summary(), vintages=portfolio.vintages(),
                           scores=portfolio.score_distribution(), open_alerts=_open_alert_counts())


def _open_alert_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(Alert.severity, db.func.count(Alert.id)).where(Alert.status == AlertStatus.open)
        .group_by(Alert.severity)).all()
    return {severity.value: n for severity, n in rows}


@bp.get("/alerts")
def alerts_page():
    severity_order = case({Severity.high: 0, Severity.medium: 1, Severity.low: 2}, value=Alert.severity)
    status = request.args.get("status", "open")
    if status not in {s.value for s in AlertStatus}:
        status = "open"
    alerts = list(db.session.scalars(
        select(Alert).where(Alert.status == status)
        .order_by(severity_order, Alert.raised_at.desc()).limit(ALERTS_SHOWN)))
    return render_template("lender/alerts.html", alerts=alerts, status=status)


@bp.get("/merchants/<shop_id>")
def merchant_page(shop_id: str):
    shop = profile.shop_by_public_id(shop_id)
    return render_template("lender/merchant.html", p=profile.lender_profile(shop.id), form=ActionForm())


@bp.post("/merchants/<shop_id>/actions")
def merchant_action(shop_id: str):
    shop = profile.shop_by_public_id(shop_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("Choose an action and say why."), "error")
        return render_template("lender/merchant.html", p=profile.lender_profile(shop.id), form=form), 400
    details = {}
    if form.weekly_amount.data is not None:
        details["weekly_amount"] = Money.from_major(form.weekly_amount.data, shop.currency).amount
    if form.until.data is not None:
        details["until"] = form.until.data.isoformat()
    try:
        actions.record_action(shop.id, current_user.id, form.kind.data, form.reason.data,
                              alert=form.alert.data or None, details=details)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_template("lender/merchant.html", p=profile.lender_profile(shop.id), form=form), exc.status
    flash(_("Recorded."), "success")
    return redirect(url_for("lender.merchant_page", shop_id=shop.public_id))


@bp.route("/policy", methods=["GET", "POST"])
def policy_page():
    current = active_policy()
    form = policy_form_class(current.params)()
    preview = None
    if form.validate_on_submit():
        params = params_from_form(form)
        try:
            if request.form.get("intent") == "save":
                saved = policy_editor.save(params, officer_id=current_user.id, why=form.note.data or "")
                flash(_("Policy version %(v)d saved: it applies from the next rescore.", v=saved.version), "success")
                return redirect(url_for("lender.policy_page"))
            preview = policy_editor.preview(params)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _policy_template(form, current, None), 400
    elif request.method == "POST":
        flash(_("Some values are missing or not numbers: %(fields)s.",
                fields=", ".join(str(form[name].label.text) for name in form.errors)), "error")
        return _policy_template(form, current, None), 400
    return _policy_template(form, current, preview)


def _policy_template(form, current, preview):
    versions = list(db.session.scalars(select(CreditPolicyVersion).order_by(CreditPolicyVersion.version.desc())))
    return render_template("lender/policy.html", form=form, current=current, preview=preview, versions=versions)


@bp.get("/monitoring")
def monitoring_page():
    reading = monitoring.stability()
    return render_template("lender/monitoring.html", reading=reading, warnings=monitoring.warnings(reading),
                           backtest=monitoring.latest_backtest())


@bp.app_template_filter("share")
def share_filter(value) -> str:
    if value is None:
        return "–"
    return f"{Decimal(str(value)) * 100:.1f}%"
