"""The stock ledger: adjustments with reasons, counts, a running count, never negative, never edited."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from marketplace.catalog.models import AdjustmentReason, Product, StockMovement, StockReason
from marketplace.catalog.stock import set_counted_stock
from marketplace.errors import Conflict, InsufficientStock, ValidationError
from marketplace.extensions import db
from merchants.backoffice import inventory
from merchants.backoffice.errors import NotFound
from tests.factories import make_product, make_shop, make_user


@pytest.fixture
def product(app):
    return make_product(make_shop(), stock=10)


def _on_hand(product_id: int) -> int:
    return db.session.execute(select(Product.stock_on_hand).where(Product.id == product_id)).scalar_one()


def test_an_adjustment_records_who_why_and_the_new_count(product):
    owner = product.shop.owner_id
    movement = inventory.adjust_stock(owner, product.public_id, -3, "damaged", note="crushed box")
    assert movement.adjustment_reason == AdjustmentReason.damaged
    assert movement.created_by_id == owner
    assert movement.balance_after == 7
    assert _on_hand(product.id) == 7 == inventory.movements_sum(product.id)


def test_an_adjustment_cannot_take_stock_below_zero(product):
    with pytest.raises(InsufficientStock):
        inventory.adjust_stock(product.shop.owner_id, product.id, -11, "lost")
    assert _on_hand(product.id) == 10
    assert db.session.execute(select(StockMovement).where(StockMovement.reason == StockReason.adjustment)).first() is None


@pytest.mark.parametrize("quantity, reason", [(0, "damaged"), (2.5, "damaged"), ("3", "damaged"), (True, "found"),
                                              (5, "because"), (5, None), (5, "counted"), (2_000_000, "found")])
def test_an_adjustment_needs_a_whole_nonzero_quantity_and_a_known_reason(product, quantity, reason):
    if reason == "counted":  # a count is its own use case: it sets the number, it does not add to it
        inventory.adjust_stock(product.shop.owner_id, product.id, quantity, reason)
        return
    with pytest.raises(ValidationError):
        inventory.adjust_stock(product.shop.owner_id, product.id, quantity, reason)
    assert _on_hand(product.id) == 10


def test_a_count_records_the_difference_as_a_counted_adjustment(product):
    movement = inventory.record_count(product.shop.owner_id, product.id, 6, note="Sunday count")
    assert (movement.quantity, movement.adjustment_reason) == (-4, AdjustmentReason.counted)
    assert _on_hand(product.id) == 6
    assert inventory.record_count(product.shop.owner_id, product.id, 6) is None


def test_another_merchant_cannot_adjust_or_read_the_ledger(product):
    stranger = make_user("merchant")
    with pytest.raises(NotFound):
        inventory.adjust_stock(stranger.id, product.public_id, 5, "found")
    with pytest.raises(NotFound):
        inventory.ledger(stranger.id, product.public_id)
    assert _on_hand(product.id) == 10


def test_the_ledger_lists_movements_newest_first_with_a_running_count(product):
    owner = product.shop.owner_id
    inventory.adjust_stock(owner, product.id, -2, "expired")
    inventory.adjust_stock(owner, product.id, 5, "found")
    inventory.record_count(owner, product.id, 11)
    _, lines, more = inventory.ledger(owner, product.public_id)
    assert [(l.quantity, l.running_count) for l in lines] == [(-2, 11), (5, 13), (-2, 8), (10, 10)]
    assert all(l.running_count == l.balance_after for l in lines)
    assert not more
    _, page, more = inventory.ledger(owner, product.public_id, limit=2)
    assert more and [l.running_count for l in page] == [11, 13]
    _, rest, more = inventory.ledger(owner, product.public_id, limit=2, before_id=page[-1].id)
    assert not more and [l.running_count for l in rest] == [8, 10]


def test_bulk_adjustments_are_all_or_nothing(app):
    shop = make_shop()
    a, b = make_product(shop, stock=5), make_product(shop, stock=1)
    with pytest.raises(InsufficientStock):
        inventory.bulk_adjust_stock(shop.owner_id, shop.id, [(a.public_id, -2), (b.public_id, -2)], "damaged")
    assert (_on_hand(a.id), _on_hand(b.id)) == (5, 1)
    inventory.bulk_adjust_stock(shop.owner_id, shop.id, [(a.public_id, -2), (b.public_id, 4)], "found")
    assert (_on_hand(a.id), _on_hand(b.id)) == (3, 5)


def test_a_count_against_a_stale_number_is_refused(product):
    from marketplace.catalog.stock import move_stock

    with pytest.raises(Conflict):
        move_stock(product.id, -1, StockReason.adjustment, adjustment_reason=AdjustmentReason.counted,
                   expected_before=9)
    db.session.rollback()
    assert _on_hand(product.id) == 10


@pytest.mark.parametrize("statement", [
    lambda: update(StockMovement).values(quantity=99),
    lambda: delete(StockMovement),
    lambda: text("UPDATE stock_movements SET note = 'edited'"),
])
def test_the_database_refuses_to_edit_or_delete_a_movement(product, statement):
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(statement())
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(select(StockMovement.quantity)).scalars().all() == [10]


def test_many_counts_apply_together_with_a_movement_each(app):
    shop = make_shop()
    a, b, c = make_product(shop, stock=4), make_product(shop, stock=9), make_product(shop, stock=2)
    movements = set_counted_stock([(a.id, 4, 6), (b.id, 9, 0), (c.id, 2, 2)], StockReason.adjustment,
                                  adjustment_reason=AdjustmentReason.counted, note="count")
    db.session.commit()
    assert [(m.product_id, m.quantity, m.balance_after) for m in movements] == [(a.id, 2, 6), (b.id, -9, 0)]
    for product, expected in ((a, 6), (b, 0), (c, 2)):
        total = db.session.execute(select(func.sum(StockMovement.quantity))
                                   .where(StockMovement.product_id == product.id)).scalar_one()
        assert _on_hand(product.id) == total == expected


def test_many_counts_are_refused_together_when_one_product_moved_since_it_was_counted(app):
    shop = make_shop()
    a, b = make_product(shop, stock=4), make_product(shop, stock=9)
    before = db.session.execute(select(func.count(StockMovement.id))).scalar_one()
    with pytest.raises(Conflict):
        set_counted_stock([(a.id, 4, 10), (b.id, 8, 3)], StockReason.adjustment,
                          adjustment_reason=AdjustmentReason.counted)  # b sold one since the count began
    db.session.rollback()
    assert (_on_hand(a.id), _on_hand(b.id)) == (4, 9)
    assert db.session.execute(select(func.count(StockMovement.id))).scalar_one() == before
    with pytest.raises(ValidationError):
        set_counted_stock([(a.id, 4, -1)], StockReason.adjustment)


def test_many_products_move_at_once_all_or_nothing(app):
    """move_stocks, as a checkout uses it: one product short refuses the whole change; otherwise each
    product gets one movement carrying the on-hand it left, and an unknown product is named as such."""
    from marketplace.catalog.stock import move_stocks

    shop = make_shop()
    plenty, last_one, restocked = (make_product(shop, stock=n).id for n in (5, 1, 2))
    with pytest.raises(InsufficientStock):
        move_stocks({plenty: -2, last_one: -2}, StockReason.sale, reference="ord_x")
    db.session.rollback()
    assert (_on_hand(plenty), _on_hand(last_one)) == (5, 1)
    assert move_stocks({plenty: -2, last_one: -1, restocked: 3}, StockReason.sale, reference="ord_y") == {
        plenty: 3, last_one: 0, restocked: 5}
    db.session.commit()
    moved = db.session.execute(select(StockMovement.product_id, StockMovement.quantity, StockMovement.balance_after)
                               .where(StockMovement.reference == "ord_y").order_by(StockMovement.product_id)).all()
    assert [tuple(m) for m in moved] == [(plenty, -2, 3), (last_one, -1, 0), (restocked, 3, 5)]
    for product_id in (plenty, last_one, restocked):
        assert _on_hand(product_id) == inventory.movements_sum(product_id)
    with pytest.raises(NotFound):
        move_stocks({plenty: -1, 10**9: -1}, StockReason.sale)
    db.session.rollback()
    assert _on_hand(plenty) == 3
