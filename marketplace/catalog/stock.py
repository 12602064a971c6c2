"""The one way stock changes: a conditional update of on-hand plus a movement row, in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from ..errors import Conflict, InsufficientStock, NotFound, ValidationError
from ..extensions import db
from .models import AdjustmentReason, Product, StockMovement, StockReason


def move_stock(
    product_id: int,
    quantity: int,
    reason: StockReason,
    *,
    reference: str | None = None,
    note: str = "",
    user_id: int | None = None,
    adjustment_reason: AdjustmentReason | None = None,
    expected_before: int | None = None,
) -> StockMovement:
    """Add (positive) or take (negative) stock. Does not commit: the calling service does.

    The decrement is a single conditional UPDATE, so two concurrent buyers can never both
    take the last unit: the second UPDATE matches no row and raises InsufficientStock.
    `expected_before` makes the change apply only if on-hand is still that number (a stock count
    computed against what the merchant saw); otherwise it raises Conflict and changes nothing.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ValidationError("Quantity must be a whole number other than zero.", param="quantity")
    if adjustment_reason is not None and reason != StockReason.adjustment:
        raise ValidationError("Only an adjustment carries an adjustment reason.", param="reason")
    stmt = (
        update(Product)
        .where(Product.id == product_id)
        .values(stock_on_hand=Product.stock_on_hand + quantity)
        .returning(Product.stock_on_hand)
    )
    if quantity < 0:
        stmt = stmt.where(Product.stock_on_hand >= -quantity)
    if expected_before is not None:
        stmt = stmt.where(Product.stock_on_hand == expected_before)
    balance = db.session.execute(stmt, execution_options={"synchronize_session": False}).scalar()
    if balance is None:
        exists = db.session.execute(select(Product.id).where(Product.id == product_id)).scalar()
        if exists is None:
            raise NotFound("No such product.", param="product")
        if expected_before is not None:
            raise Conflict("The stock changed while this was being entered; look again.", param="quantity",
                           code="stock_changed")
        raise InsufficientStock("Not enough stock for that.", param="quantity")
    movement = StockMovement(
        product_id=product_id,
        quantity=quantity,
        balance_after=balance,
        reason=reason,
        reference=reference,
        note=note,
        adjustment_reason=adjustment_reason,
        created_by_id=user_id,
    )
    db.session.add(movement)
    # Keep any loaded Product object in step with the row.
    product = db.session.identity_map.get(identity_key(Product, product_id))
    if product is not None:
        db.session.expire(product, ["stock_on_hand"])
    return movement
