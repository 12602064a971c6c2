"""Many residents racing for few units: never oversold, never a unit lost (SQLite and PostgreSQL)."""
import threading

from sqlalchemy import func, select

from marketplace.catalog.models import Product, StockMovement, StockReason
from marketplace.catalog.stock import move_stock
from marketplace.errors import InsufficientStock
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.models import Order, OrderLine
from marketplace.orders.services import Checkout
from tests.factories import make_product, make_user

BUYERS = 12


def test_twelve_buyers_for_three_units_make_exactly_three_orders(app, town):
    residents = [make_user("resident").id for _ in range(BUYERS)]
    shop_id, milk_id = town.shop.id, town.milk.id
    outcomes, start = [], threading.Barrier(BUYERS)

    def buy(resident_id):
        with app.app_context():
            start.wait()
            try:
                services.place_order(resident_id, shop_id, [(milk_id, 1)], Checkout("pickup", "cash"))
                outcomes.append("ordered")
            except InsufficientStock:
                outcomes.append("sold out")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(r,)) for r in residents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ordered"] * 3 + ["sold out"] * (BUYERS - 3)
    on_hand = db.session.execute(select(Product.stock_on_hand).where(Product.id == milk_id)).scalar_one()
    moved = db.session.execute(select(func.sum(StockMovement.quantity)).where(StockMovement.product_id == milk_id)
                               ).scalar_one()
    sold = db.session.execute(select(func.sum(OrderLine.quantity)).where(OrderLine.product_id == milk_id)
                              ).scalar_one()
    assert (on_hand, moved, sold) == (0, 0, 3)
    assert db.session.execute(select(func.count(Order.id))).scalar_one() == 3


def test_buyers_of_overlapping_baskets_neither_oversell_nor_deadlock(app, town):
    """Baskets of two and three products named in every order, racing for a little of each, three times
    over: every checkout either gets all its lines or is told the stock is short, and what was sold is
    exactly what left the shelves, never more than there was. On PostgreSQL this is real row-level
    concurrency: checkouts locking the same products in different orders would deadlock now and then,
    and the loser would get a database error instead of an answer."""
    bread = make_product(town.shop, name="Bread", price=500, stock=0)
    stock = {town.eggs.id: 5, town.milk.id: 3, bread.id: 4}
    eggs, milk, loaf = town.eggs.id, town.milk.id, bread.id
    baskets = [[(eggs, 1), (milk, 1)], [(milk, 1), (eggs, 1)], [(loaf, 1), (milk, 1), (eggs, 1)],
               [(eggs, 2), (loaf, 1)], [(loaf, 1), (eggs, 1)], [(milk, 1), (loaf, 2)]] * 2
    residents = [make_user("resident").id for _ in baskets]
    shop_id = town.shop.id
    outcomes, lock = [], threading.Lock()

    def buy(start, resident_id, basket):
        with app.app_context():
            start.wait()
            try:
                services.place_order(resident_id, shop_id, basket, Checkout("pickup", "cash"))
                result = "ordered"
            except InsufficientStock:
                result = "sold out"
            except Exception as exc:  # a deadlock or any other failure is an answer no buyer may get
                result = f"failed: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    for _round in range(3):
        for product_id, wanted in stock.items():  # the shelves filled again to the same few units
            on_hand = db.session.execute(select(Product.stock_on_hand).where(Product.id == product_id)).scalar_one()
            if wanted != on_hand:
                move_stock(product_id, wanted - on_hand, StockReason.purchase_receipt)
        db.session.commit()
        db.session.remove()
        start = threading.Barrier(len(baskets))
        threads = [threading.Thread(target=buy, args=(start, r, b)) for r, b in zip(residents, baskets)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert len(outcomes) == 3 * len(baskets) and set(outcomes) <= {"ordered", "sold out"}, outcomes
    assert "sold out" in outcomes  # there was a race for the last units
    for product_id in stock:
        on_hand = db.session.execute(select(Product.stock_on_hand).where(Product.id == product_id)).scalar_one()
        moved = db.session.execute(select(func.sum(StockMovement.quantity))
                                   .where(StockMovement.product_id == product_id)).scalar_one()
        taken = db.session.execute(select(-func.sum(StockMovement.quantity)).where(
            StockMovement.product_id == product_id, StockMovement.reason == StockReason.sale)).scalar_one()
        sold = db.session.execute(select(func.sum(OrderLine.quantity))
                                  .where(OrderLine.product_id == product_id)).scalar_one()
        assert 0 <= on_hand == moved and taken == sold, (product_id, on_hand, moved, taken, sold)
    assert db.session.execute(select(func.count(Order.id))).scalar_one() == outcomes.count("ordered")
