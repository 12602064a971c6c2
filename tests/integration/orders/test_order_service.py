"""Placing and moving orders through the services, against the real database."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from marketplace.catalog.models import Product, StockMovement
from marketplace.errors import DomainError, InsufficientStock, InvalidTransition, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.errors import (
    BelowMinimumOrder, FulfilmentUnavailable, OutsideDeliveryRadius, RefundTooLarge, ShopClosed,
)
from marketplace.orders.models import Order, OrderStatus, PaymentStatus, Refund
from marketplace.orders.services import Checkout
from marketplace.signals import order_paid, order_refunded
from tests.factories import make_product, make_shop, make_user

PICKUP_CASH = Checkout(fulfilment="pickup", payment_method="cash")


def _on_hand(product) -> int:
    return db.session.execute(select(Product.stock_on_hand).where(Product.id == product.id)).scalar_one()


def _counts():
    return (db.session.execute(select(func.count(Order.id))).scalar_one(),
            db.session.execute(select(func.count(StockMovement.id))).scalar_one())


def _stock_agrees_with_movements(product) -> bool:
    total = db.session.execute(
        select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(StockMovement.product_id == product.id)
    ).scalar_one()
    return total == _on_hand(product)


def test_placing_a_pickup_order_takes_the_stock_and_waits_for_cash(town):
    order = services.place_order(town.resident.id, town.shop.public_id,
                                 [(town.eggs.public_id, 2), (town.milk.id, 1)], PICKUP_CASH)
    assert order.status == OrderStatus.placed
    assert (order.subtotal_amount, order.delivery_fee_amount, order.total_amount) == (3300, 0, 3300)
    assert [(line.name, line.quantity) for line in order.lines] == [("Eggs", 2), ("Milk", 1)]
    assert (_on_hand(town.eggs), _on_hand(town.milk)) == (3, 2)
    refs = db.session.execute(select(StockMovement.reference).where(StockMovement.quantity < 0)).scalars().all()
    assert refs == [order.public_id, order.public_id]
    assert order.payment.method == "cash" and order.payment.status == PaymentStatus.pending


def test_a_product_named_twice_is_one_line_with_the_quantities_added(town):
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1), (town.eggs.public_id, 2)],
                                 PICKUP_CASH)
    assert [(line.name, line.quantity) for line in order.lines] == [("Eggs", 3)]


def test_a_delivery_inside_the_radius_and_above_the_minimum_adds_the_fee(town):
    checkout = Checkout("delivery", "cash", address="3 Willow Lane", lat=town.home[0], lon=town.home[1])
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 2)], checkout)
    assert (order.subtotal_amount, order.delivery_fee_amount, order.total_amount) == (2500, 500, 3000)
    assert order.delivery_address == "3 Willow Lane"


def test_the_same_checkout_key_returns_the_first_order_and_takes_stock_once(town):
    first = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH,
                                 idempotency_key="tap-1")
    again = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH,
                                 idempotency_key="tap-1")
    assert again.id == first.id
    assert _on_hand(town.eggs) == 4
    assert _counts()[0] == 1


def _other_shop_product(town):
    return make_product(make_shop(name="Elsewhere"), stock=5).id


@pytest.mark.parametrize("case,error", [
    ("someone else's product", NotFound),
    ("quantity 0", ValidationError),
    ("quantity -1", ValidationError),
    ("no lines", ValidationError),
    ("more than in stock", InsufficientStock),
    ("unknown payment method", ValidationError),
    ("card without a payment method", ValidationError),
    ("unknown fulfilment", ValidationError),
    ("outside the radius", OutsideDeliveryRadius),
    ("below the minimum", BelowMinimumOrder),
    ("delivery without an address", ValidationError),
    ("unknown shop", NotFound),
])
def test_an_invalid_order_is_refused_and_changes_nothing(town, case, error):
    lines, shop, checkout = [(town.eggs.id, 2), (town.milk.id, 1)], town.shop.id, PICKUP_CASH
    far = (town.shop.latitude + 0.2, town.shop.longitude)  # about 22 km north
    near = dict(address="3 Willow Lane", lat=town.home[0], lon=town.home[1])
    if case == "someone else's product":
        lines = [(town.eggs.id, 1), (_other_shop_product(town), 1)]
    elif case == "quantity 0":
        lines = [(town.eggs.id, 1), (town.milk.id, 0)]
    elif case == "quantity -1":
        lines = [(town.eggs.id, -1)]
    elif case == "no lines":
        lines = []
    elif case == "more than in stock":
        lines = [(town.eggs.id, 1), (town.milk.id, 4)]
    elif case == "unknown payment method":
        checkout = Checkout("pickup", "bitcoin")
    elif case == "card without a payment method":
        checkout = Checkout("pickup", "card")
    elif case == "unknown fulfilment":
        checkout = Checkout("drone", "cash")
    elif case == "outside the radius":
        checkout = Checkout("delivery", "cash", address="Far away", lat=far[0], lon=far[1])
    elif case == "below the minimum":
        lines, checkout = [(town.milk.id, 1)], Checkout("delivery", "cash", **near)
    elif case == "delivery without an address":
        checkout = Checkout("delivery", "cash", address=" ", lat=near["lat"], lon=near["lon"])
    elif case == "unknown shop":
        shop = "shop_nothere"
    before = _counts()
    with pytest.raises(error):
        services.place_order(town.resident.id, shop, lines, checkout)
    assert _counts() == before
    assert (_on_hand(town.eggs), _on_hand(town.milk)) == (5, 3)


def test_a_closed_shop_takes_no_orders(town):
    town.shop.opening_hours = {"mon": [["09:00", "17:00"]]}
    db.session.commit()
    sunday_noon = datetime(2026, 11, 29, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
    with pytest.raises(ShopClosed):
        services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH, now=sunday_noon)
    monday_ten = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    assert services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH,
                                now=monday_ten).status == OrderStatus.placed


def test_a_shop_switched_off_by_its_owner_takes_no_orders(town):
    town.shop.is_open = False
    db.session.commit()
    with pytest.raises(ShopClosed):
        services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH)


def test_pickup_is_refused_where_the_shop_only_delivers(town):
    town.shop.pickup_enabled = False
    db.session.commit()
    with pytest.raises(FulfilmentUnavailable):
        services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH)


def test_rejecting_puts_the_stock_back_and_keeps_the_reason(town):
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 2)], PICKUP_CASH)
    with pytest.raises(ValidationError):
        services.reject_order(town.merchant.id, order.public_id, "  ")
    services.reject_order(town.merchant.id, order.public_id, "Sold out today")
    order = db.session.get(Order, order.id)
    assert (order.status, order.reject_reason) == (OrderStatus.rejected, "Sold out today")
    assert _on_hand(town.eggs) == 5 and _stock_agrees_with_movements(town.eggs)
    assert order.payment.status == PaymentStatus.cancelled


def test_the_resident_can_cancel_only_before_the_shop_accepts(town):
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 2)], PICKUP_CASH)
    services.cancel_order(town.resident.id, order.id)
    assert _on_hand(town.eggs) == 5
    second = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH)
    services.accept_order(town.merchant.id, second.id)
    with pytest.raises(InvalidTransition):
        services.cancel_order(town.resident.id, second.id)
    assert _on_hand(town.eggs) == 4


def test_only_the_shop_owner_moves_an_order_and_only_its_resident_cancels_it(town):
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH)
    stranger = make_user("merchant")
    with pytest.raises(NotFound):
        services.accept_order(stranger.id, order.id)
    with pytest.raises(NotFound):
        services.cancel_order(make_user("resident").id, order.id)
    with pytest.raises(NotFound):
        services.accept_order(town.resident.id, order.id)
    assert db.session.get(Order, order.id).status == OrderStatus.placed


def test_completing_a_cash_order_collects_the_cash_and_tells_the_ledger(town):
    paid = []

    def on_paid(sender, **kw):
        paid.append((kw["order_id"], kw["amount"].amount))

    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 2)], PICKUP_CASH)
    with order_paid.connected_to(on_paid):
        services.accept_order(town.merchant.id, order.id)
        services.mark_order_ready(town.merchant.id, order.id)
        with pytest.raises(InvalidTransition):
            services.accept_order(town.merchant.id, order.id)
        services.complete_order(town.merchant.id, order.id)
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.completed and order.payment.status == PaymentStatus.succeeded
    assert paid == [(order.id, 2500)]


def test_refunds_after_completion_never_exceed_what_was_paid(town):
    refunded = []
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 2)], PICKUP_CASH)
    with pytest.raises(InvalidTransition):
        services.refund_order(town.merchant.id, order.id, 100)
    for step in (services.accept_order, services.mark_order_ready, services.complete_order):
        step(town.merchant.id, order.id)
    with order_refunded.connected_to(lambda sender, **kw: refunded.append(kw["amount"].amount)):
        services.refund_order(town.merchant.id, order.id, 1000, reason="one egg broken")
        with pytest.raises(RefundTooLarge):
            services.refund_order(town.merchant.id, order.id, 1501)
        for bad in (0, -5, "10", True):
            with pytest.raises(ValidationError):
                services.refund_order(town.merchant.id, order.id, bad)
        services.refund_order(town.merchant.id, order.id, 1500)
    assert refunded == [1000, 1500]
    assert db.session.get(Order, order.id).payment.refunded_amount == 2500
    assert db.session.execute(select(func.count(Refund.id))).scalar_one() == 2


def test_one_review_per_completed_order_feeds_the_shop_average(town):
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH)
    with pytest.raises(InvalidTransition):
        services.review_order(town.resident.id, order.id, 5)
    for step in (services.accept_order, services.mark_order_ready, services.complete_order):
        step(town.merchant.id, order.id)
    with pytest.raises(ValidationError):
        services.review_order(town.resident.id, order.id, 6)
    services.review_order(town.resident.id, order.id, 4, "Fresh eggs")
    with pytest.raises(DomainError):
        services.review_order(town.resident.id, order.id, 5)
    assert services.shop_rating(town.shop.id) == (4.0, 1)


def test_a_stale_copy_of_an_order_cannot_overwrite_a_newer_one(town):
    order = services.place_order(town.resident.id, town.shop.id, [(town.eggs.id, 1)], PICKUP_CASH)
    mine = db.session.get(Order, order.id)
    assert mine.version == 1
    with Session(db.engine) as other:
        theirs = other.get(Order, order.id)
        theirs.cancel()
        other.commit()
    mine.accept()
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Order, order.id).status == OrderStatus.cancelled
