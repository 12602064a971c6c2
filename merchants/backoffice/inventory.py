"""Stock use cases of the back office: adjustments with a reason, stock counts, bulk changes, the ledger.

Every change goes through `marketplace.catalog.stock.move_stock`, so on-hand and the movement rows
change together, and a decrement that would go below zero changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, select

from marketplace.catalog.models import AdjustmentReason, Product, StockMovement, StockReason
from marketplace.catalog.stock import move_stock
from marketplace.errors import Conflict
from marketplace.extensions import db

from . import rules
from .errors import NotFound, ValidationError
from .services import MAX_BULK_ROWS, owned_product, owned_shop, unit_of_work
from .wording import N_

COUNT_ATTEMPTS = 3


def adjust_stock(user_id: int, product_key, quantity, reason, *, note: str = "") -> StockMovement:
    """Add or take stock by hand, with a reason (damaged, expired, counted, ...)."""
    quantity, why = rules.clean_adjustment(quantity, reason)
    note = _note(note)
    product = owned_product(user_id, product_key)
    with unit_of_work():
        movement = move_stock(product.id, quantity, StockReason.adjustment, user_id=user_id, note=note,
                              adjustment_reason=why)
    return movement


def record_count(user_id: int, product_key, counted, *, note: str = "") -> StockMovement | None:
    """Set on-hand to what a stock count found; the difference is an adjustment (reason: counted).

    The difference is applied only if on-hand did not move meanwhile; a sale in between makes it
    compute again, so the shelf count always wins. Returns None when the count agrees.
    """
    counted = rules.whole_number(counted, "counted", 0, rules.MAX_THRESHOLD)
    note = _note(note)
    product = owned_product(user_id, product_key)
    for _attempt in range(COUNT_ATTEMPTS):
        db.session.expire(product, ["stock_on_hand"])
        before = product.stock_on_hand
        if before == counted:
            db.session.rollback()
            return None
        try:
            with unit_of_work():
                return move_stock(product.id, counted - before, StockReason.adjustment, user_id=user_id,
                                  note=note, adjustment_reason=AdjustmentReason.counted, expected_before=before)
        except Conflict as exc:
            if exc.code != "stock_changed":
                raise
    raise Conflict(N_("The stock keeps changing; try the count again in a moment."), param="counted",
                   code="stock_changed")


def bulk_adjust_stock(user_id: int, shop_key, changes: Iterable[tuple[object, int]], reason, *,
                      note: str = "") -> list[StockMovement]:
    """Adjust many products of one shop at once, all or nothing (one product short stops them all)."""
    shop = owned_shop(user_id, shop_key)
    changes = [(key, qty) for key, qty in changes]
    if not changes:
        raise ValidationError(N_("Enter at least one change."), param="products")
    if len(changes) > MAX_BULK_ROWS:
        raise ValidationError(N_("At most %(n)d products at once.", n=MAX_BULK_ROWS), param="products")
    note = _note(note)
    with unit_of_work():
        movements = []
        for key, quantity in changes:
            quantity, why = rules.clean_adjustment(quantity, reason)
            product = owned_product(user_id, key)
            if product.shop_id != shop.id:
                raise NotFound(N_("No such product."), param="product")
            movements.append(move_stock(product.id, quantity, StockReason.adjustment, user_id=user_id,
                                        note=note, adjustment_reason=why))
    return movements


def bulk_count_stock(user_id: int, shop_key, counts: Iterable[tuple[object, int]], *, note: str = "") -> int:
    """Counted numbers for many products; one transaction. Returns how many products changed."""
    shop = owned_shop(user_id, shop_key)
    counts = list(counts)
    if len(counts) > MAX_BULK_ROWS:
        raise ValidationError(N_("At most %(n)d products at once.", n=MAX_BULK_ROWS), param="products")
    note = _note(note)
    changed = 0
    with unit_of_work():
        for key, counted in counts:
            counted = rules.whole_number(counted, "counted", 0, rules.MAX_THRESHOLD)
            product = owned_product(user_id, key, lock=True)
            if product.shop_id != shop.id:
                raise NotFound(N_("No such product."), param="product")
            before = db.session.execute(select(Product.stock_on_hand).where(Product.id == product.id)).scalar_one()
            if before != counted:
                move_stock(product.id, counted - before, StockReason.adjustment, user_id=user_id, note=note,
                           adjustment_reason=AdjustmentReason.counted, expected_before=before)
                changed += 1
    return changed


def _note(note) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValidationError(N_("'note' must be text."), param="note")
    note = note.strip()
    if len(note) > 255:
        raise ValidationError(N_("'note' is longer than 255 characters."), param="note")
    return note


@dataclass(frozen=True)
class LedgerLine:
    id: int
    at: datetime
    quantity: int
    running_count: int  # the sum of this product's movements up to and including this one
    balance_after: int  # what on-hand was set to when the movement was written
    reason: StockReason
    adjustment_reason: AdjustmentReason | None
    note: str
    reference: str | None
    by: str | None


def ledger(user_id: int, product_key, *, limit: int = 50, before_id: int | None = None
           ) -> tuple[Product, list[LedgerLine], bool]:
    """A product's movements, newest first, with the running count; and whether older ones remain."""
    from marketplace.accounts.models import User

    product = owned_product(user_id, product_key)
    running = func.sum(StockMovement.quantity).over(order_by=StockMovement.id).label("running_count")
    inner = select(StockMovement.id, running).where(StockMovement.product_id == product.id).subquery()
    stmt = (select(StockMovement, inner.c.running_count, User.name)
            .join(inner, inner.c.id == StockMovement.id)
            .outerjoin(User, User.id == StockMovement.created_by_id)
            .order_by(StockMovement.id.desc()).limit(limit + 1))
    if before_id is not None:
        stmt = stmt.where(StockMovement.id < before_id)
    rows = db.session.execute(stmt).all()
    lines = [LedgerLine(m.id, m.created_at, m.quantity, int(run), m.balance_after, m.reason, m.adjustment_reason,
                        m.note, m.reference, name) for m, run, name in rows[:limit]]
    return product, lines, len(rows) > limit


def movements_sum(product_id: int) -> int:
    return db.session.execute(select(func.coalesce(func.sum(StockMovement.quantity), 0))
                              .where(StockMovement.product_id == product_id)).scalar_one()
