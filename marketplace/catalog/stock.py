"""The one way stock changes: a conditional update of on-hand plus a movement row, in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from ..errors import InsufficientStock, NotFound, ValidationError
from ..extensions import db
from .models import Product, StockMovement, StockReason


def move_stock(
    product_id: int,
    quantity: int,
    reason: StockReason,
    *,
    reference: str | None = None,
    note: str = "",
    user_id: int | None = None,
) -> StockMovement:
    """Add (positive) or take (negative) stock. Does not commit: the calling service does.

    The decrement is a single conditional UPDATE, so two concurrent buyers can never both
    take the last unit: the second UPDATE matches no row and raises InsufficientStock.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ValidationError("Quantity must be a whole number other than zero.", param="quantity")
    stmt = (
        update(Product)
        .where(Product.id == product_id)
        .values(stock_on_hand=Product.stock_on_hand + quantity)
        .returning(Product.stock_on_hand)
    )
    if quantity < 0:
        stmt = stmt.where(Product.stock_on_hand >= -quantity)
    balance = db.session.execute(stmt, execution_options={"synchronize_session": False}).scalar()
    if balance is None:
        exists = db.session.execute(select(Product.id).where(Product.id == product_id)).scalar()
        if exists is None:
            raise NotFound("No such product.", param="product")
        raise InsufficientStock("Not enough stock for that.", param="quantity")
    movement = StockMovement(
        product_id=product_id,
        quantity=quantity,
        balance_after=balance,
        reason=reason,
        reference=reference,
        note=note,
        created_by_id=user_id,
    )
    db.session.add(movement)
    # Keep any loaded Product object in step with the row.
    product = db.session.identity_map.get(identity_key(Product, product_id))
    if product is not None:
        db.session.expire(product, ["stock_on_hand"])
    return movement
