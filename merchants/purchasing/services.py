"""Purchasing use cases: each takes ids and plain values, runs in one transaction and commits, or raises.

Objects are named by their public id (`po_...`, `prd_...`, `shop_...`) or their integer key; both work,
so pages, the API and other packages (credit, the demo town) call the same functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from flask import current_app
from sqlalchemy import func, select

from marketplace.catalog.models import Product, ProductStatus, Shop, ShopKind, StockReason
from marketplace.catalog.stock import move_stock
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.statemachine import utcnow

from .errors import (
    BelowMinimumOrder, Conflict, InvoiceAlreadyPaid, NotASupplier, NotFound, PermissionDenied, ValidationError,
)
from .models import (
    InvoiceStatus, PaymentTerms, PriceTier, ProductLink, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus,
    PurchaseReceipt, PurchaseReceiptLine, SupplierInvoice, WholesaleTerms,
)

MAX_LINES = 200
MAX_QUANTITY = 1_000_000


def use_case(fn):
    """One transaction per call: whatever the function wrote is rolled back if it raises, so a
    refused request changes nothing, even when the caller keeps using the same session."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


# -- loading and who may act ------------------------------------------------------------------------


def _load(model, key, *, what: str, param: str, lock: bool = False):
    if isinstance(key, bool) or key is None or key == "":
        raise NotFound(f"No such {what}.", param=param)
    if isinstance(key, int):
        stmt = select(model).where(model.id == key)
    elif isinstance(key, str):
        stmt = select(model).where(model.public_id == key.strip())
    else:
        raise NotFound(f"No such {what}.", param=param)
    if lock:
        stmt = stmt.with_for_update()
    obj = db.session.execute(stmt).scalar_one_or_none()
    if obj is None:
        raise NotFound(f"No such {what}.", param=param)
    return obj


def load_order(po_id, *, lock: bool = False) -> PurchaseOrder:
    return _load(PurchaseOrder, po_id, what="purchase order", param="id", lock=lock)


def load_invoice(invoice_id, *, lock: bool = False) -> SupplierInvoice:
    return _load(SupplierInvoice, invoice_id, what="invoice", param="id", lock=lock)


def _owns(user_id: int, shop: Shop) -> bool:
    return shop.owner_id == user_id


def order_for_party(user_id: int, po_id, *, lock: bool = False) -> PurchaseOrder:
    """The order if the user runs the buying or the supplying shop; to anyone else it does not exist."""
    order = load_order(po_id, lock=lock)
    if not (_owns(user_id, order.buyer_shop) or _owns(user_id, order.supplier_shop)):
        raise NotFound("No such purchase order.", param="id")
    return order


def _order_as_buyer(user_id: int, po_id) -> PurchaseOrder:
    order = order_for_party(user_id, po_id, lock=True)
    if not _owns(user_id, order.buyer_shop):
        raise PermissionDenied("Only the buying shop can do that to this purchase order.")
    return order


def _order_as_supplier(user_id: int, po_id) -> PurchaseOrder:
    order = order_for_party(user_id, po_id, lock=True)
    if not _owns(user_id, order.supplier_shop):
        raise PermissionDenied("Only the supplier can do that to this purchase order.")
    return order


def invoice_for_party(user_id: int, invoice_id, *, lock: bool = False) -> SupplierInvoice:
    invoice = load_invoice(invoice_id, lock=lock)
    if not (_owns(user_id, invoice.buyer_shop) or _owns(user_id, invoice.supplier_shop)):
        raise NotFound("No such invoice.", param="id")
    return invoice


def buyer_shop_for(user_id: int, shop_id=None) -> Shop:
    """The shop a user buys for: the one named, or their only (first) shop."""
    if shop_id:
        shop = _load(Shop, shop_id, what="shop", param="shop")
        if shop.owner_id != user_id:
            raise NotFound("No such shop.", param="shop")
        return shop
    shops = db.session.execute(
        select(Shop).where(Shop.owner_id == user_id).order_by(Shop.kind != ShopKind.retail, Shop.id)
    ).scalars().first()
    if shops is None:
        raise ValidationError("Set up your shop before buying stock.", param="shop", code="no_shop")
    return shops


def supplier_shop_for(user_id: int) -> Shop:
    shop = db.session.execute(
        select(Shop).where(Shop.owner_id == user_id, Shop.kind == ShopKind.supplier).order_by(Shop.id)
    ).scalars().first()
    if shop is None:
        raise ValidationError("You have no supplier shop.", param="shop", code="no_supplier_shop")
    return shop


# -- the supplier's catalogue and terms -------------------------------------------------------------


def _whole(value, param: str, *, minimum: int, maximum: int = MAX_QUANTITY) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"'{param}' must be a whole number.", param=param)
    if not minimum <= value <= maximum:
        raise ValidationError(f"'{param}' must be from {minimum} to {maximum}.", param=param)
    return value


@use_case
def set_wholesale_terms(user_id: int, product_id, *, min_order_quantity: int = 1, lead_time_days: int = 1,
                        tiers: Iterable[tuple[int, int]] = ()) -> WholesaleTerms:
    """Set a supplier product's minimum order, lead time and quantity price tiers (replacing the old tiers).

    `tiers` are (from quantity, unit price in minor units); each tier must be cheaper than the one below it.
    """
    product = _load(Product, product_id, what="product", param="product")
    if product.shop.owner_id != user_id:
        raise NotFound("No such product.", param="product")
    if product.shop.kind != ShopKind.supplier:
        raise NotASupplier("Only a supplier shop sells on wholesale terms.", param="product")
    _whole(min_order_quantity, "min_order_quantity", minimum=1)
    _whole(lead_time_days, "lead_time_days", minimum=0, maximum=365)
    clean: list[tuple[int, int]] = []
    for i, tier in enumerate(tiers):
        try:
            quantity, price = tier
        except (TypeError, ValueError):
            raise ValidationError("Each tier is a quantity and a unit price.", param=f"tiers[{i}]") from None
        _whole(quantity, f"tiers[{i}].min_quantity", minimum=2)
        _whole(price, f"tiers[{i}].unit_price", minimum=0, maximum=10**12)
        clean.append((quantity, price))
    clean.sort()
    previous_price = product.price_amount
    seen = set()
    for quantity, price in clean:
        if quantity in seen:
            raise ValidationError("Two tiers start at the same quantity.", param="tiers")
        if price >= previous_price:
            raise ValidationError("Each tier's unit price must be below the price for fewer units.", param="tiers")
        seen.add(quantity)
        previous_price = price
    terms = db.session.execute(select(WholesaleTerms).where(WholesaleTerms.product_id == product.id)).scalar()
    if terms is None:
        terms = WholesaleTerms(product_id=product.id)
        db.session.add(terms)
    terms.min_order_quantity = min_order_quantity
    terms.lead_time_days = lead_time_days
    for old in db.session.execute(select(PriceTier).where(PriceTier.product_id == product.id)).scalars():
        db.session.delete(old)
    db.session.flush()
    for quantity, price in clean:
        db.session.add(PriceTier(product_id=product.id, min_quantity=quantity, unit_price_amount=price,
                                 currency=product.currency))
    db.session.commit()
    return terms


@dataclass(frozen=True)
class Offer:
    """A supplier product as a buyer sees it: price tiers, minimum order, lead time, stock."""

    product: Product
    min_order_quantity: int
    lead_time_days: int
    tiers: tuple[tuple[int, Money], ...]  # (from quantity, unit price), the base price first at 1

    def unit_price(self, quantity: int) -> Money:
        price = self.tiers[0][1]
        for from_quantity, tier_price in self.tiers:
            if quantity >= from_quantity:
                price = tier_price
        return price


def offers_for(product_ids: Iterable[int]) -> dict[int, Offer]:
    ids = list(set(product_ids))
    if not ids:
        return {}
    products = db.session.execute(select(Product).where(Product.id.in_(ids))).scalars().all()
    terms = {t.product_id: t for t in db.session.execute(
        select(WholesaleTerms).where(WholesaleTerms.product_id.in_(ids))).scalars()}
    tiers: dict[int, list] = {}
    for tier in db.session.execute(
            select(PriceTier).where(PriceTier.product_id.in_(ids)).order_by(PriceTier.min_quantity)).scalars():
        tiers.setdefault(tier.product_id, []).append((tier.min_quantity, tier.unit_price))
    result = {}
    for p in products:
        t = terms.get(p.id)
        result[p.id] = Offer(
            product=p,
            min_order_quantity=t.min_order_quantity if t else 1,
            lead_time_days=t.lead_time_days if t else 1,
            tiers=tuple([(1, p.price)] + tiers.get(p.id, [])),
        )
    return result


def supplier_catalogue(supplier_shop_id, *, words: str = "", category: str | None = None) -> list[Offer]:
    shop = _load(Shop, supplier_shop_id, what="supplier", param="supplier")
    if shop.kind != ShopKind.supplier:
        raise NotFound("No such supplier.", param="supplier")
    stmt = select(Product.id).where(Product.shop_id == shop.id, Product.status == ProductStatus.active)
    if category:
        stmt = stmt.where(Product.category == category)
    for word in words.split()[:5]:
        like = f"%{word}%"
        stmt = stmt.where(Product.name.ilike(like) | Product.name_en.ilike(like) | Product.sku.ilike(like))
    ids = db.session.execute(stmt.order_by(Product.name)).scalars().all()
    offers = offers_for(ids)
    return [offers[i] for i in ids]


@dataclass(frozen=True)
class SupplierHit:
    shop: Shop
    distance_km: float
    product_count: int


def find_suppliers(lat: float | None = None, lon: float | None = None, *, radius_km: float = 50.0,
                   category: str | None = None, words: str = "", limit: int = 50) -> list[SupplierHit]:
    """Supplier shops near a point (nearest first), by category and by words in their name or products."""
    from math import asin, cos, radians, sin, sqrt

    stmt = select(Shop).where(Shop.kind == ShopKind.supplier)
    if category:
        stmt = stmt.where(Shop.category == category)
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError("That point is not on the map.", param="lat")
        if not 0 < radius_km <= 500:
            raise ValidationError("The radius must be above 0 and at most 500 km.", param="radius_km")
        # A box around the point first, so the index on (latitude, longitude) does the coarse work.
        dlat = radius_km / 111.0
        dlon = radius_km / max(1.0, 111.0 * cos(radians(lat)))
        stmt = stmt.where(Shop.latitude.between(lat - dlat, lat + dlat),
                          Shop.longitude.between(lon - dlon, lon + dlon))
    for word in words.split()[:5]:
        like = f"%{word}%"
        has_product = select(Product.id).where(
            Product.shop_id == Shop.id, Product.status == ProductStatus.active,
            Product.name.ilike(like) | Product.name_en.ilike(like)).exists()
        stmt = stmt.where(Shop.name.ilike(like) | Shop.description.ilike(like) | has_product)
    shops = db.session.execute(stmt.limit(2000)).scalars().all()
    counts = dict(db.session.execute(
        select(Product.shop_id, func.count()).where(Product.shop_id.in_([s.id for s in shops]),
                                                    Product.status == ProductStatus.active)
        .group_by(Product.shop_id)).all()) if shops else {}

    def km(shop: Shop) -> float:
        if lat is None or lon is None:
            return 0.0
        p1, p2 = radians(lat), radians(shop.latitude)
        a = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin(radians(shop.longitude - lon) / 2) ** 2
        return 2 * 6371.0 * asin(sqrt(a))

    hits = [SupplierHit(s, km(s), counts.get(s.id, 0)) for s in shops]
    if lat is not None and lon is not None:
        hits = [h for h in hits if h.distance_km <= radius_km]
    hits.sort(key=lambda h: (h.distance_km, h.shop.name))
    return hits[:limit]


# -- drafting and placing orders --------------------------------------------------------------------


def _parse_lines(lines) -> list[tuple[object, int]]:
    if not isinstance(lines, (list, tuple)) or not lines:
        raise ValidationError("A purchase order needs at least one line.", param="lines")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"At most {MAX_LINES} lines per purchase order.", param="lines")
    parsed = []
    for i, line in enumerate(lines):
        if isinstance(line, dict):
            product, quantity = line.get("product"), line.get("quantity")
        else:
            try:
                product, quantity = line
            except (TypeError, ValueError):
                raise ValidationError("Each line is a product and a quantity.", param=f"lines[{i}]") from None
        if product in (None, ""):
            raise ValidationError("Each line names a product.", param=f"lines[{i}].product")
        parsed.append((product, _whole(quantity, f"lines[{i}].quantity", minimum=1)))
    return parsed


def _supplier_products(supplier: Shop, keys: list) -> dict:
    """The supplier's active products for the given keys, keyed as given; anything else is refused."""
    found = {}
    for i, key in enumerate(keys):
        product = None
        try:
            product = _load(Product, key, what="product", param=f"lines[{i}].product")
        except NotFound:
            pass
        if product is None or product.shop_id != supplier.id or product.status != ProductStatus.active:
            raise ValidationError("That product is not in this supplier's catalogue.", param=f"lines[{i}].product",
                                  code="unknown_product")
        found[key] = product
    return found


def price_order(order: PurchaseOrder, offers: dict[int, Offer] | None = None) -> None:
    """Price every line from the supplier's current tiers and check minimum orders; total the order."""
    if offers is None or any(line.supplier_product_id not in offers for line in order.lines):
        offers = offers_for(line.supplier_product_id for line in order.lines)
    total = Money.zero(order.currency)
    for i, line in enumerate(order.lines):
        offer = offers[line.supplier_product_id]
        if line.quantity < offer.min_order_quantity:
            raise BelowMinimumOrder(
                f"{offer.product.name}: the minimum order is {offer.min_order_quantity}.",
                param=f"lines[{i}].quantity")
        price = offer.unit_price(line.quantity)
        line.unit_price_amount = price.amount
        line.line_total_amount = price.times(line.quantity).amount
        total = total + line.line_total
    order.total_amount = total.amount


def _linked_product(buyer_shop_id: int, supplier_product_id: int) -> int | None:
    return db.session.execute(select(ProductLink.buyer_product_id).where(
        ProductLink.buyer_shop_id == buyer_shop_id,
        ProductLink.supplier_product_id == supplier_product_id)).scalar()


def set_line(order: PurchaseOrder, product: Product, quantity: int, *, buyer_product_id: int | None = None) -> None:
    for line in order.lines:
        if line.supplier_product_id == product.id:
            line.quantity = quantity
            return
    order.lines.append(PurchaseOrderLine(
        supplier_product_id=product.id,
        buyer_product_id=buyer_product_id or _linked_product(order.buyer_shop_id, product.id),
        sku=product.sku, name=product.name, unit=product.unit, quantity=quantity,
        unit_price_amount=product.price_amount, line_total_amount=0, currency=product.currency,
    ))


def _supplier(supplier_shop_id) -> Shop:
    supplier = _load(Shop, supplier_shop_id, what="supplier", param="supplier")
    if supplier.kind != ShopKind.supplier:
        raise NotASupplier("That shop does not sell wholesale.", param="supplier")
    return supplier


@use_case
def create_purchase_order(user_id: int, supplier_shop_id, lines, *, buyer_shop_id=None,
                          payment_terms: str = PaymentTerms.net_7.value, note: str = "") -> PurchaseOrder:
    """A draft order from the user's shop to a supplier. `lines`: (product, quantity) or {product, quantity}."""
    buyer = buyer_shop_for(user_id, buyer_shop_id)
    supplier = _supplier(supplier_shop_id)
    if supplier.id == buyer.id:
        raise ValidationError("A shop cannot buy from itself.", param="supplier")
    if supplier.currency != buyer.currency:
        raise ValidationError("This supplier sells in another currency.", param="supplier")
    terms = _terms(payment_terms)
    parsed = _parse_lines(lines)
    products = _supplier_products(supplier, [key for key, _q in parsed])
    order = PurchaseOrder(buyer_shop_id=buyer.id, supplier_shop_id=supplier.id, created_by_id=user_id,
                          currency=buyer.currency, payment_terms=terms, note=_text(note, 500, "note"))
    db.session.add(order)
    seen = set()
    for key, quantity in parsed:
        product = products[key]
        if product.id in seen:
            raise ValidationError("A product appears twice; give it one line.", param="lines")
        seen.add(product.id)
        set_line(order, product, quantity)
    price_order(order)
    db.session.commit()
    return order


@use_case
def add_to_draft(user_id: int, supplier_product_id, quantity: int) -> PurchaseOrder:
    """Put a supplier product on the user's draft order to that supplier (made if there is none)."""
    product = _load(Product, supplier_product_id, what="product", param="product")
    supplier = _supplier(product.shop_id)
    buyer = buyer_shop_for(user_id)
    _whole(quantity, "quantity", minimum=1)
    order = open_draft(buyer.id, supplier.id)
    if order is None:
        return create_purchase_order(user_id, supplier.id, [(product.id, quantity)])
    _supplier_products(supplier, [product.id])
    set_line(order, product, quantity)
    price_order(order)
    db.session.commit()
    return order


def open_draft(buyer_shop_id: int, supplier_shop_id: int) -> PurchaseOrder | None:
    return db.session.execute(select(PurchaseOrder).where(
        PurchaseOrder.buyer_shop_id == buyer_shop_id, PurchaseOrder.supplier_shop_id == supplier_shop_id,
        PurchaseOrder.status == PurchaseOrderStatus.draft).order_by(PurchaseOrder.id.desc())).scalars().first()


@use_case
def update_draft(user_id: int, po_id, *, quantities: dict | None = None, payment_terms: str | None = None,
                 note: str | None = None) -> PurchaseOrder:
    """Change a draft's quantities (0 removes a line), terms or note."""
    order = _order_as_buyer(user_id, po_id)
    if order.status != PurchaseOrderStatus.draft:
        raise Conflict("Only a draft can be changed.", code="invalid_transition")
    for key, quantity in (quantities or {}).items():
        line = next((ln for ln in order.lines if str(ln.id) == str(key)
                     or ln.supplier_product.public_id == key), None)
        if line is None:
            raise ValidationError("That line is not on this order.", param="lines")
        _whole(quantity, "quantity", minimum=0)
        if quantity == 0:
            order.lines.remove(line)
        else:
            line.quantity = quantity
    if not order.lines:
        raise ValidationError("A purchase order needs at least one line; cancel it instead.", param="lines")
    if payment_terms is not None:
        order.payment_terms = _terms(payment_terms)
    if note is not None:
        order.note = _text(note, 500, "note")
    price_order(order)
    db.session.commit()
    return order


def _terms(value) -> PaymentTerms:
    try:
        return PaymentTerms(value)
    except ValueError:
        raise ValidationError("Payment terms are one of: now, net_7, net_30.", param="payment_terms") from None


def _text(value, limit: int, param: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"'{param}' must be text.", param=param)
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(f"'{param}' is longer than {limit} characters.", param=param)
    return value


@use_case
def submit_purchase_order(user_id: int, po_id) -> PurchaseOrder:
    """Send a draft to the supplier at today's prices."""
    order = _order_as_buyer(user_id, po_id)
    order.submit()
    _supplier_products(order.supplier_shop, [line.supplier_product_id for line in order.lines])
    price_order(order)
    db.session.commit()
    return order


@use_case
def cancel_purchase_order(user_id: int, po_id) -> PurchaseOrder:
    """The buyer calls it off before it ships; a confirmed order's goods go back on the supplier's shelf."""
    order = _order_as_buyer(user_id, po_id)
    was_confirmed = order.status == PurchaseOrderStatus.confirmed
    invoice = order.invoice
    if invoice is not None and invoice.status == InvoiceStatus.paid:
        raise InvoiceAlreadyPaid("This order's invoice is paid; ask the supplier to reject or ship it.")
    order.cancel()
    if was_confirmed:
        for line in order.lines:
            move_stock(line.supplier_product_id, line.quantity, StockReason.cancel, reference=order.public_id,
                       note="purchase order cancelled", user_id=user_id)
        if invoice is not None:
            invoice.void()
    db.session.commit()
    return order


# -- the supplier's side ----------------------------------------------------------------------------


@use_case
def confirm_purchase_order(user_id: int, po_id) -> PurchaseOrder:
    """The supplier accepts: the goods leave its stock for this order and the invoice is raised, at once."""
    order = _order_as_supplier(user_id, po_id)
    confirm_order(order, user_id)
    db.session.commit()
    return order


def confirm_order(order: PurchaseOrder, user_id: int, *, at: datetime | None = None,
                  invoice_public_id: str | None = None) -> SupplierInvoice:
    """The confirmation itself, in the caller's transaction (the demo town passes its own clock and ids)."""
    order.confirm(at=at)
    for line in order.lines:
        # A conditional decrement: if the supplier has too few, InsufficientStock undoes everything.
        movement = move_stock(line.supplier_product_id, -line.quantity, StockReason.sale, reference=order.public_id,
                              note="purchase order", user_id=user_id)
        if at is not None:
            movement.created_at = at
    lead_days = max(offer.lead_time_days for offer in offers_for(l.supplier_product_id for l in order.lines).values())
    order.expected_at = order.confirmed_at + timedelta(days=lead_days)
    invoice = SupplierInvoice(
        order=order, buyer_shop_id=order.buyer_shop_id, supplier_shop_id=order.supplier_shop_id,
        amount=order.total_amount, currency=order.currency, terms=order.payment_terms,
        issued_at=order.confirmed_at, due_at=order.confirmed_at + timedelta(days=order.payment_terms.days),
    )
    if invoice_public_id:
        invoice.public_id = invoice_public_id
    db.session.add(invoice)
    return invoice


@use_case
def reject_purchase_order(user_id: int, po_id, reason: str) -> PurchaseOrder:
    reason = _text(reason, 255, "reason")
    if not reason:
        raise ValidationError("Say why you reject the order.", param="reason")
    order = _order_as_supplier(user_id, po_id)
    order.reject(reason)
    db.session.commit()
    return order


@use_case
def ship_purchase_order(user_id: int, po_id) -> PurchaseOrder:
    order = _order_as_supplier(user_id, po_id)
    if order.payment_terms == PaymentTerms.now and order.invoice and order.invoice.status != InvoiceStatus.paid:
        raise Conflict("This order is on pay-now terms: it ships once its invoice is paid.", code="awaiting_payment")
    order.ship()
    db.session.commit()
    return order


# -- receiving --------------------------------------------------------------------------------------


def suggested_retail_price(unit_cost: Money) -> Money:
    """Cost plus the configured markup, rounded up to a whole ten fen, so a new product has a sane price."""
    markup = Decimal(str(current_app.config.get("PURCHASING_RETAIL_MARKUP", "0.30")))
    raw = unit_cost.apply_rate(Decimal(1) + markup, ROUND_HALF_UP)
    step = 10 if raw.amount >= 100 else 1
    return Money(-(-raw.amount // step) * step, raw.currency)


def _new_buyer_product(order: PurchaseOrder, line: PurchaseOrderLine) -> Product:
    source = line.supplier_product
    sku = source.sku
    taken = set(db.session.execute(select(Product.sku).where(
        Product.shop_id == order.buyer_shop_id, Product.sku.like(f"{source.sku}%"))).scalars())
    n = 2
    while sku in taken:
        sku = f"{source.sku}-{n}"
        n += 1
    product = Product(shop_id=order.buyer_shop_id, sku=sku, name=source.name, name_en=source.name_en,
                      description=source.description, category=source.category, unit=source.unit,
                      price_amount=suggested_retail_price(line.unit_price).amount, currency=order.currency)
    db.session.add(product)
    db.session.flush()
    return product


def _buyer_product(order: PurchaseOrder, line: PurchaseOrderLine, into, param: str) -> int:
    """Where a received line goes: the product named, the remembered one, or a new product."""
    if into:
        product = None
        try:
            product = _load(Product, into, what="product", param=param)
        except NotFound:
            pass
        if product is None or product.shop_id != order.buyer_shop_id:
            raise ValidationError("Receive into one of your own products.", param=param)
        target = product.id
    elif line.buyer_product_id:
        target = line.buyer_product_id
    else:
        target = _new_buyer_product(order, line).id
    link = db.session.execute(select(ProductLink).where(
        ProductLink.buyer_shop_id == order.buyer_shop_id,
        ProductLink.supplier_product_id == line.supplier_product_id)).scalar()
    if link is None:
        db.session.add(ProductLink(buyer_shop_id=order.buyer_shop_id, supplier_product_id=line.supplier_product_id,
                                   buyer_product_id=target))
    else:
        link.buyer_product_id = target
    line.buyer_product_id = target
    return target


@use_case
def receive_purchase_order(user_id: int, po_id, lines=None, *, note: str = "") -> PurchaseReceipt:
    """Count in a delivery: each line's quantity goes into the buyer's stock as a purchase receipt.

    `lines`: [{line | product, quantity, into?}] where `line` is the order line's id, `product` the
    supplier's product id, and `into` one of the buyer's products (else the remembered one, else a new
    product priced at cost plus markup). No `lines` means everything still outstanding.
    """
    order = _order_as_buyer(user_id, po_id)
    if order.status not in (PurchaseOrderStatus.shipped, PurchaseOrderStatus.partially_received):
        raise Conflict(f"A purchase order that is {order.status} cannot be received.", code="invalid_transition")
    wanted = _receipt_lines(order, lines)
    receipt = PurchaseReceipt(order=order, received_by_id=user_id, note=_text(note, 255, "note"))
    db.session.add(receipt)
    for i, (line, quantity, into) in enumerate(wanted):
        target = _buyer_product(order, line, into, f"lines[{i}].into")
        line.received_quantity += quantity
        move_stock(target, quantity, StockReason.purchase_receipt, reference=order.public_id,
                   note=f"{order.supplier_shop.name}: {line.name}"[:255], user_id=user_id)
        receipt.lines.append(PurchaseReceiptLine(order_line_id=line.id, buyer_product_id=target, quantity=quantity))
    order.record_receipt()
    _close_if_done(order)
    db.session.commit()
    return receipt


def _receipt_lines(order: PurchaseOrder, lines) -> list[tuple[PurchaseOrderLine, int, object]]:
    if lines is None:
        wanted = [(line, line.outstanding_quantity, None) for line in order.lines if line.outstanding_quantity]
        if not wanted:
            raise Conflict("Everything on this order is already received.", code="nothing_outstanding")
        return wanted
    if not isinstance(lines, (list, tuple)) or not lines:
        raise ValidationError("Say what arrived: at least one line with a quantity.", param="lines")
    by_id = {str(line.id): line for line in order.lines}
    by_product = {line.supplier_product.public_id: line for line in order.lines}
    wanted, seen = [], set()
    for i, item in enumerate(lines):
        if not isinstance(item, dict):
            raise ValidationError("Each line is an object with a line or product and a quantity.", param=f"lines[{i}]")
        key = item.get("line", item.get("product"))
        line = by_id.get(str(key)) or by_product.get(str(key))
        if line is None:
            raise ValidationError("That line is not on this order.", param=f"lines[{i}]")
        if line.id in seen:
            raise ValidationError("A line appears twice.", param=f"lines[{i}]")
        seen.add(line.id)
        quantity = _whole(item.get("quantity"), f"lines[{i}].quantity", minimum=0)
        if quantity > line.outstanding_quantity:
            raise ValidationError(
                f"{line.name}: only {line.outstanding_quantity} still to come.", param=f"lines[{i}].quantity")
        if quantity:
            wanted.append((line, quantity, item.get("into")))
    if not wanted:
        raise ValidationError("Say what arrived: at least one quantity above zero.", param="lines")
    return wanted


def _close_if_done(order: PurchaseOrder) -> None:
    if (order.status == PurchaseOrderStatus.received and order.invoice is not None
            and order.invoice.status == InvoiceStatus.paid):
        order.close()


# -- reordering -------------------------------------------------------------------------------------


def low_stock_products(shop_id: int) -> list[Product]:
    return db.session.execute(select(Product).where(
        Product.shop_id == shop_id, Product.status == ProductStatus.active, Product.low_stock_threshold > 0,
        Product.stock_on_hand <= Product.low_stock_threshold).order_by(Product.name)).scalars().all()


def last_supplier_line(buyer_product_id: int) -> PurchaseOrderLine | None:
    """The most recent ordered line that went (or will go) into this product of the buyer's."""
    return db.session.execute(
        select(PurchaseOrderLine).join(PurchaseOrder)
        .where(PurchaseOrderLine.buyer_product_id == buyer_product_id,
               PurchaseOrder.status.not_in([PurchaseOrderStatus.draft, PurchaseOrderStatus.cancelled,
                                            PurchaseOrderStatus.rejected]))
        .order_by(PurchaseOrder.submitted_at.desc(), PurchaseOrder.id.desc()).limit(1)
    ).scalar()


def last_supplier(buyer_product_id: int) -> dict | None:
    """For a buyer's product: the supplier it last came from, that supplier's product and its last price."""
    line = last_supplier_line(buyer_product_id)
    if line is None:
        return None
    shop = line.order.supplier_shop
    return {"shop_id": shop.id, "shop_public_id": shop.public_id, "name": shop.name,
            "supplier_product_id": line.supplier_product_id, "unit_price": line.unit_price,
            "order_public_id": line.order.public_id, "ordered_at": line.order.submitted_at}


def reorder_target(product: Product) -> int:
    """The level a reorder brings stock back to: a multiple of the low-stock threshold."""
    multiple = int(current_app.config.get("PURCHASING_REORDER_TARGET_MULTIPLE", 2))
    return max(product.low_stock_threshold * multiple, product.low_stock_threshold + 1)


@dataclass(frozen=True)
class ReorderResult:
    orders: list[PurchaseOrder]
    without_supplier: list[Product]  # low, but never bought on the platform: nobody to ask


def last_supplier_products(buyer_product_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For many of a buyer's products at once: {product id: (supplier shop id, supplier product id)}."""
    if not buyer_product_ids:
        return {}
    ranked = (
        select(PurchaseOrderLine.buyer_product_id, PurchaseOrder.supplier_shop_id,
               PurchaseOrderLine.supplier_product_id,
               func.row_number().over(partition_by=PurchaseOrderLine.buyer_product_id,
                                      order_by=(PurchaseOrder.submitted_at.desc(), PurchaseOrder.id.desc()))
               .label("rank"))
        .join(PurchaseOrder, PurchaseOrderLine.order_id == PurchaseOrder.id)
        .where(PurchaseOrderLine.buyer_product_id.in_(buyer_product_ids),
               PurchaseOrder.status.not_in([PurchaseOrderStatus.draft, PurchaseOrderStatus.cancelled,
                                            PurchaseOrderStatus.rejected]))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.buyer_product_id, ranked.c.supplier_shop_id, ranked.c.supplier_product_id)
        .join(Product, Product.id == ranked.c.supplier_product_id)
        .where(ranked.c.rank == 1, Product.status == ProductStatus.active)).all()
    return {row[0]: (row[1], row[2]) for row in rows}


@use_case
def reorder_low_stock(user_id: int, shop_id=None) -> ReorderResult:
    """One draft order per last supplier for every low product, with quantities back above target."""
    shop = buyer_shop_for(user_id, shop_id)
    low = low_stock_products(shop.id)
    sources = last_supplier_products([p.id for p in low])
    plan: dict[int, dict[int, tuple[int, int]]] = {}
    without = []
    for product in low:
        if product.id not in sources:
            without.append(product)
            continue
        supplier_id, supplier_product_id = sources[product.id]
        need = reorder_target(product) - product.stock_on_hand
        plan.setdefault(supplier_id, {})[supplier_product_id] = (need, product.id)
    offers = offers_for(pid for wanted in plan.values() for pid in wanted)
    orders = []
    for supplier_id, wanted in plan.items():
        order = open_draft(shop.id, supplier_id)
        if order is None:
            order = PurchaseOrder(buyer_shop_id=shop.id, supplier_shop_id=supplier_id, created_by_id=user_id,
                                  currency=shop.currency, payment_terms=PaymentTerms.net_7)
            db.session.add(order)
        for supplier_product_id, (need, buyer_product_id) in wanted.items():
            offer = offers[supplier_product_id]
            set_line(order, offer.product, max(need, offer.min_order_quantity), buyer_product_id=buyer_product_id)
        price_order(order, offers)
        orders.append(order)
    db.session.commit()
    return ReorderResult(orders, without)


# -- history, for both sides and for credit scoring -------------------------------------------------


def purchase_history(buyer_shop_id: int, *, as_of: datetime | None = None) -> list[dict]:
    """Every invoiced purchase of a shop up to `as_of`, as it stood then (nothing from after it leaks in).

    Each: order and invoice ids, supplier, amount, issued and due times, paid time if paid by `as_of`,
    and `on_time` (True/False once paid or overdue, None while not yet due).
    """
    as_of = as_of or utcnow()
    rows = db.session.execute(
        select(SupplierInvoice, PurchaseOrder.public_id, Shop.public_id, Shop.name)
        .join(PurchaseOrder, SupplierInvoice.order_id == PurchaseOrder.id)
        .join(Shop, SupplierInvoice.supplier_shop_id == Shop.id)
        .where(SupplierInvoice.buyer_shop_id == buyer_shop_id, SupplierInvoice.issued_at <= as_of)
        .order_by(SupplierInvoice.issued_at, SupplierInvoice.id)
    ).all()
    from .models import _aware

    history = []
    for invoice, po_public_id, supplier_public_id, supplier_name in rows:
        if invoice.status == InvoiceStatus.void and invoice.void_at and _aware(invoice.void_at) <= as_of:
            continue
        paid_at = _aware(invoice.paid_at) if invoice.paid_at and _aware(invoice.paid_at) <= as_of else None
        due = _aware(invoice.due_at)
        if paid_at is not None:
            on_time = paid_at <= due
        elif due < as_of:
            on_time = False
        else:
            on_time = None
        history.append({
            "order": po_public_id, "invoice": invoice.public_id, "supplier": supplier_public_id,
            "supplier_name": supplier_name, "amount": invoice.money, "issued_at": _aware(invoice.issued_at),
            "due_at": due, "paid_at": paid_at, "on_time": on_time,
        })
    return history


def purchase_summary(buyer_shop_id: int, *, as_of: datetime | None = None, days: int = 365) -> dict:
    """Figures the credit scorecard reads: spend, supplier count, on-time share, what is overdue now."""
    as_of = as_of or utcnow()
    since = as_of - timedelta(days=days)
    history = [h for h in purchase_history(buyer_shop_id, as_of=as_of) if h["issued_at"] >= since]
    currency = history[0]["amount"].currency if history else current_app.config["CURRENCY"]
    settled = [h for h in history if h["on_time"] is not None]
    overdue = [h for h in history if h["paid_at"] is None and h["due_at"] < as_of]
    return {
        "invoices": len(history),
        "suppliers": len({h["supplier"] for h in history}),
        "spend": Money(sum(h["amount"].amount for h in history), currency),
        "paid_on_time": sum(1 for h in settled if h["on_time"]),
        "paid_late_or_overdue": sum(1 for h in settled if not h["on_time"]),
        "on_time_share": (Decimal(sum(1 for h in settled if h["on_time"])) / len(settled)) if settled else None,
        "overdue_count": len(overdue),
        "overdue": Money(sum(h["amount"].amount for h in overdue), currency),
    }
