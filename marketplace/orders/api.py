"""Order endpoints of the JSON API: place, read, move along, cancel, refund and review."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import jsonify, request
from sqlalchemy import or_, select

from ..api_support import api_blueprint, api_login_required, current_api_user, field, json_body, paginate
from ..catalog.models import Shop
from ..errors import ValidationError
from ..idempotency import idempotent
from ..i18n import translate
from . import services
from .models import Order, OrderStatus, Review

bp = api_blueprint("orders_api", __name__)

STEPS = ("placed", "accepted", "ready", "out_for_delivery", "completed", "rejected", "cancelled")


def _ts(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored in UTC
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def payment_json(order: Order) -> dict:
    payment = order.payment
    if payment is None:
        return {"status": "pending", "method": order.payment_method.value, "id": None, "amount_refunded": 0}
    return {
        "status": payment.status.value,
        "method": payment.method.value,
        "id": payment.provider_id,  # the provider's id (pi_...) when by card
        "amount": payment.amount,
        "amount_refunded": payment.refunded_amount,
        "failure_message": translate(payment.failure_message) if payment.failure_message else None,
    }


def order_json(order: Order) -> dict:
    return {
        "id": order.public_id,
        "object": "order",
        "status": order.status.value,
        "shop": order.shop.public_id,
        "shop_name": order.shop.name,
        "fulfilment": order.fulfilment.value,
        "payment_method": order.payment_method.value,
        "subtotal": order.subtotal_amount,
        "delivery_fee": order.delivery_fee_amount,
        "total": order.total_amount,
        "currency": order.currency,
        "lines": [{
            "product": line.product.public_id, "name": line.name, "quantity": line.quantity,
            "unit_price": line.unit_price_amount, "amount": line.line_total_amount,
        } for line in order.lines],
        "address": order.delivery_address,
        "lat": order.delivery_latitude,
        "lon": order.delivery_longitude,
        "note": order.note,
        "reject_reason": order.reject_reason,
        "payment": payment_json(order),
        "created": _ts(order.placed_at),
        **{f"{step}_at": _ts(getattr(order, f"{step}_at")) for step in STEPS},
    }


def resident_order_json(order: Order, resident_id: int) -> dict:
    """The order as its resident sees it: while the card's bank wants a check (3-D Secure), the payment
    carries `next_action` with the `client_secret` the provider's client library needs to run it."""
    data = order_json(order)
    if order.resident_id == resident_id and data["payment"]["status"] == "requires_action":
        secret = services.payment_authentication(resident_id, order.public_id)
        if secret:
            data["payment"]["next_action"] = {"type": "authenticate", "client_secret": secret}
        else:  # the check finished meanwhile
            data = order_json(order)
    return data


def _lines(body: dict) -> list[tuple]:
    raw = field(body, "lines", list)
    lines = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValidationError("Each line is an object with 'product' and 'quantity'.", param=f"lines[{index}]")
        product = item.get("product")
        if not isinstance(product, str) or not product.strip():
            raise ValidationError("Each line names a 'product' by its id.", param=f"lines[{index}].product")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ValidationError("'quantity' must be a whole number.", param=f"lines[{index}].quantity")
        lines.append((product, quantity))
    return lines


@bp.post("/orders")
@api_login_required("resident")
@idempotent
def create_order():
    """Place an order with a shop.
    ---
    post:
      summary: Place an order (send an Idempotency-Key so a retry creates nothing twice)
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, required: false, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [shop, lines, fulfilment, payment_method]
              properties:
                shop: {type: string, example: shop_abc}
                lines:
                  type: array
                  items:
                    type: object
                    required: [product, quantity]
                    properties:
                      product: {type: string, example: prd_abc}
                      quantity: {type: integer, minimum: 1}
                fulfilment: {type: string, enum: [pickup, delivery]}
                payment_method: {type: string, enum: [card, cash]}
                payment_method_id: {type: string, example: pm_card_visa, description: "the provider's payment method, for card"}
                address: {type: string, description: for delivery}
                lat: {type: number}
                lon: {type: number}
                note: {type: string}
      responses:
        "201": {description: The order}
        "400": {description: "Invalid lines, fulfilment, payment method, or outside the radius or below the minimum"}
        "402": {description: The card was declined}
        "404": {description: Unknown shop or a product the shop does not sell}
        "409": {description: "Not enough stock, or the shop is closed"}
    """
    user = current_api_user()
    body = json_body()
    checkout = services.Checkout(
        fulfilment=field(body, "fulfilment"),
        payment_method=field(body, "payment_method"),
        payment_method_id=field(body, "payment_method_id", required=False),
        address=field(body, "address", required=False),
        lat=field(body, "lat", float, required=False),
        lon=field(body, "lon", float, required=False),
        note=field(body, "note", required=False, default=""),
    )
    order = services.place_order(user.id, field(body, "shop"), _lines(body), checkout,
                                 idempotency_key=request.headers.get("Idempotency-Key") or None)
    return jsonify(resident_order_json(order, user.id)), 201


@bp.get("/orders")
@api_login_required()
def list_orders():
    """The caller's orders: placed as a resident, or received by the caller's shops.
    ---
    get:
      summary: List orders, newest first
      security: [{bearer: []}]
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [placed, accepted, ready, out_for_delivery, completed, rejected, cancelled]}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        "200": {description: "A list with has_more"}
    """
    user = current_api_user()
    shop_ids = select(Shop.id).where(Shop.owner_id == user.id)
    stmt = select(Order).where(or_(Order.resident_id == user.id, Order.shop_id.in_(shop_ids)))
    status = request.args.get("status")
    if status:
        if status not in OrderStatus.__members__:
            raise ValidationError("Unknown status.", param="status")
        stmt = stmt.where(Order.status == OrderStatus(status))
    return jsonify(paginate(stmt, Order, order_json))


@bp.get("/orders/<order_id>")
@api_login_required()
def get_order(order_id):
    """One order, to its resident or its shop.
    ---
    get:
      summary: Retrieve an order
      security: [{bearer: []}]
      responses:
        "200": {description: "The order; to its resident, a payment waiting for the bank's check carries next_action.client_secret"}
        "404": {description: No such order}
    """
    user = current_api_user()
    return jsonify(resident_order_json(services.order_for_party(user.id, order_id), user.id))


@bp.post("/orders/<order_id>/payment/confirm")
@api_login_required("resident")
@idempotent
def confirm_payment(order_id):
    """After the bank's check (3-D Secure) ran in the resident's app: record how it went, by the provider's word.
    ---
    post:
      summary: Record the outcome of the card's bank check
      security: [{bearer: []}]
      responses:
        "200": {description: "The order: payment succeeded, or failed with failure_message (nothing charged)"}
        "404": {description: No such order}
    """
    user = current_api_user()
    return jsonify(resident_order_json(services.confirm_card_payment(user.id, order_id), user.id))


@bp.post("/orders/<order_id>/pay")
@api_login_required("resident")
@idempotent
def pay_order(order_id):
    """Pay an unpaid card order with another card, after the first attempt failed.
    ---
    post:
      summary: Pay an order again by card (send an Idempotency-Key)
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [payment_method_id]
              properties:
                payment_method_id: {type: string, example: pm_card_visa}
      responses:
        "200": {description: "The order; already paid or still under way: unchanged"}
        "400": {description: No payment method or no Idempotency-Key}
        "402": {description: The card was declined}
        "409": {description: The order is not waiting for a card payment}
    """
    user = current_api_user()
    order = services.pay_order_by_card(user.id, order_id, field(json_body(), "payment_method_id"),
                                       idempotency_key=request.headers.get("Idempotency-Key") or "")
    return jsonify(resident_order_json(order, user.id))


def _step(order_id, action):
    return jsonify(order_json(action(current_api_user().id, order_id)))


@bp.post("/orders/<order_id>/accept")
@api_login_required("merchant")
@idempotent
def accept_order(order_id):
    """The shop takes the order.
    ---
    post:
      summary: Accept an order
      security: [{bearer: []}]
      responses:
        "200": {description: The order}
        "409": {description: The order is not waiting to be accepted}
    """
    return _step(order_id, services.accept_order)


@bp.post("/orders/<order_id>/reject")
@api_login_required("merchant")
@idempotent
def reject_order(order_id):
    """The shop refuses the order; stock goes back and the resident is refunded.
    ---
    post:
      summary: Reject an order with a reason
      security: [{bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [reason], properties: {reason: {type: string}}}
      responses:
        "200": {description: The order}
        "400": {description: No reason given}
        "409": {description: The order is not waiting to be accepted}
    """
    reason = field(json_body(), "reason")
    return jsonify(order_json(services.reject_order(current_api_user().id, order_id, reason)))


@bp.post("/orders/<order_id>/ready")
@api_login_required("merchant")
@idempotent
def ready_order(order_id):
    """Ready for pickup, or out for delivery, by the order's fulfilment.
    ---
    post:
      summary: Mark an order ready (pickup) or out for delivery
      security: [{bearer: []}]
      responses:
        "200": {description: The order}
        "409": {description: The order is not accepted}
    """
    return _step(order_id, services.mark_order_ready)


@bp.post("/orders/<order_id>/complete")
@api_login_required("merchant")
@idempotent
def complete_order(order_id):
    """Handed over to the resident; cash is collected.
    ---
    post:
      summary: Complete an order
      security: [{bearer: []}]
      responses:
        "200": {description: The order}
        "409": {description: The order is not ready or out for delivery}
    """
    return _step(order_id, services.complete_order)


@bp.post("/orders/<order_id>/cancel")
@api_login_required("resident")
@idempotent
def cancel_order(order_id):
    """The resident cancels before the shop accepts; stock goes back and any payment is returned.
    ---
    post:
      summary: Cancel an order
      security: [{bearer: []}]
      responses:
        "200": {description: The order}
        "409": {description: The shop has already accepted it}
    """
    return _step(order_id, services.cancel_order)


@bp.post("/orders/<order_id>/refunds")
@api_login_required("merchant")
@idempotent
def refund_order(order_id):
    """Give back part or all of what was paid.
    ---
    post:
      summary: Refund an order, whole or in part
      security: [{bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [amount]
              properties:
                amount: {type: integer, minimum: 1, description: minor units}
                reason: {type: string}
      responses:
        "200": {description: The order with its payment's refunded amount}
        "400": {description: "More than is left to refund, or not a positive whole number"}
        "409": {description: The order is still in progress}
    """
    body = json_body()
    order = services.refund_order(current_api_user().id, order_id, field(body, "amount", int),
                                  reason=field(body, "reason", required=False, default=""))
    return jsonify(order_json(order))


def review_json(review: Review) -> dict:
    return {"id": review.public_id, "object": "review", "order": review.order.public_id,
            "shop": review.order.shop.public_id, "rating": review.rating, "text": review.text,
            "created": _ts(review.created_at)}


@bp.post("/orders/<order_id>/review")
@api_login_required("resident")
@idempotent
def review_order(order_id):
    """Rate a completed order, once.
    ---
    post:
      summary: Review a completed order
      security: [{bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [rating]
              properties:
                rating: {type: integer, minimum: 1, maximum: 5}
                text: {type: string}
      responses:
        "201": {description: The review}
        "409": {description: "Not completed, or already reviewed"}
    """
    body = json_body()
    review = services.review_order(current_api_user().id, order_id, field(body, "rating", int),
                                   field(body, "text", required=False, default=""))
    return jsonify(review_json(review)), 201
