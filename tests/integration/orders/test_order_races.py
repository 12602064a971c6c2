"""Many residents racing for few units: never oversold, never a unit lost (SQLite and PostgreSQL)."""
import threading

from sqlalchemy import func, select

from marketplace.catalog.models import Product, StockMovement
from marketplace.errors import InsufficientStock
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.models import Order, OrderLine
from marketplace.orders.services import Checkout
from tests.factories import make_user

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
