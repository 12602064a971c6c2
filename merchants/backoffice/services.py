"""Back-office use cases for shops and products: take ids and plain values, run in one transaction, commit or raise.

Shops and products are named by public id (`shop_...`, `prd_...`) or integer key. Everything is looked
up through its owner: another merchant's shop or product is "not found", never "forbidden", so ids
cannot be probed.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductStatus, Shop, ShopKind, StockReason
from marketplace.catalog.stock import move_stock
from marketplace.extensions import db

from . import media, rules
from .errors import DuplicateSku, NotFound, PermissionDenied, ValidationError
from .wording import N_

SHOP_ROLES = ("merchant", "supplier")
MAX_BULK_ROWS = 1000


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back if it raises: a refusal changes nothing."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _by_key(model, key, stmt=None):
    stmt = stmt if stmt is not None else select(model)
    if isinstance(key, bool) or key in (None, ""):
        return None
    if isinstance(key, int):
        return db.session.execute(stmt.where(model.id == key)).scalar_one_or_none()
    if isinstance(key, str):
        return db.session.execute(stmt.where(model.public_id == key.strip())).scalar_one_or_none()
    return None


# -- shops ------------------------------------------------------------------------------------------


def owned_shop(user_id: int, shop_key) -> Shop:
    shop = _by_key(Shop, shop_key, select(Shop).where(Shop.owner_id == user_id))
    if shop is None:
        raise NotFound(N_("No such shop."), param="shop")
    return shop


def shops_of(user_id: int) -> list[Shop]:
    return list(db.session.execute(
        select(Shop).where(Shop.owner_id == user_id).order_by(Shop.kind != ShopKind.retail, Shop.id)).scalars())


def home_shop(user_id: int) -> Shop | None:
    """The shop the back-office pages manage: the owner's first retail shop, else their first shop."""
    shops = shops_of(user_id)
    return shops[0] if shops else None


def _user_with_shop_role(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.has_role(*SHOP_ROLES):
        raise PermissionDenied(N_("Only merchants and suppliers run shops."))
    return user


def create_shop(user_id: int, fields: dict, *, logo: bytes | None = None) -> Shop:
    user = _user_with_shop_role(user_id)
    values = rules.clean_shop_fields(fields, partial=False)
    values.setdefault("kind", ShopKind.supplier if not user.has_role("merchant") else ShopKind.retail)
    if values["kind"] == ShopKind.supplier and not user.has_role("supplier"):
        raise ValidationError(N_("Only a supplier account can open a supplier shop."), param="kind")
    rules.check_shop_can_sell(values)
    if logo is not None:
        values["logo_path"] = media.store_image(logo, "logos")
    with unit_of_work():
        shop = Shop(owner_id=user_id, currency=current_app.config.get("CURRENCY", "CNY"), **values)
        db.session.add(shop)
    return shop


def update_shop(user_id: int, shop_key, fields: dict, *, logo: bytes | None = None) -> Shop:
    shop = owned_shop(user_id, shop_key)
    values = rules.clean_shop_fields(fields, partial=True)
    if values.get("kind") == ShopKind.supplier and not shop.owner.has_role("supplier"):
        raise ValidationError(N_("Only a supplier account can run a supplier shop."), param="kind")
    rules.check_shop_can_sell({
        "delivery_enabled": values.get("delivery_enabled", shop.delivery_enabled),
        "pickup_enabled": values.get("pickup_enabled", shop.pickup_enabled),
    })
    if logo is not None:
        values["logo_path"] = media.store_image(logo, "logos")
    with unit_of_work():
        for key, value in values.items():
            setattr(shop, key, value)
    return shop


def set_shop_logo(user_id: int, shop_key, data: bytes) -> Shop:
    shop = owned_shop(user_id, shop_key)
    path = media.store_image(data, "logos")
    with unit_of_work():
        shop.logo_path = path
    return shop


# -- products ---------------------------------------------------------------------------------------


def owned_product(user_id: int, product_key, *, lock: bool = False) -> Product:
    stmt = select(Product).join(Shop, Product.shop_id == Shop.id).where(Shop.owner_id == user_id)
    if lock:
        stmt = stmt.with_for_update(of=Product)
    product = _by_key(Product, product_key, stmt)
    if product is None:
        raise NotFound(N_("No such product."), param="product")
    return product


def _sku_taken(shop_id: int, sku: str, *, other_than: int | None = None) -> bool:
    stmt = select(Product.id).where(Product.shop_id == shop_id, Product.sku == sku)
    if other_than is not None:
        stmt = stmt.where(Product.id != other_than)
    return db.session.execute(stmt).first() is not None


def _duplicate_sku(sku: str) -> DuplicateSku:
    return DuplicateSku(N_("SKU '%(sku)s' is already used by another product of this shop.", sku=sku),
                        param="sku")


def create_product(user_id: int, shop_key, fields: dict, *, initial_stock: int = 0,
                   photo: bytes | None = None) -> Product:
    """A new product; any opening stock goes in as an `initial` movement in the same transaction."""
    shop = owned_shop(user_id, shop_key)
    values = rules.clean_product_fields(fields, partial=False)
    values.setdefault("category", shop.category)
    values.setdefault("unit", "piece")
    initial_stock = rules.whole_number(initial_stock, "stock_on_hand", 0, rules.MAX_STOCK_CHANGE)
    if _sku_taken(shop.id, values["sku"]):
        raise _duplicate_sku(values["sku"])
    if photo is not None:
        values["photo_path"] = media.store_image(photo, "products")
    with unit_of_work():
        product = Product(shop_id=shop.id, currency=shop.currency, **values)
        db.session.add(product)
        try:
            db.session.flush()
        except IntegrityError:  # a concurrent request took the SKU between our check and the insert
            raise _duplicate_sku(values["sku"]) from None
        if initial_stock:
            move_stock(product.id, initial_stock, StockReason.initial, user_id=user_id, note="opening stock")
    return product


def update_product(user_id: int, product_key, fields: dict, *, photo: bytes | None = None) -> Product:
    product = owned_product(user_id, product_key)
    values = rules.clean_product_fields(fields, partial=True)
    if "sku" in values and _sku_taken(product.shop_id, values["sku"], other_than=product.id):
        raise _duplicate_sku(values["sku"])
    if photo is not None:
        values["photo_path"] = media.store_image(photo, "products")
    with unit_of_work():
        for key, value in values.items():
            setattr(product, key, value)
        try:
            db.session.flush()
        except IntegrityError:
            raise _duplicate_sku(values.get("sku", product.sku)) from None
    return product


def archive_product(user_id: int, product_key) -> Product:
    """Archived products leave the storefront and search, keep their history, and can come back."""
    return update_product(user_id, product_key, {"status": ProductStatus.archived.value})


def restore_product(user_id: int, product_key) -> Product:
    return update_product(user_id, product_key, {"status": ProductStatus.active.value})


def set_product_photo(user_id: int, product_key, data: bytes) -> Product:
    product = owned_product(user_id, product_key)
    path = media.store_image(data, "products")
    with unit_of_work():
        product.photo_path = path
    return product


def bulk_set_prices(user_id: int, shop_key, prices: Iterable[tuple[object, int]]) -> list[Product]:
    """New prices (minor units) for many products of one shop at once: all of them, or none."""
    shop = owned_shop(user_id, shop_key)
    changes = list(prices)
    if not changes:
        raise ValidationError(N_("Choose at least one product."), param="products")
    if len(changes) > MAX_BULK_ROWS:
        raise ValidationError(N_("At most %(n)d products at once.", n=MAX_BULK_ROWS), param="products")
    with unit_of_work():
        products = []
        for key, price in changes:
            product = owned_product(user_id, key)
            if product.shop_id != shop.id:
                raise NotFound(N_("No such product."), param="product")
            product.price_amount = rules.whole_number(price, "price", 0, rules.MAX_PRICE)
            products.append(product)
    return products
