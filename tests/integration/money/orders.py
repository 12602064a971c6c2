"""Orders for money tests, built directly (the order flow has its own tests)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderLine, OrderStatus, PaymentMethod
from tests.factories import make_product, make_shop, make_user


def make_order(shop=None, *, total: int = 10000, method: str = "card", resident=None) -> Order:
    shop = shop or make_shop()
    resident = resident or make_user("resident")
    product = make_product(shop, price=total, stock=5)
    order = Order(resident_id=resident.id, shop_id=shop.id, fulfilment=Fulfilment.pickup,
                  payment_method=PaymentMethod(method), currency=shop.currency, subtotal_amount=total,
                  delivery_fee_amount=0, total_amount=total)
    order.lines.append(OrderLine(product_id=product.id, name=product.name, quantity=1, unit_price_amount=total,
                                 line_total_amount=total, currency=shop.currency))
    db.session.add(order)
    db.session.commit()
    return order


def complete(order: Order, *, days_ago: int = 0) -> None:
    """Walk the order to completed, `days_ago` days back."""
    order.accept()
    order.mark_ready()
    order.complete()
    order.completed_at = datetime.now(timezone.utc) - timedelta(days=days_ago)
    assert order.status == OrderStatus.completed
    db.session.commit()
