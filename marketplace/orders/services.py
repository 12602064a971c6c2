"""Order use cases: each takes ids and plain values, runs in one transaction and commits, or raises.

Objects are named by public id (`ord_...`, `shop_...`, `prd_...`) or integer key; both work, so the pages,
the API, the demo town and the benchmarks call the same functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache, wraps
from typing import Iterable

from flask import current_app
from sqlalchemy import bindparam, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..catalog.models import Product, ProductStatus, Shop, ShopKind, StockReason
from ..catalog.stock import move_stocks
from ..errors import DomainError
from ..i18n import translate
from ..extensions import db
from ..money import Money
from ..search.geo import distance_km
from ..search.hours import is_open_at, minute_of_week
from ..signals import order_completed
from . import paying
from .errors import (
    BelowMinimumOrder, Conflict, FulfilmentUnavailable, InvalidTransition, NotFound, OrderChanged,
    OutsideDeliveryRadius, PaymentIncomplete, PermissionDenied, RefundTooLarge, ShopClosed, ValidationError,
)
from .models import Fulfilment, Order, OrderLine, OrderStatus, Payment, PaymentMethod, PaymentStatus, Review

MAX_LINES = 100
MAX_QUANTITY = 999
REFUNDABLE_STATUSES = (OrderStatus.rejected, OrderStatus.cancelled, OrderStatus.completed)


def use_case(fn):
    """One transaction per call: a refused request changes nothing, and an order changed by someone
    else meanwhile (its version moved on) is reported as a conflict rather than overwritten."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StaleDataError:
            db.session.rollback()
            raise OrderChanged("The order changed meanwhile; reload it and try again.") from None
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


@cache
def _lookup(model, column: str):
    """The query for one row by a key column, built once: a statement built per call costs about as much
    to key for the statement cache as it costs to run."""
    return select(model).where(getattr(model, column) == bindparam("key"))


def _normal_key(key) -> int | str | None:
    """An integer key, or a public id without surrounding spaces; None for anything else."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str) and key.strip():
        return key.strip()
    return None


def _key_column(key, *, what: str, param: str) -> tuple[str, int | str]:
    """Which column a key names a row by (integer key or public id), and its value."""
    key = _normal_key(key)
    if key is None:
        raise NotFound(f"No such {what}.", param=param)
    return ("id" if isinstance(key, int) else "public_id"), key


def _load(model, key, *, what: str, param: str):
    column, value = _key_column(key, what=what, param=param)
    obj = db.session.execute(_lookup(model, column), {"key": value}).scalar_one_or_none()
    if obj is None:
        raise NotFound(f"No such {what}.", param=param)
    return obj


def load_shop(shop_id) -> Shop:
    shop = _load(Shop, shop_id, what="shop", param="shop")
    if shop.kind != ShopKind.retail:
        raise NotFound("No such shop.", param="shop")
    return shop


def order_for_resident(resident_id: int, order_id) -> Order:
    """The resident's own order; anyone else's does not exist for them."""
    order = _load(Order, order_id, what="order", param="id")
    if order.resident_id != resident_id:
        raise NotFound("No such order.", param="id")
    return order


def order_for_merchant(merchant_id: int, order_id) -> Order:
    order = _load(Order, order_id, what="order", param="id")
    if order.shop.owner_id != merchant_id:
        raise NotFound("No such order.", param="id")
    return order


def order_for_party(user_id: int, order_id) -> Order:
    """The order to its resident or to the owner of its shop."""
    order = _load(Order, order_id, what="order", param="id")
    if user_id not in (order.resident_id, order.shop.owner_id):
        raise NotFound("No such order.", param="id")
    return order


# -- what a shop can do right now ---------------------------------------------------------------------


def shop_is_open(shop: Shop, now: datetime | None = None) -> bool:
    """Trading (the owner's switch) and inside the opening hours, in the site's time zone."""
    moment = now or datetime.now(timezone.utc)
    minute = minute_of_week(moment, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return bool(shop.is_open) and is_open_at(shop.opening_hours, minute)


def delivers_to(shop: Shop, lat: float, lon: float) -> bool:
    return bool(shop.delivery_enabled) and distance_km(shop.latitude, shop.longitude, lat, lon) <= shop.delivery_radius_km


# -- placing an order ---------------------------------------------------------------------------------


# Checkout reads through the tables (Core), not the mapped classes: rows, no ORM machinery per statement.
_shops, _products = Shop.__table__, Product.__table__
_SHOP_TERMS = [_shops.c[name] for name in (
    "id", "kind", "currency", "is_open", "opening_hours", "pickup_enabled", "delivery_enabled", "latitude",
    "longitude", "delivery_radius_km", "delivery_fee_amount", "minimum_order_amount")]
_SHOP_TERMS_BY = {column: select(*_SHOP_TERMS).where(_shops.c[column] == bindparam("key"))
                  for column in ("id", "public_id")}


def _checkout_shop(shop_id):
    """What a checkout needs of a retail shop, as a plain row whose fields are named as Shop's columns
    (a checkout only reads the shop: no object to build and track)."""
    column, value = _key_column(shop_id, what="shop", param="shop")
    shop = db.session.execute(_SHOP_TERMS_BY[column], {"key": value}).one_or_none()
    if shop is None or shop.kind != ShopKind.retail:
        raise NotFound("No such shop.", param="shop")
    return shop


@dataclass(frozen=True)
class Checkout:
    """What the resident chose at checkout besides the lines."""

    fulfilment: str
    payment_method: str
    payment_method_id: str | None = None  # the provider's payment method, for card
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    note: str = ""


@dataclass(frozen=True)
class _Line:
    """A line to order: the product as it is now and how many."""

    product_id: int
    name: str
    unit_price: Money
    quantity: int

    @property
    def total(self) -> Money:
        return self.unit_price.times(self.quantity)


def _key_of(line) -> int | str | None:
    """The product key of a well-formed (product, quantity) line, else None (refused in order later)."""
    return _normal_key(line[0]) if isinstance(line, (tuple, list)) and len(line) == 2 else None


_PRODUCT_COLUMNS = [_products.c[name] for name in (
    "id", "public_id", "shop_id", "status", "name", "price_amount", "currency")]
_BY_ID = _products.c.id.in_(bindparam("ids", expanding=True))
_BY_PUBLIC_ID = _products.c.public_id.in_(bindparam("public_ids", expanding=True))
_PRODUCTS_BY_KEY = {  # (by id, by public id): the query
    (True, False): select(*_PRODUCT_COLUMNS).where(_BY_ID),
    (False, True): select(*_PRODUCT_COLUMNS).where(_BY_PUBLIC_ID),
    (True, True): select(*_PRODUCT_COLUMNS).where(or_(_BY_ID, _BY_PUBLIC_ID)),
}


def _products_named(keys: list) -> dict:
    """The products named by integer key or public id, in one query, as plain rows by either key."""
    ids = sorted({k for k in keys if isinstance(k, int)})
    public_ids = sorted({k for k in keys if isinstance(k, str)})
    if not (ids or public_ids):
        return {}
    stmt = _PRODUCTS_BY_KEY[(bool(ids), bool(public_ids))]
    rows = db.session.execute(stmt, {"ids": ids, "public_ids": public_ids}).all()
    return {key: row for row in rows for key in (row.id, row.public_id)}


def _parse_lines(shop, lines: Iterable) -> list[_Line]:
    """The lines of the shop's active products, repeated products added together, in product-id order.

    The products are read in one query; the checks then run line by line, so the first bad line is the
    one reported, as if each had been looked up in turn."""
    if lines is None or isinstance(lines, (str, bytes, dict)):
        raise ValidationError("'lines' must be a list of products and quantities.", param="lines")
    lines = list(lines)
    if not lines:
        raise ValidationError("An order needs at least one line.", param="lines")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"An order has at most {MAX_LINES} lines.", param="lines")
    products = _products_named([_key_of(line) for line in lines])
    wanted: dict[int, int] = {}
    found = {}
    for index, (product_key, quantity) in enumerate(lines):
        param = f"lines[{index}]"
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationError("Quantity must be a whole number of at least 1.", param=f"{param}.quantity")
        product = products.get(_key_of((product_key, quantity)))
        if product is None:
            raise NotFound("No such product.", param=f"{param}.product")
        if product.shop_id != shop.id or product.status != ProductStatus.active:
            raise NotFound("This shop does not sell that product.", param=f"{param}.product")
        found[product.id] = product
        wanted[product.id] = wanted.get(product.id, 0) + quantity
        if wanted[product.id] > MAX_QUANTITY:
            raise ValidationError(f"At most {MAX_QUANTITY} of one product.", param=f"{param}.quantity")
    # Always the same order of rows: concurrent checkouts then take row locks without deadlocking.
    return [_Line(pid, found[pid].name, Money(found[pid].price_amount, found[pid].currency), wanted[pid])
            for pid in sorted(wanted)]


def _check_fulfilment(shop, checkout: Checkout, subtotal: Money) -> Money:
    """Refuse what the shop cannot do; the delivery fee when it delivers. `shop` is a Shop or a row of its
    columns."""
    if checkout.fulfilment not in Fulfilment.__members__:
        raise ValidationError("'fulfilment' must be pickup or delivery.", param="fulfilment")
    if checkout.fulfilment == Fulfilment.pickup:
        if not shop.pickup_enabled:
            raise FulfilmentUnavailable("This shop does not offer pickup.", param="fulfilment")
        return Money.zero(shop.currency)
    if not shop.delivery_enabled:
        raise FulfilmentUnavailable("This shop does not deliver.", param="fulfilment")
    if not (checkout.address or "").strip():
        raise ValidationError("A delivery needs an address.", param="address")
    for name in ("lat", "lon"):
        value = getattr(checkout, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("A delivery needs the point to deliver to (lat, lon).", param=name)
    if not (-90 <= checkout.lat <= 90 and -180 <= checkout.lon <= 180):
        raise ValidationError("That point is not on the map.", param="lat")
    if not delivers_to(shop, checkout.lat, checkout.lon):
        km = distance_km(shop.latitude, shop.longitude, checkout.lat, checkout.lon)
        raise OutsideDeliveryRadius(
            f"The shop delivers within {shop.delivery_radius_km:g} km; that address is {km:.1f} km away.",
            param="address")
    minimum = Money(shop.minimum_order_amount, shop.currency)
    if subtotal < minimum:
        raise BelowMinimumOrder(f"Delivery needs an order of at least {minimum.format()}.", param="lines")
    return Money(shop.delivery_fee_amount, shop.currency)


def _fill_column_defaults(table, values: dict) -> None:
    """Add the table's own Python-side defaults (public id, status, timestamp, version) for the columns
    `values` leaves out, as an ORM insert would, so the object made from a plain INSERT's values agrees with
    the row written."""
    for column in table.columns:
        default = column.default
        if column.key in values or default is None:
            continue
        values[column.key] = default.arg(None) if default.is_callable else default.arg


# Built once: keying a statement for the statement cache costs about as much as running it.
_INSERT_ORDER = insert(Order.__table__).returning(Order.__table__.c.id)
_INSERT_LINES = insert(OrderLine.__table__)


@use_case
def place_order(resident_id: int, shop_id, lines: Iterable, checkout: Checkout, *,
                idempotency_key: str | None = None, now: datetime | None = None) -> Order:
    """Take the stock and start the payment, all or nothing.

    `lines` are (product, quantity) pairs. With an `idempotency_key`, a retry (a double tap, a
    reload, a lost response) returns the order the first attempt made and creates nothing.
    """
    if idempotency_key:
        if len(idempotency_key) > 255:
            raise ValidationError("The idempotency key is at most 255 characters.", param="Idempotency-Key")
        earlier = _order_by_checkout_key(resident_id, idempotency_key)
        if earlier is not None:
            return earlier
    shop = _checkout_shop(shop_id)
    if checkout.payment_method not in PaymentMethod.__members__:
        raise ValidationError("'payment_method' must be card or cash.", param="payment_method")
    if checkout.payment_method == PaymentMethod.card and not (checkout.payment_method_id or "").strip():
        raise ValidationError("A card payment needs 'payment_method_id'.", param="payment_method_id")
    if len(checkout.note or "") > 500:
        raise ValidationError("The note is at most 500 characters.", param="note")
    if not shop_is_open(shop, now):
        raise ShopClosed("The shop is closed now.", param="shop")
    wanted = _parse_lines(shop, lines)
    subtotal = sum((line.total for line in wanted), Money.zero(shop.currency))
    fee = _check_fulfilment(shop, checkout, subtotal)
    delivery = checkout.fulfilment == Fulfilment.delivery
    values = dict(
        resident_id=resident_id, shop_id=shop.id, fulfilment=Fulfilment(checkout.fulfilment),
        payment_method=PaymentMethod(checkout.payment_method), currency=shop.currency,
        subtotal_amount=subtotal.amount, delivery_fee_amount=fee.amount, total_amount=(subtotal + fee).amount,
        delivery_address=checkout.address.strip() if delivery else None,
        delivery_latitude=float(checkout.lat) if delivery else None,
        delivery_longitude=float(checkout.lon) if delivery else None,
        note=(checkout.note or "").strip(), checkout_key=idempotency_key or None,
    )
    _fill_column_defaults(Order.__table__, values)
    try:
        values["id"] = db.session.execute(_INSERT_ORDER, values).scalar_one()
    except IntegrityError:
        # The same key raced in from a second request: that one's order is the answer.
        db.session.rollback()
        earlier = _order_by_checkout_key(resident_id, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return earlier
    # The object the caller gets, made from the row just written as though it had been loaded (what was not
    # written here, such as its lines and payments, loads when first read): a plain INSERT costs a third of
    # what an ORM insert returning the whole row costs.
    order = Order(**values)
    make_transient_to_detached(order)
    db.session.add(order)
    if order.payment_method == PaymentMethod.cash:
        paying.expect_cash(order)
    # The stock and the lines as one statement each, not an object and a flush per line.
    move_stocks({line.product_id: -line.quantity for line in wanted}, StockReason.sale,
                reference=order.public_id, user_id=resident_id)
    db.session.execute(_INSERT_LINES, [
        {"order_id": order.id, "product_id": line.product_id, "name": line.name, "quantity": line.quantity,
         "unit_price_amount": line.unit_price.amount, "line_total_amount": line.total.amount,
         "currency": line.unit_price.currency} for line in wanted])
    db.session.expire(order, ["lines"])
    if order.payment_method == PaymentMethod.card:
        paying.charge_card(order, checkout.payment_method_id.strip(),
                           idempotency_key=f"{order.public_id}-charge")
    db.session.commit()
    return order


def _order_by_checkout_key(resident_id: int, key: str) -> Order | None:
    return db.session.execute(
        select(Order).where(Order.resident_id == resident_id, Order.checkout_key == key)
    ).scalar_one_or_none()


# -- finishing a card payment ------------------------------------------------------------------------


def payment_authentication(resident_id: int, order_id) -> str | None:
    """The secret the resident's browser needs to run the bank's check (3-D Secure) on the order's card
    payment, or None when no check is pending. Commits a check that finished meanwhile."""
    order = order_for_resident(resident_id, order_id)
    secret = paying.authentication_secret(order)
    db.session.commit()
    return secret


@use_case
def confirm_card_payment(resident_id: int, order_id) -> Order:
    """After the bank's check in the resident's browser: record how it went, by the provider's word.

    A passed check pays the order and sends it to the shop; a failed one leaves the order unpaid (its
    stock still kept for it) so the resident can pay with another card or cancel.
    """
    order = order_for_resident(resident_id, order_id)
    paying.refresh(order)
    db.session.commit()
    return order


@use_case
def pay_order_by_card(resident_id: int, order_id, payment_method_id: str | None, *, idempotency_key: str) -> Order:
    """Pay an order again with a card after the first attempt failed (the bank's check, say).

    With a payment already made or still under way this changes nothing and returns the order. A
    declined card raises PaymentFailed and changes nothing.
    """
    order = order_for_resident(resident_id, order_id)
    if order.status != OrderStatus.placed or order.payment_method != PaymentMethod.card:
        raise InvalidTransition("This order is not waiting for a card payment.", param="status")
    if not (idempotency_key or "").strip() or len(idempotency_key) > 200:
        raise ValidationError("A card payment needs a key of 1 to 200 characters.", param="Idempotency-Key")
    if paying.has_live_payment(order):
        return order
    if not isinstance(payment_method_id, str) or not payment_method_id.strip():
        raise ValidationError("A card payment needs 'payment_method_id'.", param="payment_method_id")
    paying.charge_card(order, payment_method_id.strip(), idempotency_key=f"{order.public_id}-{idempotency_key}")
    db.session.commit()
    return order


def release_unpaid_card_orders(older_than: timedelta, *, now: datetime | None = None) -> list[str]:
    """Cancel card orders left unpaid longer than `older_than` (the bank's check abandoned or failed, no
    other card tried), so their goods go back on the shelf. Each is first asked about once more at the
    provider: one paid meanwhile goes to its shop instead. One transaction per order; returns the ids of
    the orders cancelled."""
    cutoff = (now or datetime.now(timezone.utc)) - older_than
    candidates = db.session.execute(
        select(Order.id).where(Order.status == OrderStatus.placed, Order.payment_method == PaymentMethod.card,
                               Order.placed_at < cutoff, ~_PAID).order_by(Order.id)).scalars().all()
    released = []
    for order_id in candidates:
        try:
            if _release_if_unpaid(order_id):
                released.append(db.session.get(Order, order_id).public_id)
        except DomainError:  # paid or cancelled meanwhile, or the provider not answering: next run
            continue
    return released


@use_case
def _release_if_unpaid(order_id: int) -> bool:
    order = db.session.get(Order, order_id)
    if order.status != OrderStatus.placed:
        return False
    paying.refresh(order)
    if not order.awaiting_card_payment:
        db.session.commit()
        return False
    order.cancel()
    _return_stock(order, order.resident_id)
    paying.release(order, reason="unpaid")
    db.session.commit()
    return True


# -- moving an order along --------------------------------------------------------------------------


def _return_stock(order: Order, user_id: int) -> None:
    returned: dict[int, int] = {}
    for line in order.lines:
        returned[line.product_id] = returned.get(line.product_id, 0) + line.quantity
    move_stocks(returned, StockReason.cancel, reference=order.public_id, user_id=user_id)


@use_case
def accept_order(merchant_id: int, order_id) -> Order:
    order = order_for_merchant(merchant_id, order_id)
    if order.status == OrderStatus.placed and order.awaiting_card_payment:
        raise PaymentIncomplete("The resident has not finished paying for this order by card yet.", param="status")
    order.accept()
    db.session.commit()
    return order


@use_case
def reject_order(merchant_id: int, order_id, reason: str) -> Order:
    """The shop cannot fill the order: stock back on the shelf, the resident's money back."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the order is rejected.", param="reason")
    if len(reason) > 255:
        raise ValidationError("The reason is at most 255 characters.", param="reason")
    order = order_for_merchant(merchant_id, order_id)
    order.reject(reason)
    _return_stock(order, merchant_id)
    paying.release(order, reason="rejected", user_id=merchant_id)
    db.session.commit()
    return order


@use_case
def cancel_order(resident_id: int, order_id) -> Order:
    """The resident changes their mind before the shop accepts."""
    order = order_for_resident(resident_id, order_id)
    if order.status != OrderStatus.placed:
        raise InvalidTransition("The shop has already taken this order; ask them to cancel it.", param="status")
    order.cancel()
    _return_stock(order, resident_id)
    paying.release(order, reason="cancelled", user_id=resident_id)
    db.session.commit()
    return order


@use_case
def mark_order_ready(merchant_id: int, order_id) -> Order:
    """Ready for pickup, or out for delivery, by the order's fulfilment."""
    order = order_for_merchant(merchant_id, order_id)
    order.mark_ready()
    db.session.commit()
    return order


@use_case
def complete_order(merchant_id: int, order_id) -> Order:
    """Handed over: cash, when the order is paid in cash, is in the merchant's hand."""
    order = order_for_merchant(merchant_id, order_id)
    order.complete()
    if order.payment_method == PaymentMethod.cash:
        paying.collect_cash(order)
    db.session.flush()
    order_completed.send(current_app._get_current_object(), order_id=order.id, shop_id=order.shop_id)
    db.session.commit()
    return order


@use_case
def refund_order(merchant_id: int, order_id, amount: int, *, reason: str = "") -> Order:
    """Give back part or all of what was paid, never more than is left to give back."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise ValidationError("'amount' must be a whole number of minor units, at least 1.", param="amount")
    order = order_for_merchant(merchant_id, order_id)
    if order.status not in REFUNDABLE_STATUSES:
        raise InvalidTransition("Refund an order once it is completed, rejected or cancelled.", param="status")
    left = paying.refundable(order)
    if amount > left.amount:
        raise RefundTooLarge(translate("At most %(amount)s can still be refunded.", amount=left.format()),
                             param="amount")
    paying.refund(order, Money(amount, order.currency), reason=(reason or "").strip()[:500], user_id=merchant_id)
    # Two refunds at once must not both pass the check above: writing the order checks its version.
    flag_modified(order, "note")
    db.session.commit()
    return order


# -- reviews --------------------------------------------------------------------------------------


@use_case
def review_order(resident_id: int, order_id, rating: int, text: str = "") -> Review:
    order = order_for_resident(resident_id, order_id)
    if order.status != OrderStatus.completed:
        raise InvalidTransition("Review an order once it is completed.", param="status")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("The rating is a whole number from 1 to 5.", param="rating")
    text = (text or "").strip()
    if len(text) > 2000:
        raise ValidationError("A review is at most 2000 characters.", param="text")
    if db.session.execute(select(Review.id).where(Review.order_id == order.id)).first():
        raise Conflict("This order is already reviewed.", code="already_reviewed")
    review = Review(order_id=order.id, shop_id=order.shop_id, resident_id=resident_id, rating=rating, text=text)
    db.session.add(review)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("This order is already reviewed.", code="already_reviewed") from None
    return review


def shop_rating(shop_id: int) -> tuple[float | None, int]:
    """(average rating, number of reviews) of a shop."""
    avg, count = db.session.execute(
        select(func.avg(Review.rating), func.count(Review.id)).where(Review.shop_id == shop_id)).one()
    return (round(float(avg), 1) if avg is not None else None), count


def shop_reviews(shop_id: int, limit: int = 20) -> list[Review]:
    return list(db.session.execute(
        select(Review).where(Review.shop_id == shop_id).order_by(Review.id.desc()).limit(limit)).scalars())


# -- lists ---------------------------------------------------------------------------------------


def resident_orders(resident_id: int, limit: int = 50) -> list[Order]:
    return list(db.session.execute(
        select(Order).where(Order.resident_id == resident_id).order_by(Order.id.desc()).limit(limit)).scalars())


OPEN_STATUSES = (OrderStatus.placed, OrderStatus.accepted, OrderStatus.ready, OrderStatus.out_for_delivery)
# An order is the shop's to act on once it is paid, or when it will be paid in cash.
_PAID = select(Payment.id).where(Payment.order_id == Order.id, Payment.status == PaymentStatus.succeeded).exists()
FOR_THE_SHOP = or_(Order.payment_method == PaymentMethod.cash, _PAID)


def merchant_inbox(merchant_id: int, *, open_only: bool = True, limit: int = 100) -> list[Order]:
    """Orders of the merchant's shops, the newest first; by default only the ones still to act on (open,
    and paid unless paid in cash: a card order waiting for the bank's check is not the shop's yet)."""
    stmt = select(Order).join(Shop, Shop.id == Order.shop_id).where(Shop.owner_id == merchant_id)
    if open_only:
        stmt = stmt.where(Order.status.in_(OPEN_STATUSES), FOR_THE_SHOP)
    return list(db.session.execute(stmt.order_by(Order.id.desc()).limit(limit)).scalars())


def unseen_count(merchant_id: int) -> int:
    """Orders waiting for the shop to accept or reject: the inbox badge."""
    return db.session.execute(
        select(func.count(Order.id)).join(Shop, Shop.id == Order.shop_id)
        .where(Shop.owner_id == merchant_id, Order.status == OrderStatus.placed, FOR_THE_SHOP)).scalar_one()
