"""The merchant's balance as JSON: GET /api/v1/balance and GET /api/v1/balance/transactions."""
from __future__ import annotations

from flask import request

from marketplace.api_support import api_blueprint, api_login_required, current_api_user, list_limit
from marketplace.errors import ValidationError

from . import services
from .statements import entry_id_for, statement

bp = api_blueprint("ledger_api", __name__)


@bp.get("/balance")
@api_login_required("merchant", "supplier")
def balance():
    """The shop's available and pending balance.
    ---
    get:
      summary: The shop's balance, available (can be paid out) and pending (not settled yet)
      security: [{bearer: []}]
      parameters:
        - {name: shop, in: query, required: false, schema: {type: string}, description: "a shop_... id; default: your first shop"}
      responses:
        "200": {description: "{object: balance, available: [{amount, currency}], pending: [...]}"}
        "401": {description: No or bad token}
        "404": {description: Not your shop}
    """
    shop = services.shop_of(current_api_user().id, request.args.get("shop"))
    balances = services.merchant_balances(shop.id, shop.currency)
    return {"object": "balance", "shop": shop.public_id,
            "available": [balances["available"].to_json()], "pending": [balances["pending"].to_json()]}


@bp.get("/balance/transactions")
@api_login_required("merchant", "supplier")
def transactions():
    """Every entry that changed the shop's balance, newest first, with the running balance after each.
    ---
    get:
      summary: The shop's balance transactions (sales, commission, refunds, settlements, payouts), paged
      security: [{bearer: []}]
      parameters:
        - {name: shop, in: query, required: false, schema: {type: string}}
        - {name: type, in: query, required: false, schema: {type: string}, description: "sale, commission, refund, settlement, payout ..."}
        - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: starting_after, in: query, required: false, schema: {type: string}, description: "a je_... id from the previous page"}
      responses:
        "200": {description: "A list: {object: list, data: [balance_transaction], has_more}"}
        "400": {description: Bad paging parameter}
        "401": {description: No or bad token}
    """
    shop = services.shop_of(current_api_user().id, request.args.get("shop"))
    limit = list_limit()
    before = None
    after = request.args.get("starting_after")
    if after:
        before = entry_id_for(after)
        if before is None:
            raise ValidationError("'starting_after' names no transaction in this list.", param="starting_after")
    kind = (request.args.get("type") or "").strip() or None
    lines = statement(shop.id, shop.currency, kind=kind, before_entry_id=before, limit=limit + 1)
    return {"object": "list", "url": request.path, "has_more": len(lines) > limit,
            "data": [line.to_json() for line in lines[:limit]]}
