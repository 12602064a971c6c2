"""The merchant's credit pages: the offer with its disclosure, draw, repay, contracts; the dashboard panel."""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from marketplace.errors import DomainError, NotFound
from marketplace.money import Money, MoneyError
from marketplace.web import ROLE_HOMES, register_dashboard_panel, register_nav, role_required

from . import invoice_payments, lending, services
from .ledger_accounts import merchant_available
from .models import LoanStatus

bp = Blueprint("credit", __name__, url_prefix="/credit")


def init_app(app) -> None:
    from .wording import reason_text

    app.register_blueprint(bp)
    app.add_template_global(reason_text)
    register_nav("merchant", "credit.home", _l("Credit"))
    register_dashboard_panel(credit_panel)
    ROLE_HOMES.setdefault("merchant", "credit.home")  # until the back office's dashboard takes it


def credit_panel(shop) -> Markup | None:
    """The pre-approved offer (or the line and what is owed) on the merchant dashboard."""
    try:
        summary = services.credit_summary(shop.id)
    except DomainError:
        return None
    return Markup(render_template("credit/_panel.html", s=summary))


def _parse_amount(raw: str | None, currency: str) -> Money | None:
    try:
        return Money.from_major((raw or "").strip().replace(",", ""), currency)
    except (MoneyError, ValueError):
        return None


@bp.get("/")
@role_required("merchant")
def home():
    try:
        shop = lending.merchant_shop(current_user.id)
    except DomainError as exc:
        return render_template("credit/home.html", shop=None, message=exc.message)
    summary = services.credit_summary(shop.id)
    loans = services.open_loans(shop.id)
    from sqlalchemy import select

    from marketplace.extensions import db

    from .models import Loan

    history = db.session.execute(select(Loan).where(Loan.shop_id == shop.id).order_by(Loan.id.desc()).limit(20)
                                 ).scalars().all()
    return render_template("credit/home.html", shop=shop, s=summary, loans=loans, history=history,
                           balance=merchant_available(shop.id), form_key=secrets.token_hex(16),
                           invoices=invoice_payments.open_invoices_payable(shop.id), LoanStatus=LoanStatus)


@bp.get("/estimate")
@role_required("merchant")
def estimate():
    """The disclosure for another amount, as the merchant moves the slider (JSON for the page)."""
    shop = lending.merchant_shop(current_user.id)
    summary = services.credit_summary(shop.id, refresh=False)
    terms = summary.get("terms")
    amount = _parse_amount(request.args.get("amount"), shop.currency)
    if terms is None or amount is None or amount.amount <= 0 or amount > summary["available"]:
        return jsonify({"error": _("Choose an amount up to %(max)s.", max=summary.get("available", Money.zero(shop.currency)))}), 400
    d = services.disclose(terms, amount, summary["estimated_daily_sales"])
    return jsonify({"funds_provided": str(d.funds_provided), "finance_charge": str(d.finance_charge),
                    "total_repayment": str(d.total_repayment), "estimated_apr": f"{d.estimated_apr}%",
                    "estimated_daily_payment": str(d.estimated_daily_payment),
                    "estimated_term_days": d.estimated_term_days,
                    "minimum_period_payment": str(d.minimum_period_payment)})


@bp.post("/draw")
@role_required("merchant")
def draw():
    shop = lending.merchant_shop(current_user.id)
    amount = _parse_amount(request.form.get("amount"), shop.currency)
    if amount is None:
        flash(_("Enter an amount such as 1000 or 1000.50."), "error")
        return redirect(url_for("credit.home")), 303
    try:
        loan = lending.draw(current_user.id, amount, accept_terms=request.form.get("accept_terms") == "yes",
                            signature_name=request.form.get("signature_name", ""), ip=request.remote_addr or "",
                            user_agent=request.headers.get("User-Agent", ""),
                            request_key=(request.form.get("form_key") or None))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("credit.home")), 303
    flash(_("%(amount)s is in your balance now.", amount=loan.principal), "success")
    return redirect(url_for("credit.home", drawn=loan.public_id)), 303


@bp.get("/invoices/<invoice_id>")
@role_required("merchant")
def invoice(invoice_id: str):
    """Pay one supplier invoice from the line: the disclosure for its amount, agreement and signature."""
    try:
        inv = invoice_payments.payable_invoice(current_user.id, invoice_id)
    except NotFound:
        return render_template("error.html", status=404, message=_("Page not found")), 404
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("credit.home")), 303
    summary = services.credit_summary(inv.buyer_shop_id)
    terms = summary.get("terms")
    disclosure = None
    if terms is not None and inv.money <= summary["available"]:
        disclosure = services.disclose(terms, inv.money, summary["estimated_daily_sales"])
    return render_template("credit/invoice.html", inv=inv, s=summary, d=disclosure, form_key=secrets.token_hex(16))


@bp.post("/invoices/<invoice_id>")
@role_required("merchant")
def pay_invoice(invoice_id: str):
    try:
        loan = invoice_payments.pay_supplier_invoice(
            current_user.id, invoice_id, accept_terms=request.form.get("accept_terms") == "yes",
            signature_name=request.form.get("signature_name", ""), ip=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""), request_key=(request.form.get("form_key") or None))
    except NotFound:
        return render_template("error.html", status=404, message=_("Page not found")), 404
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("credit.invoice", invoice_id=invoice_id)), 303
    flash(_("%(supplier)s is paid %(amount)s from your credit line.", supplier=loan.supplier_invoice.supplier_shop.name,
            amount=loan.principal), "success")
    return redirect(url_for("credit.home", drawn=loan.public_id)), 303


@bp.post("/repay")
@role_required("merchant")
def repay():
    shop = lending.merchant_shop(current_user.id)
    amount = _parse_amount(request.form.get("amount"), shop.currency)
    if amount is None:
        flash(_("Enter an amount such as 1000 or 1000.50."), "error")
        return redirect(url_for("credit.home")), 303
    try:
        lending.repay(current_user.id, amount)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("credit.home")), 303
    flash(_("Thank you: %(amount)s repaid.", amount=amount), "success")
    return redirect(url_for("credit.home")), 303


@bp.get("/contracts/<contract_id>.txt")
@role_required("merchant")
def contract(contract_id: str):
    try:
        c = lending.contract_for(current_user.id, contract_id)
    except DomainError:
        return render_template("error.html", status=404, message=_("Page not found")), 404
    body = c.terms_text + (f"\nSigned by user at {c.signed_at:%Y-%m-%d %H:%M:%S} UTC from {c.signed_from_ip}\n"
                           f"SHA-256 of the terms above: {c.terms_sha256}\n")
    return Response(body, mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={c.public_id}.txt"})
