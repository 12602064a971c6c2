"""A resident's carts, one per shop, kept in the signed session cookie (no server state between requests)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import session
from sqlalchemy import select

from ..catalog.models import Product, ProductStatus, Shop
from ..extensions import db
from ..money import Money

MAX_ITEMS = 50


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def amount(self) -> Money:
        return self.product.price.times(self.quantity)


def _carts() -> dict:
    carts = session.get("carts")
    return carts if isinstance(carts, dict) else {}


def quantities(shop: Shop) -> dict[str, int]:
    raw = _carts().get(shop.public_id)
    return {k: v for k, v in raw.items() if isinstance(v, int) and v > 0} if isinstance(raw, dict) else {}


def set_quantity(shop: Shop, product_public_id: str, quantity: int) -> None:
    """Put `quantity` of a product in the shop's cart (0 takes it out)."""
    carts = _carts()
    cart = dict(quantities(shop))
    if quantity > 0:
        if product_public_id not in cart and len(cart) >= MAX_ITEMS:
            return
        cart[product_public_id] = quantity
    else:
        cart.pop(product_public_id, None)
    carts[shop.public_id] = cart
    session["carts"] = carts


def add(shop: Shop, product_public_id: str, quantity: int) -> None:
    set_quantity(shop, product_public_id, quantities(shop).get(product_public_id, 0) + quantity)


def clear(shop: Shop) -> None:
    carts = _carts()
    carts.pop(shop.public_id, None)
    session["carts"] = carts


def lines(shop: Shop) -> list[CartLine]:
    """The cart's products still on sale at this shop, in the order they were added."""
    wanted = quantities(shop)
    if not wanted:
        return []
    products = {p.public_id: p for p in db.session.execute(
        select(Product).where(Product.public_id.in_(list(wanted)), Product.shop_id == shop.id,
                              Product.status == ProductStatus.active)).scalars()}
    return [CartLine(products[pid], qty) for pid, qty in wanted.items() if pid in products]


def subtotal(shop: Shop, cart_lines: list[CartLine]) -> Money:
    return sum((line.amount for line in cart_lines), Money.zero(shop.currency))


def item_count(shop: Shop) -> int:
    return sum(quantities(shop).values())
