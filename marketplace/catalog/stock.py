"""How stock changes, and the only way: a conditional update of on-hand plus a movement row, in the caller's
transaction (`move_stock` for one change, `move_stocks` for an order's lines at once, `set_counted_stock` for
many counts at once)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, bindparam, case, insert, select, update
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
    _expire_loaded_stock([product_id])
    return movement


def move_stocks(
    changes: dict[int, int],
    reason: StockReason,
    *,
    reference: str | None = None,
    note: str = "",
    user_id: int | None = None,
) -> dict[int, int]:
    """Add or take stock of many products at once, all or nothing: `changes` maps product id to a signed
    quantity. Returns each product's on-hand after. Does not commit.

    One conditional UPDATE for all the products (`... WHERE stock_on_hand + change >= 0 RETURNING`) and
    one batch of movement rows, in place of a statement and a flush per product. When any product has too
    little, InsufficientStock is raised and the caller's transaction must roll back (the other products'
    rows have been changed in it). On PostgreSQL the rows are locked in product-id
    order first, in the same statement, so two orders sharing products never deadlock.
    """
    if not changes:
        return {}
    if any(isinstance(q, bool) or not isinstance(q, int) or q == 0 for q in changes.values()):
        raise ValidationError("Quantity must be a whole number other than zero.", param="quantity")
    ids = sorted(changes)
    stmt = _guarded_change(db.session.get_bind().dialect.name, len(ids))
    params = {f"p{i}": pid for i, pid in enumerate(ids)} | {f"q{i}": changes[pid] for i, pid in enumerate(ids)}
    balances = dict(db.session.execute(stmt, params).all())
    if len(balances) != len(ids):
        missing = [pid for pid in ids if pid not in balances]
        known = set(db.session.execute(select(Product.id).where(Product.id.in_(missing))).scalars())
        if len(known) != len(missing):
            raise NotFound("No such product.", param="product")
        raise InsufficientStock("Not enough stock for that.", param="quantity")
    db.session.execute(_INSERT_MOVEMENTS, [
        {"product_id": pid, "quantity": changes[pid], "balance_after": balances[pid], "reason": reason,
         "reference": reference, "note": note, "adjustment_reason": None, "created_by_id": user_id}
        for pid in ids])
    _expire_loaded_stock(ids)
    return balances


_INSERT_MOVEMENTS = insert(StockMovement.__table__)


@lru_cache(maxsize=256)
def _guarded_change(dialect: str, count: int):
    """`UPDATE products SET stock_on_hand = stock_on_hand + change WHERE id IN (...) AND stock_on_hand + change
    >= 0 RETURNING id, stock_on_hand` for `count` products (:p0.. ids, :q0.. changes), built once per count
    so that each order does not pay for building and keying the statement again."""
    table = Product.__table__
    pids = [bindparam(f"p{i}", type_=Integer) for i in range(count)]
    change = case(*[(pid, bindparam(f"q{i}", type_=Integer)) for i, pid in enumerate(pids)], value=table.c.id)
    if dialect == "postgresql":
        # FOR NO KEY UPDATE is the lock the UPDATE itself takes; taking it in id order is the point.
        locked = (select(table.c.id).where(table.c.id.in_(pids)).order_by(table.c.id)
                  .with_for_update(key_share=True).cte("locked"))
        chosen = table.c.id.in_(select(locked.c.id))
    else:  # SQLite: one writer at a time, no row locks to order
        chosen = table.c.id.in_(pids)
    return (table.update().where(chosen, table.c.stock_on_hand + change >= 0)
            .values(stock_on_hand=table.c.stock_on_hand + change)
            .returning(table.c.id, table.c.stock_on_hand))


def _expire_loaded_stock(product_ids) -> None:
    """Keep any loaded Product object in step with its row, changed behind the ORM's back."""
    for pid in product_ids:
        product = db.session.identity_map.get(identity_key(Product, pid))
        if product is not None:
            db.session.expire(product, ["stock_on_hand"])


def set_counted_stock(
    counts: list[tuple[int, int, int]],
    reason: StockReason,
    *,
    note: str = "",
    user_id: int | None = None,
    adjustment_reason: AdjustmentReason | None = None,
) -> list[StockMovement]:
    """Set many products' on-hand to counted numbers at once: `counts` are (product id, on-hand the
    counter saw, counted). Does not commit.

    The same rule as `move_stock(..., expected_before=seen)`, as one conditional UPDATE run for all the
    rows and one batch of movement rows, for imports of thousands of products: each product changes
    only if its on-hand is still what was seen, and if any one is not, Conflict is raised and the
    caller's transaction must roll back (nothing of it may be committed).
    """
    counts = [(pid, seen, counted) for pid, seen, counted in counts if counted != seen]
    if not counts:
        return []
    if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for _pid, _seen, c in counts):
        raise ValidationError("A counted stock must be a whole number of at least zero.", param="quantity")
    if adjustment_reason is not None and reason != StockReason.adjustment:
        raise ValidationError("Only an adjustment carries an adjustment reason.", param="reason")
    table = Product.__table__
    stmt = (table.update().where(table.c.id == bindparam("pid"), table.c.stock_on_hand == bindparam("seen"))
            .values(stock_on_hand=bindparam("counted")))
    params = [{"pid": pid, "seen": seen, "counted": counted} for pid, seen, counted in counts]
    if db.engine.dialect.supports_sane_multi_rowcount:
        changed = db.session.execute(stmt, params).rowcount
    else:  # a driver that cannot count rows over a batch: one statement each
        changed = sum(db.session.execute(stmt, p).rowcount for p in params)
    if changed != len(counts):
        raise Conflict("The stock changed while this was being entered; look again.", param="quantity",
                       code="stock_changed")
    movements = [StockMovement(product_id=pid, quantity=counted - seen, balance_after=counted, reason=reason,
                               note=note, adjustment_reason=adjustment_reason, created_by_id=user_id)
                 for pid, seen, counted in counts]
    db.session.add_all(movements)
    _expire_loaded_stock(pid for pid, _seen, _counted in counts)
    return movements
