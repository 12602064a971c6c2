"""Residents' pages: a shop's storefront, its cart and checkout, the order list and each order."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..catalog.models import Product, ProductStatus
from ..errors import DomainError
from ..extensions import db
from ..pagecache import cached_for_visitors
from ..web import role_required
from . import cart, services, storefront as storefront_page
from .forms import ActionForm, AddToCartForm, CheckoutForm, PayByCardForm, ReviewForm
from .models import PaymentStatus, Review

bp = Blueprint("orders", __name__)


def _shop_or_404(shop_id: str):
    try:
        return services.load_shop(shop_id)
    except DomainError:
        abort(404)


@bp.get("/shops/<shop_id>")
@cached_for_visitors(storefront_page.stamp)
def storefront(shop_id):
    shop = _shop_or_404(shop_id)
    products = db.session.execute(
        select(Product).where(Product.shop_id == shop.id, Product.status == ProductStatus.active)
        .order_by(Product.category, Product.name)).scalars().all()
    rating, reviews_count = services.shop_rating(shop.id)
    in_cart = cart.quantities(shop)
    here = _resident_point()
    can_order = current_user.is_authenticated and current_user.has_role("resident")
    return render_template(
        "orders/storefront.html", shop=shop, products=products, in_cart=in_cart, rating=rating,
        reviews_count=reviews_count, reviews=services.shop_reviews(shop.id, 10), can_order=can_order,
        open_now=services.shop_is_open(shop), item_count=cart.item_count(shop),
        delivers_here=services.delivers_to(shop, *here) if here else None)


def _resident_point() -> tuple[float, float] | None:
    if current_user.is_authenticated and current_user.latitude is not None and current_user.longitude is not None:
        return current_user.latitude, current_user.longitude
    return None


@bp.post("/shops/<shop_id>/cart")
@role_required("resident")
def update_cart(shop_id):
    shop = _shop_or_404(shop_id)
    form = AddToCartForm()
    if not form.validate_on_submit():
        flash(_("Choose a quantity from 0 to 999."), "error")
        return redirect(url_for("orders.storefront", shop_id=shop.public_id)), 303
    if request.form.get("set"):
        cart.set_quantity(shop, form.product.data, form.quantity.data)
    else:
        cart.add(shop, form.product.data, form.quantity.data)
    target = "orders.cart_page" if request.form.get("back") == "cart" else "orders.storefront"
    return redirect(url_for(target, shop_id=shop.public_id) + ("" if target == "orders.cart_page" else "#cart-bar"))


@bp.get("/shops/<shop_id>/cart")
@role_required("resident")
def cart_page(shop_id):
    shop = _shop_or_404(shop_id)
    form = CheckoutForm()
    _prefill(form, shop)
    return _render_cart(shop, form)


def _prefill(form: CheckoutForm, shop) -> None:
    form.checkout_key.data = form.checkout_key.data or secrets.token_urlsafe(16)
    if not form.fulfilment.data:
        form.fulfilment.data = "pickup" if shop.pickup_enabled else "delivery"
    if form.address.data is None and current_user.address:
        form.address.data = current_user.address
    if form.lat.data is None and current_user.latitude is not None:
        form.lat.data, form.lon.data = current_user.latitude, current_user.longitude


def _render_cart(shop, form, status=200):
    lines = cart.lines(shop)
    subtotal = cart.subtotal(shop, lines)
    return render_template("orders/cart.html", shop=shop, lines=lines, subtotal=subtotal, form=form,
                           item_form=AddToCartForm(), open_now=services.shop_is_open(shop)), status


@bp.post("/shops/<shop_id>/checkout")
@role_required("resident")
def checkout(shop_id):
    shop = _shop_or_404(shop_id)
    form = CheckoutForm()
    if not form.validate_on_submit():
        return _render_cart(shop, form, 400)
    lines = [(line.product.id, line.quantity) for line in cart.lines(shop)]
    choice = services.Checkout(
        fulfilment=form.fulfilment.data, payment_method=form.payment_method.data,
        payment_method_id=form.payment_method_id.data or None, address=form.address.data,
        lat=form.lat.data, lon=form.lon.data, note=form.note.data or "")
    try:
        order = services.place_order(current_user.id, shop.id, lines, choice, idempotency_key=form.checkout_key.data)
    except DomainError as exc:
        flash(exc.message, "error")
        return _render_cart(shop, form, 409 if exc.status == 409 else 400)
    cart.clear(shop)
    if order.awaiting_card_payment:
        flash(_("Your bank wants you to confirm this payment. The shop gets the order once it is paid."), "info")
    else:
        flash(_("Order placed. The shop has it now."), "success")
    return redirect(url_for("orders.order_page", order_id=order.public_id), 303)


@bp.get("/orders")
@role_required("resident")
def my_orders():
    return render_template("orders/my_orders.html", orders=services.resident_orders(current_user.id))


def _my_order(order_id):
    try:
        return services.order_for_resident(current_user.id, order_id)
    except DomainError:
        abort(404)


@bp.get("/orders/<order_id>")
@role_required("resident")
def order_page(order_id):
    order = _my_order(order_id)
    review = db.session.execute(select(Review).where(Review.order_id == order.id)).scalar_one_or_none()
    secret, pay_form = None, None
    if order.status.value == "placed" and order.awaiting_card_payment:
        if order.payment is not None and order.payment.status == PaymentStatus.requires_action:
            try:
                secret = services.payment_authentication(current_user.id, order.public_id)
            except DomainError as exc:
                flash(exc.message, "error")
        pay_form = PayByCardForm(payment_key=secrets.token_urlsafe(16))
    return render_template("orders/order.html", order=order, review=review, form=ActionForm(),
                           review_form=ReviewForm(), auth_secret=secret, pay_form=pay_form)


@bp.post("/orders/<order_id>/payment/confirm")
@role_required("resident")
def confirm_payment(order_id):
    """The bank's check ran in the browser: record how it went (the provider says, not the browser)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    return _payment_step(order_id, lambda: services.confirm_card_payment(current_user.id, order_id))


@bp.post("/orders/<order_id>/pay")
@role_required("resident")
def pay(order_id):
    """Pay an order with another card after the first attempt failed."""
    form = PayByCardForm()
    if not form.validate_on_submit():
        flash(_("The card could not be read; check the number, expiry and CVC."), "error")
        return redirect(url_for("orders.order_page", order_id=order_id), 303)
    return _payment_step(order_id, lambda: services.pay_order_by_card(
        current_user.id, order_id, form.payment_method_id.data, idempotency_key=form.payment_key.data))


def _payment_step(order_id, step):
    """Run a payment step and go back to the order, saying whether it is paid now or what went wrong."""
    try:
        order = step()
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        if not order.awaiting_card_payment:
            flash(_("Paid. The shop has your order now."), "success")
    return redirect(url_for("orders.order_page", order_id=order_id), 303)


@bp.get("/orders/<order_id>/status")
@role_required("resident")
def order_status(order_id):
    """The order's status for the page to follow without a reload."""
    order = _my_order(order_id)
    return jsonify({"status": order.status.value, "version": order.version})


@bp.post("/orders/<order_id>/cancel")
@role_required("resident")
def cancel(order_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_order(current_user.id, order_id)
        flash(_("Order cancelled."), "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("orders.order_page", order_id=order_id), 303)


@bp.post("/orders/<order_id>/review")
@role_required("resident")
def review(order_id):
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Choose a rating from 1 to 5."), "error")
        return redirect(url_for("orders.order_page", order_id=order_id), 303)
    try:
        services.review_order(current_user.id, order_id, int(form.rating.data), form.text.data or "")
        flash(_("Thank you for your review."), "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("orders.order_page", order_id=order_id), 303)
