"""The merchant's money page: balances, every line that made them, payouts, bank account, CSV export."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.errors import DomainError
from marketplace.web import role_required

from . import payouts, services
from .forms import BankAccountForm
from .statements import KINDS, statement

bp = Blueprint("ledger", __name__, url_prefix="/merchant/money")
MERCHANTS = ("merchant", "supplier")


def _day(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=timezone.utc)
    except ValueError:
        return None


def _filters() -> dict:
    kind = request.args.get("type") or None
    until = _day("to")
    return {"kind": kind if kind in KINDS else None, "since": _day("from"),
            "until": until + timedelta(days=1) if until else None}


def money_panel(shop) -> Markup:
    """The merchant dashboard's panel: available and pending balance, linking to the money page."""
    return Markup(render_template("ledger/_panel.html", balances=services.merchant_balances(shop.id, shop.currency)))


@bp.get("/")
@role_required(*MERCHANTS)
def money():
    try:
        shop = services.shop_of(current_user.id)
    except DomainError:
        return render_template("ledger/no_shop.html")
    balances = services.merchant_balances(shop.id, shop.currency)
    lines = statement(shop.id, shop.currency, limit=200, **_filters())
    bank = payouts.bank_account_of(shop.id)
    form = BankAccountForm(obj=bank) if bank else BankAccountForm()
    return render_template("ledger/money.html", shop=shop, balances=balances, lines=lines, kinds=KINDS,
                           payouts=payouts.payouts_of(shop.id), bank=bank, form=form, args=request.args)


@bp.post("/bank-account")
@role_required(*MERCHANTS)
def bank_account():
    shop = services.shop_of(current_user.id)
    form = BankAccountForm()
    if form.validate_on_submit():
        try:
            payouts.save_bank_account(shop.id, holder_name=form.holder_name.data, bank_name=form.bank_name.data,
                                      account_number=form.account_number.data, branch_code=form.branch_code.data or "")
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Bank account saved. Payouts go there from the next daily run."), "success")
            return redirect(url_for("ledger.money"))
    else:
        flash(_("Check the bank account details."), "error")
    balances = services.merchant_balances(shop.id, shop.currency)
    return render_template("ledger/money.html", shop=shop, balances=balances,
                           lines=statement(shop.id, shop.currency, limit=200), kinds=KINDS,
                           payouts=payouts.payouts_of(shop.id), bank=payouts.bank_account_of(shop.id), form=form,
                           args={}), 400


@bp.get("/transactions.csv")
@role_required(*MERCHANTS)
def export():
    shop = services.shop_of(current_user.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "date", "type", "description", "reference", "available_change", "pending_change",
                     "balance_after", "currency"])
    for line in reversed(statement(shop.id, shop.currency, limit=None, **_filters())):
        writer.writerow([line.public_id, line.effective_at.isoformat(), line.kind, line.description,
                         line.reference or "", line.available.major, line.pending.major, line.balance_after.major,
                         shop.currency])
    # A byte-order mark so spreadsheet programs read the Chinese descriptions as UTF-8.
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=money-{shop.public_id}.csv"})
