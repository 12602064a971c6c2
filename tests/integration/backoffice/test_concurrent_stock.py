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


def test_a_csv_count_racing_sales_is_applied_whole_or_refused_and_loses_no_sale(app):
    """Sales keep coming while a CSV of counts is imported: the import either lands before or after a
    sale, never across one, or is refused as a whole; every movement continues the one before it."""
    from marketplace.errors import Conflict
    from merchants.backoffice import csvio

    shop = make_shop()
    products = [make_product(shop, sku=f"C-{n}", stock=60) for n in range(3)]
    owner, shop_id, ids = shop.owner_id, shop.id, [p.id for p in products]
    data = ("sku,name,price,stock_on_hand\n" + "".join(f"C-{n},Counted {n},1.00,40\n" for n in range(3))).encode()
    db.session.remove()
    start = threading.Barrier(5)
    sold, imported, refused = [], [], []
    lock = threading.Lock()

    def seller(product_id):
        with app.app_context():
            start.wait()
            for _ in range(6):
                try:
                    inventory.adjust_stock(owner, product_id, -1, "lost")
                    with lock:
                        sold.append(product_id)
                except InsufficientStock:
                    pass
                finally:
                    db.session.remove()

    def importer():
        with app.app_context():
            start.wait()
            for _ in range(3):
                try:
                    csvio.import_products(owner, shop_id, data)
                    with lock:
                        imported.append(1)
                except Conflict:
                    with lock:
                        refused.append(1)
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=seller, args=(pid,)) for pid in ids + ids[:1]]
    threads.append(threading.Thread(target=importer))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(imported) + len(refused) == 3 and len(sold) == 24
    for product_id in ids:
        movements = db.session.execute(select(StockMovement).where(StockMovement.product_id == product_id)
                                       .order_by(StockMovement.id)).scalars().all()
        running = 0
        for m in movements:
            running += m.quantity
            assert m.balance_after == running >= 0, [(x.quantity, x.balance_after) for x in movements]
        on_hand = db.session.execute(select(Product.stock_on_hand).where(Product.id == product_id)).scalar_one()
        assert on_hand == running
        assert sum(1 for m in movements if m.reason.value == "adjustment" and m.note == "") == sold.count(product_id)
