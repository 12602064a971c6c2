"""The merchant's order inbox: new orders appear without a reload; each button is one step of the order."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.errors import DomainError
from marketplace.orders import services
from marketplace.money import Money, MoneyError
from marketplace.orders.forms import ActionForm, RefundForm, RejectForm
from marketplace.web import role_required

bp = Blueprint("fulfilment", __name__, url_prefix="/merchant/orders")

STEPS = {
    "accept": (services.accept_order, lambda: _("Order accepted.")),
    "ready": (services.mark_order_ready, lambda: _("Marked ready.")),
    "complete": (services.complete_order, lambda: _("Order completed.")),
}


@bp.get("/")
@role_required("merchant")
def inbox():
    show_all = request.args.get("all") == "1"
    orders = services.merchant_inbox(current_user.id, open_only=not show_all)
    return render_template("fulfilment/inbox.html", orders=orders, show_all=show_all, form=ActionForm(),
                           reject_form=RejectForm(), refund_form=RefundForm(),
                           waiting=services.unseen_count(current_user.id),
                           latest=max((o.id for o in orders), default=0))


@bp.get("/feed")
@role_required("merchant")
def feed():
    """What the inbox polls: how many orders wait, and the newest order's number, to spot new ones."""
    orders = services.merchant_inbox(current_user.id, limit=1)
    return jsonify({"waiting": services.unseen_count(current_user.id), "latest": orders[0].id if orders else 0})


@bp.post("/<order_id>/refund")
@role_required("merchant")
def refund(order_id):
    """Give part or all of what the resident paid back (after completion, rejection or cancellation)."""
    form = RefundForm()
    back = redirect(url_for("fulfilment.inbox", all=1) + f"#{order_id}", 303)
    if not form.validate_on_submit():
        flash(_("Give the amount to refund, such as 5.50."), "error")
        return back
    try:
        order = services.order_for_merchant(current_user.id, order_id)
        amount = Money.from_major(form.amount.data.strip().replace(",", ""), order.currency)
    except MoneyError:
        flash(_("Give the amount to refund, such as 5.50."), "error")
        return back
    except DomainError as exc:
        flash(exc.message, "error")
        return back
    try:
        services.refund_order(current_user.id, order_id, amount.amount, reason=form.reason.data or "")
        flash(_("Refunded %(amount)s.", amount=amount.format()), "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return back


@bp.post("/<order_id>/<step>")
@role_required("merchant")
def act(order_id, step):
    if step == "reject":
        form = RejectForm()
        if not form.validate_on_submit():
            flash(_("Say why the order is rejected."), "error")
            return redirect(url_for("fulfilment.inbox"), 303)
        try:
            services.reject_order(current_user.id, order_id, form.reason.data)
            flash(_("Order rejected; the stock is back and the resident is told."), "success")
        except DomainError as exc:
            flash(exc.message, "error")
        return redirect(url_for("fulfilment.inbox"), 303)
    if step not in STEPS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    action, message = STEPS[step]
    try:
        action(current_user.id, order_id)
        flash(message(), "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("fulfilment.inbox"), 303)
