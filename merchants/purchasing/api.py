"""Purchasing endpoints of the JSON API: suppliers, purchase orders and their steps, supplier invoices."""
from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from sqlalchemy import and_, or_, select

from marketplace.api_support import api_blueprint, api_login_required, current_api_user, field, json_body, paginate
from marketplace.catalog.models import Shop
from marketplace.errors import ValidationError
from marketplace.idempotency import idempotent
from marketplace.statemachine import utcnow

from . import services
from .models import InvoiceStatus, PurchaseOrder, PurchaseOrderStatus, SupplierInvoice

bp = api_blueprint("purchasing_api", __name__)


def _ts(value: datetime | None) -> int | None:
    from .models import _aware

    return int(_aware(value).timestamp()) if value else None


def order_json(order: PurchaseOrder) -> dict:
    return {
        "id": order.public_id,
        "object": "purchase_order",
        "status": order.status.value,
        "shop": order.buyer_shop.public_id,
        "supplier": order.supplier_shop.public_id,
        "supplier_name": order.supplier_shop.name,
        "payment_terms": order.payment_terms.value,
        "total": order.total_amount,
        "currency": order.currency,
        "note": order.note,
        "reject_reason": order.reject_reason,
        "lines": [{
            "id": line.id,
            "product": line.supplier_product.public_id,
            "sku": line.sku,
            "name": line.name,
            "unit": line.unit,
            "quantity": line.quantity,
            "received_quantity": line.received_quantity,
            "unit_price": line.unit_price_amount,
            "amount": line.line_total_amount,
            "into_product": line.buyer_product.public_id if line.buyer_product else None,
        } for line in order.lines],
        "receipts": [{
            "created": _ts(r.created_at),
            "lines": [{"line": rl.order_line_id, "quantity": rl.quantity} for rl in r.lines],
        } for r in order.receipts],
        "invoice": order.invoice.public_id if order.invoice else None,
        "created": _ts(order.created_at),
        "expected": _ts(order.expected_at),
        **{f"{step}_at": _ts(getattr(order, f"{step}_at"))
           for step in ("submitted", "confirmed", "rejected", "shipped", "received", "closed", "cancelled")},
    }


def invoice_json(invoice: SupplierInvoice) -> dict:
    return {
        "id": invoice.public_id,
        "object": "supplier_invoice",
        "status": invoice.status.value,
        "purchase_order": invoice.order.public_id,
        "shop": invoice.buyer_shop.public_id,
        "supplier": invoice.supplier_shop.public_id,
        "amount": invoice.amount,
        "currency": invoice.currency,
        "terms": invoice.terms.value,
        "issued": _ts(invoice.issued_at),
        "due": _ts(invoice.due_at),
        "overdue": invoice.is_overdue(),
        "paid_at": _ts(invoice.paid_at),
        "paid_on_time": invoice.paid_on_time,
        "payment_method": invoice.payment_method.value if invoice.payment_method else None,
    }


def _offer_json(offer: services.Offer) -> dict:
    p = offer.product
    return {
        "id": p.public_id, "object": "wholesale_product", "sku": p.sku, "name": p.name, "unit": p.unit,
        "category": p.category, "price": p.price_amount, "currency": p.currency, "stock_on_hand": p.stock_on_hand,
        "min_order_quantity": offer.min_order_quantity, "lead_time_days": offer.lead_time_days,
        "price_tiers": [{"min_quantity": q, "unit_price": m.amount} for q, m in offer.tiers],
    }


def _my_shop_ids(user_id: int) -> list[int]:
    from marketplace.extensions import db

    return list(db.session.execute(select(Shop.id).where(Shop.owner_id == user_id)).scalars())


def _either_side(model, *, supplier_sees=None):
    """Rows of `model` the caller's shops are party to, on the side the `side` argument asks for
    (buyer, supplier, or either); `supplier_sees` narrows what the supplier side may read."""
    shops = _my_shop_ids(current_api_user().id)
    side = request.args.get("side")
    if side not in (None, "", "buyer", "supplier"):
        raise ValidationError("'side' is buyer or supplier.", param="side")
    conditions = []
    if side in (None, "", "buyer"):
        conditions.append(model.buyer_shop_id.in_(shops))
    if side in (None, "", "supplier"):
        as_supplier = model.supplier_shop_id.in_(shops)
        conditions.append(as_supplier if supplier_sees is None else and_(as_supplier, supplier_sees))
    return or_(*conditions)


# -- suppliers --------------------------------------------------------------------------------------


def _float_arg(name: str) -> float | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValidationError(f"'{name}' must be a number.", param=name) from None


@bp.get("/suppliers")
@api_login_required()
def list_suppliers():
    """Suppliers near a point, by category and words.
    ---
    get:
      tags: [purchasing]
      summary: Find suppliers
      security: [{bearer: []}]
      parameters:
        - {name: lat, in: query, schema: {type: number}}
        - {name: lon, in: query, schema: {type: number}}
        - {name: radius_km, in: query, schema: {type: number, default: 50}}
        - {name: category, in: query, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}, description: words in the supplier's name or products}
      responses:
        200: {description: "a list of suppliers, nearest first, each with `distance_km`"}
        400: {description: "a bad point or radius"}
    """
    lat, lon = _float_arg("lat"), _float_arg("lon")
    if (lat is None) != (lon is None):
        raise ValidationError("Give both 'lat' and 'lon', or neither.", param="lat")
    radius = _float_arg("radius_km") or 50.0
    hits = services.find_suppliers(lat, lon, radius_km=radius, category=request.args.get("category") or None,
                                   words=request.args.get("q", ""))
    return jsonify({"object": "list", "url": request.path, "has_more": False, "data": [{
        "id": h.shop.public_id, "object": "supplier", "name": h.shop.name, "category": h.shop.category,
        "address": h.shop.address, "distance_km": round(h.distance_km, 2), "products": h.product_count,
    } for h in hits]})


@bp.get("/suppliers/<supplier_id>/products")
@api_login_required()
def supplier_products(supplier_id):
    """A supplier's wholesale catalogue with price tiers, minimum orders and lead times.
    ---
    get:
      tags: [purchasing]
      summary: A supplier's catalogue and terms
      security: [{bearer: []}]
      parameters:
        - {name: q, in: query, schema: {type: string}}
        - {name: category, in: query, schema: {type: string}}
      responses:
        200: {description: "the supplier's active products with their terms"}
        404: {description: "no such supplier"}
    """
    offers = services.supplier_catalogue(supplier_id, words=request.args.get("q", ""),
                                         category=request.args.get("category") or None)
    return jsonify({"object": "list", "url": request.path, "has_more": False,
                    "data": [_offer_json(o) for o in offers]})


@bp.put("/products/<product_id>/wholesale-terms")
@api_login_required()
def put_wholesale_terms(product_id):
    """Set a supplier product's minimum order, lead time and price tiers.
    ---
    put:
      tags: [purchasing]
      summary: Set wholesale terms
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                min_order_quantity: {type: integer, minimum: 1}
                lead_time_days: {type: integer, minimum: 0}
                price_tiers:
                  type: array
                  items: {type: object, properties: {min_quantity: {type: integer}, unit_price: {type: integer}}}
      responses:
        200: {description: "the product with its terms"}
        400: {description: "bad terms (tiers must get cheaper with quantity)"}
        404: {description: "not your product"}
    """
    body = json_body()
    tiers = field(body, "price_tiers", list, required=False, default=[])
    pairs = []
    for i, tier in enumerate(tiers):
        if not isinstance(tier, dict):
            raise ValidationError("Each tier is an object with min_quantity and unit_price.", param=f"price_tiers[{i}]")
        pairs.append((tier.get("min_quantity"), tier.get("unit_price")))
    terms = services.set_wholesale_terms(
        current_api_user().id, product_id,
        min_order_quantity=field(body, "min_order_quantity", int, required=False, default=1),
        lead_time_days=field(body, "lead_time_days", int, required=False, default=1), tiers=pairs)
    return jsonify(_offer_json(services.offers_for([terms.product_id])[terms.product_id]))


# -- purchase orders --------------------------------------------------------------------------------


@bp.post("/purchase-orders")
@api_login_required()
@idempotent
def create_order():
    """Draft a purchase order to a supplier (or place it at once with `submit`).
    ---
    post:
      tags: [purchasing]
      summary: Create a purchase order
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [supplier, lines]
              properties:
                supplier: {type: string, description: the supplier shop's id}
                lines:
                  type: array
                  items:
                    type: object
                    required: [product, quantity]
                    properties: {product: {type: string}, quantity: {type: integer, minimum: 1}}
                payment_terms: {type: string, enum: [now, net_7, net_30], default: net_7}
                note: {type: string}
                shop: {type: string, description: the buying shop when you have several}
                submit: {type: boolean, default: false}
      responses:
        201: {description: "the purchase order"}
        400: {description: "a bad line, quantity, minimum order or supplier"}
    """
    body = json_body()
    user = current_api_user()
    order = services.create_purchase_order(
        user.id, field(body, "supplier"), field(body, "lines", list),
        buyer_shop_id=field(body, "shop", required=False),
        payment_terms=field(body, "payment_terms", required=False, default="net_7"),
        note=field(body, "note", required=False, default=""))
    if field(body, "submit", bool, required=False, default=False):
        order = services.submit_purchase_order(user.id, order.id)
    return jsonify(order_json(order)), 201


@bp.get("/purchase-orders")
@api_login_required()
def list_orders():
    """Purchase orders you placed or received, newest first.
    ---
    get:
      tags: [purchasing]
      summary: List purchase orders
      security: [{bearer: []}]
      parameters:
        - {name: side, in: query, schema: {type: string, enum: [buyer, supplier]}}
        - {name: status, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, default: 10}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        200: {description: "a page of purchase orders"}
    """
    # Drafts are the buyer's own until sent.
    stmt = select(PurchaseOrder).where(_either_side(PurchaseOrder, supplier_sees=PurchaseOrder.status
                                                    != PurchaseOrderStatus.draft))
    status = request.args.get("status")
    if status:
        try:
            stmt = stmt.where(PurchaseOrder.status == PurchaseOrderStatus(status))
        except ValueError:
            raise ValidationError("Unknown status.", param="status") from None
    return jsonify(paginate(stmt, PurchaseOrder, order_json))


@bp.get("/purchase-orders/<po_id>")
@api_login_required()
def get_order(po_id):
    """One purchase order, to its buyer or its supplier.
    ---
    get:
      tags: [purchasing]
      summary: Get a purchase order
      security: [{bearer: []}]
      responses:
        200: {description: "the purchase order with its lines, receipts and each step's time"}
        404: {description: "no such order, or not yours"}
    """
    return jsonify(order_json(services.order_for_party(current_api_user().id, po_id)))


def _step(verb: str, summary: str, call):
    def view(po_id):
        order = call(current_api_user().id, po_id)
        return jsonify(order_json(order))

    view.__name__ = f"{verb}_order"
    view.__doc__ = f"""{summary}
    ---
    post:
      tags: [purchasing]
      summary: {summary}
      security: [{{bearer: []}}]
      responses:
        200: {{description: "the purchase order"}}
        403: {{description: "the other party's step"}}
        404: {{description: "no such order, or not yours"}}
        409: {{description: "the order is not in a state that allows this"}}
    """
    bp.post(f"/purchase-orders/<po_id>/{verb}")(api_login_required()(idempotent(view)))


_step("submit", "Send a draft to the supplier (buyer)", services.submit_purchase_order)
_step("confirm", "Confirm an order and reserve its stock (supplier)", services.confirm_purchase_order)
_step("ship", "Mark an order shipped (supplier)", services.ship_purchase_order)
_step("cancel", "Cancel an order before it ships (buyer)", services.cancel_purchase_order)


@bp.post("/purchase-orders/<po_id>/reject")
@api_login_required()
@idempotent
def reject_order(po_id):
    """Reject an order with a reason (supplier).
    ---
    post:
      tags: [purchasing]
      summary: Reject a purchase order (supplier)
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [reason], properties: {reason: {type: string}}}
      responses:
        200: {description: "the purchase order"}
        400: {description: "no reason"}
        409: {description: "the order is not awaiting confirmation"}
    """
    body = json_body()
    return jsonify(order_json(services.reject_purchase_order(current_api_user().id, po_id, field(body, "reason"))))


@bp.post("/purchase-orders/<po_id>/receive")
@api_login_required()
@idempotent
def receive_order(po_id):
    """Count in a delivery, in full or in part (buyer).
    ---
    post:
      tags: [purchasing]
      summary: Receive a purchase order into stock (buyer)
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                lines:
                  type: array
                  description: what arrived; leave out to receive everything still outstanding
                  items:
                    type: object
                    required: [quantity]
                    properties:
                      line: {type: integer, description: the order line's id}
                      product: {type: string, description: or the supplier's product id}
                      quantity: {type: integer, minimum: 0}
                      into: {type: string, description: "one of your products (else the remembered one, else a new one)"}
                note: {type: string}
      responses:
        200: {description: "the purchase order"}
        400: {description: "a quantity above what is still to come, or a bad line"}
        409: {description: "not shipped yet, or already received"}
    """
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        raise ValidationError("The request body must be a JSON object.")
    body = body or {}
    if not isinstance(body, dict):
        raise ValidationError("The request body must be a JSON object.")
    lines = field(body, "lines", list, required=False)
    receipt = services.receive_purchase_order(current_api_user().id, po_id, lines,
                                              note=field(body, "note", required=False, default=""))
    return jsonify(order_json(receipt.order))


@bp.post("/purchase-orders/reorder")
@api_login_required()
def reorder():
    """Draft orders to the last supplier of every low-stock product.
    ---
    post:
      tags: [purchasing]
      summary: Reorder low stock
      security: [{bearer: []}]
      responses:
        200: {description: "`orders`: the drafts; `without_supplier`: low products never bought here"}
    """
    result = services.reorder_low_stock(current_api_user().id)
    return jsonify({"object": "reorder", "orders": [order_json(o) for o in result.orders],
                    "without_supplier": [p.public_id for p in result.without_supplier]})


# -- invoices ---------------------------------------------------------------------------------------


@bp.get("/invoices")
@api_login_required()
def list_invoices():
    """Supplier invoices you owe or are owed, newest first.
    ---
    get:
      tags: [purchasing]
      summary: List supplier invoices
      security: [{bearer: []}]
      parameters:
        - {name: side, in: query, schema: {type: string, enum: [buyer, supplier]}}
        - {name: status, in: query, schema: {type: string, enum: [open, paid, void]}}
        - {name: overdue, in: query, schema: {type: boolean}}
        - {name: limit, in: query, schema: {type: integer, default: 10}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        200: {description: "a page of invoices"}
    """
    stmt = select(SupplierInvoice).where(_either_side(SupplierInvoice))
    status = request.args.get("status")
    if status:
        try:
            stmt = stmt.where(SupplierInvoice.status == InvoiceStatus(status))
        except ValueError:
            raise ValidationError("'status' is open, paid or void.", param="status") from None
    overdue = request.args.get("overdue")
    if overdue not in (None, "", "true", "false"):
        raise ValidationError("'overdue' is true or false.", param="overdue")
    if overdue == "true":
        stmt = stmt.where(SupplierInvoice.status == InvoiceStatus.open, SupplierInvoice.due_at < utcnow())
    elif overdue == "false":
        stmt = stmt.where(or_(SupplierInvoice.status != InvoiceStatus.open, SupplierInvoice.due_at >= utcnow()))
    return jsonify(paginate(stmt, SupplierInvoice, invoice_json))


@bp.get("/invoices/<invoice_id>")
@api_login_required()
def get_invoice(invoice_id):
    """One supplier invoice, to its buyer or its supplier.
    ---
    get:
      tags: [purchasing]
      summary: Get a supplier invoice
      security: [{bearer: []}]
      responses:
        200: {description: "the invoice"}
        404: {description: "no such invoice, or not yours"}
    """
    return jsonify(invoice_json(services.invoice_for_party(current_api_user().id, invoice_id)))


@bp.post("/invoices/<invoice_id>/pay")
@api_login_required()
@idempotent
def pay_invoice(invoice_id):
    """Pay a supplier invoice from your available balance or by card (buyer).
    ---
    post:
      tags: [purchasing]
      summary: Pay a supplier invoice
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [method]
              properties:
                method: {type: string, enum: [card, balance]}
                payment_method_id: {type: string, description: "the provider's payment method (pm_...), for card"}
      responses:
        200: {description: "the paid invoice"}
        400: {description: "an unknown method, no card, or a balance short of the amount (`balance_insufficient`)"}
        402: {description: "the card was declined"}
        403: {description: "the supplier cannot pay its own invoice"}
        404: {description: "no such invoice, or not yours"}
        409: {description: "already paid, or voided"}
    """
    from . import payments

    body = json_body()
    invoice = payments.pay_invoice(
        current_api_user().id, invoice_id, field(body, "method", choices=("card", "balance")),
        payment_method_id=field(body, "payment_method_id", required=False),
        idempotency_key=request.headers.get("Idempotency-Key"))
    return jsonify(invoice_json(invoice))


@bp.get("/purchase-history")
@api_login_required()
def purchase_history():
    """Your shop's supplier purchases and how punctually they were paid.
    ---
    get:
      tags: [purchasing]
      summary: Purchase history and payment punctuality
      security: [{bearer: []}]
      responses:
        200: {description: "`summary` (spend, suppliers, on-time share, overdue) and `data` (each invoice)"}
    """
    shop = services.buyer_shop_for(current_api_user().id, request.args.get("shop"))
    summary = services.purchase_summary(shop.id)
    history = services.purchase_history(shop.id)
    return jsonify({
        "object": "purchase_history", "shop": shop.public_id,
        "summary": {**{k: v for k, v in summary.items() if k not in ("spend", "overdue", "on_time_share")},
                    "spend": summary["spend"].amount, "overdue": summary["overdue"].amount,
                    "currency": summary["spend"].currency,
                    "on_time_share": float(summary["on_time_share"]) if summary["on_time_share"] is not None
                    else None},
        "data": [{**h, "amount": h["amount"].amount, "currency": h["amount"].currency,
                  "issued_at": _ts(h["issued_at"]), "due_at": _ts(h["due_at"]), "paid_at": _ts(h["paid_at"])}
                 for h in history],
    })
