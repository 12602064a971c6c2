"""Back-office endpoints of the JSON API: a merchant's shops, products and stock movements.

Only the owner sees or changes these: another account gets 404 for the shop or product, as if it
did not exist. Amounts are integer minor units with the shop's currency.
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from sqlalchemy import select

from marketplace.api_support import api_blueprint, api_login_required, current_api_user, json_body, paginate
from marketplace.catalog.models import Product, ProductStatus, Shop, StockMovement
from marketplace.errors import DomainError, ValidationError
from marketplace.extensions import db
from marketplace.idempotency import idempotent

from . import inventory, services
from .media import thumbnail_path
from .wording import localise

bp = api_blueprint("backoffice_api", __name__)
SHOP_ROLES = services.SHOP_ROLES


@bp.errorhandler(DomainError)
def _refused(exc: DomainError):
    """Errors in the caller's language, as the rest of the API answers; parameters keep their JSON names
    (`'price' 必须是 ...`) so a programmer can find them, and `param` and `code` never change."""
    body = exc.to_json()
    body["error"]["message"] = localise(exc.message, names=False)
    return jsonify(body), exc.status

# JSON names that differ from the column they fill.
_SHOP_RENAMES = {"delivery_fee": "delivery_fee_amount", "minimum_order": "minimum_order_amount"}
_PRODUCT_RENAMES = {"price": "price_amount"}


def _media(path: str | None, thumb: bool = False) -> str | None:
    if not path:
        return None
    return url_for("media.uploaded", filename=thumbnail_path(path) if thumb else path, _external=True)


def _ts(value) -> int | None:
    return int(value.timestamp()) if value else None


def shop_json(shop: Shop) -> dict:
    return {
        "id": shop.public_id, "object": "shop", "name": shop.name, "kind": shop.kind.value,
        "category": shop.category, "description": shop.description, "address": shop.address,
        "latitude": shop.latitude, "longitude": shop.longitude, "currency": shop.currency,
        "delivery_enabled": shop.delivery_enabled, "delivery_radius_km": shop.delivery_radius_km,
        "delivery_fee": shop.delivery_fee_amount, "minimum_order": shop.minimum_order_amount,
        "pickup_enabled": shop.pickup_enabled, "opening_hours": shop.opening_hours or {},
        "is_open": shop.is_open, "logo": _media(shop.logo_path), "created": _ts(shop.created_at),
    }


def product_json(product: Product) -> dict:
    return {
        "id": product.public_id, "object": "product", "shop": product.shop.public_id, "sku": product.sku,
        "name": product.name, "name_en": product.name_en, "description": product.description,
        "category": product.category, "unit": product.unit, "price": product.price_amount,
        "currency": product.currency, "stock_on_hand": product.stock_on_hand,
        "low_stock_threshold": product.low_stock_threshold, "status": product.status.value,
        "photo": _media(product.photo_path), "thumbnail": _media(product.photo_path, thumb=True),
        "created": _ts(product.created_at), "updated": _ts(product.updated_at),
    }


def movement_json(line: inventory.LedgerLine, product: Product) -> dict:
    return {
        "id": f"sm_{line.id}", "object": "stock_movement", "product": product.public_id,
        "quantity": line.quantity, "reason": line.reason.value,
        "adjustment_reason": line.adjustment_reason.value if line.adjustment_reason else None,
        "running_count": line.running_count, "note": line.note, "reference": line.reference,
        "created_by": line.by, "created": _ts(line.at),
    }


def _renamed(body: dict, renames: dict) -> dict:
    return {renames.get(key, key): value for key, value in body.items()}


def _user_id() -> int:
    return current_api_user().id


# -- shops ------------------------------------------------------------------------------------------


@bp.post("/shops")
@api_login_required(*SHOP_ROLES)
@idempotent
def create_shop():
    """Open a shop.
    ---
    post:
      tags: [back office]
      summary: Open a shop
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ShopFields"}
      responses:
        201: {description: the shop}
        400: {description: "a missing or invalid field (coordinates out of range, unknown category, bad hours)"}
        403: {description: not a merchant or supplier}
    """
    shop = services.create_shop(_user_id(), _renamed(json_body(), _SHOP_RENAMES))
    return jsonify(shop_json(shop)), 201


@bp.get("/shops")
@api_login_required(*SHOP_ROLES)
def list_shops():
    """Your shops.
    ---
    get:
      tags: [back office]
      summary: List your shops
      security: [{bearer: []}]
      responses:
        200: {description: "a list of shops"}
    """
    stmt = select(Shop).where(Shop.owner_id == _user_id())
    return jsonify(paginate(stmt, Shop, shop_json, newest_first=False))


@bp.get("/shops/<shop_id>")
@api_login_required(*SHOP_ROLES)
def get_shop(shop_id: str):
    """One of your shops.
    ---
    get:
      tags: [back office]
      summary: Retrieve a shop
      security: [{bearer: []}]
      responses:
        200: {description: the shop}
        404: {description: no such shop of yours}
    """
    return jsonify(shop_json(services.owned_shop(_user_id(), shop_id)))


@bp.patch("/shops/<shop_id>")
@api_login_required(*SHOP_ROLES)
def update_shop(shop_id: str):
    """Change a shop's profile: any of the fields, the rest stay.
    ---
    patch:
      tags: [back office]
      summary: Update a shop
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ShopFields"}
      responses:
        200: {description: the shop}
        400: {description: an invalid field; nothing changed}
        404: {description: no such shop of yours}
    """
    shop = services.update_shop(_user_id(), shop_id, _renamed(json_body(), _SHOP_RENAMES))
    return jsonify(shop_json(shop))


# -- products ---------------------------------------------------------------------------------------


@bp.post("/shops/<shop_id>/products")
@api_login_required(*SHOP_ROLES)
@idempotent
def create_product(shop_id: str):
    """Add a product; `stock_on_hand` (optional) goes in as its opening stock movement.
    ---
    post:
      tags: [back office]
      summary: Add a product
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              allOf:
                - {$ref: "#/components/schemas/ProductFields"}
                - type: object
                  required: [sku, name, price]
                  properties: {stock_on_hand: {type: integer, minimum: 0}}
      responses:
        201: {description: the product}
        400: {description: a missing or invalid field}
        404: {description: no such shop of yours}
        409: {description: the SKU is already used in this shop}
    """
    body = json_body()
    initial = body.pop("stock_on_hand", 0)
    product = services.create_product(_user_id(), shop_id, _renamed(body, _PRODUCT_RENAMES),
                                      initial_stock=initial if initial is not None else 0)
    return jsonify(product_json(product)), 201


@bp.get("/shops/<shop_id>/products")
@api_login_required(*SHOP_ROLES)
def list_products(shop_id: str):
    """A shop's products, newest first; `status` (active, archived) and `sku` filter.
    ---
    get:
      tags: [back office]
      summary: List a shop's products
      security: [{bearer: []}]
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [active, archived]}}
        - {name: sku, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 10}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        200: {description: "a list of products, with has_more"}
        404: {description: no such shop of yours}
    """
    shop = services.owned_shop(_user_id(), shop_id)
    stmt = select(Product).where(Product.shop_id == shop.id)
    status = request.args.get("status")
    if status:
        if status not in ProductStatus.__members__:
            raise ValidationError("'status' must be active or archived.", param="status")
        stmt = stmt.where(Product.status == ProductStatus(status))
    if request.args.get("sku"):
        stmt = stmt.where(Product.sku == request.args["sku"])
    return jsonify(paginate(stmt, Product, product_json))


@bp.get("/products/<product_id>")
@api_login_required(*SHOP_ROLES)
def get_product(product_id: str):
    """One of your products.
    ---
    get:
      tags: [back office]
      summary: Retrieve a product
      security: [{bearer: []}]
      responses:
        200: {description: the product}
        404: {description: no such product of yours}
    """
    return jsonify(product_json(services.owned_product(_user_id(), product_id)))


@bp.patch("/products/<product_id>")
@api_login_required(*SHOP_ROLES)
def update_product(product_id: str):
    """Change a product (price, name, status: archived to archive ...). Stock changes only through movements.
    ---
    patch:
      tags: [back office]
      summary: Update a product
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ProductFields"}
      responses:
        200: {description: the product}
        400: {description: "an invalid field, or stock_on_hand (use stock movements); nothing changed"}
        404: {description: no such product of yours}
        409: {description: the SKU is already used in this shop}
    """
    body = json_body()
    if "stock_on_hand" in body:
        raise ValidationError("Stock changes only through POST /api/v1/products/{id}/stock-movements.",
                              param="stock_on_hand")
    product = services.update_product(_user_id(), product_id, _renamed(body, _PRODUCT_RENAMES))
    return jsonify(product_json(product))


# -- stock movements --------------------------------------------------------------------------------


@bp.post("/products/<product_id>/stock-movements")
@api_login_required(*SHOP_ROLES)
@idempotent
def create_stock_movement(product_id: str):
    """Adjust stock by hand: a signed `quantity` and a `reason`. Stock never goes below zero.
    ---
    post:
      tags: [back office]
      summary: Adjust stock
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [quantity, reason]
              properties:
                quantity: {type: integer, description: "signed: positive adds, negative takes out; not zero"}
                reason: {type: string, enum: [counted, damaged, expired, lost, found, correction]}
                note: {type: string, maxLength: 255}
      responses:
        201: {description: "the movement, with the running count after it"}
        400: {description: a bad quantity or reason}
        404: {description: no such product of yours}
        409: {description: "not enough stock (code insufficient_stock): nothing changed"}
    """
    body = json_body()
    movement = inventory.adjust_stock(_user_id(), product_id, body.get("quantity"), body.get("reason"),
                                      note=body.get("note") or "")
    product, lines, _more = inventory.ledger(_user_id(), product_id, limit=1, before_id=movement.id + 1)
    return jsonify(movement_json(lines[0], product)), 201


@bp.get("/products/<product_id>/stock-movements")
@api_login_required(*SHOP_ROLES)
def list_stock_movements(product_id: str):
    """A product's stock movements, newest first, each with the running count after it.
    ---
    get:
      tags: [back office]
      summary: List stock movements
      security: [{bearer: []}]
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 10}}
        - {name: starting_after, in: query, schema: {type: string, description: a movement id (sm_...)}}
      responses:
        200: {description: "a list of movements, with has_more"}
        404: {description: no such product of yours}
    """
    from marketplace.api_support import list_limit

    limit = list_limit()
    after = request.args.get("starting_after")
    before_id = None
    if after:
        if not after.startswith("sm_") or not after[3:].isdigit():
            raise ValidationError("'starting_after' must be a stock movement id (sm_...).", param="starting_after")
        before_id = int(after[3:])
    product, lines, more = inventory.ledger(_user_id(), product_id, limit=limit, before_id=before_id)
    return jsonify({"object": "list", "url": request.path, "has_more": more,
                    "data": [movement_json(line, product) for line in lines]})


SCHEMAS = {
    "ShopFields": {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 120},
        "kind": {"type": "string", "enum": ["retail", "supplier"]},
        "category": {"type": "string"},
        "description": {"type": "string"}, "address": {"type": "string"},
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        "delivery_enabled": {"type": "boolean"},
        "delivery_radius_km": {"type": "number", "minimum": 0, "maximum": 50},
        "delivery_fee": {"type": "integer", "minimum": 0, "description": "minor units"},
        "minimum_order": {"type": "integer", "minimum": 0, "description": "minor units"},
        "pickup_enabled": {"type": "boolean"}, "is_open": {"type": "boolean"},
        "opening_hours": {"type": "object", "description": 'weekday (mon ... sun) -> [["08:00", "20:00"], ...]'},
    }},
    "ProductFields": {"type": "object", "properties": {
        "sku": {"type": "string", "maxLength": 64}, "name": {"type": "string", "maxLength": 160},
        "name_en": {"type": "string"}, "description": {"type": "string"}, "category": {"type": "string"},
        "unit": {"type": "string"}, "price": {"type": "integer", "minimum": 0, "description": "minor units"},
        "low_stock_threshold": {"type": "integer", "minimum": 0},
        "status": {"type": "string", "enum": ["active", "archived"]},
    }},
}
