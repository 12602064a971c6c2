"""Concurrent writers never take stock below zero: threads adjusting one product at once, each in its own
session and transaction (run with TEST_DATABASE_URL on PostgreSQL for real row-level concurrency)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from marketplace.catalog.models import Product, StockMovement
from marketplace.errors import InsufficientStock
from marketplace.extensions import db
from merchants.backoffice import inventory
from tests.factories import make_product, make_shop

WRITERS = 12
STOCK = 5


def test_concurrent_adjustments_take_exactly_the_stock_there_is(app):
    product = make_product(make_shop(), stock=STOCK)
    owner, product_id = product.shop.owner_id, product.id
    db.session.remove()
    start = threading.Barrier(WRITERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def writer():
        with app.app_context():
            start.wait()
            try:
                inventory.adjust_stock(owner, product_id, -1, "lost")
                result = "took"
            except InsufficientStock:
                result = "refused"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * (WRITERS - STOCK) + ["took"] * STOCK
    on_hand = db.session.execute(select(Product.stock_on_hand).where(Product.id == product_id)).scalar_one()
    total = db.session.execute(select(func.sum(StockMovement.quantity))
                               .where(StockMovement.product_id == product_id)).scalar_one()
    assert on_hand == total == 0
