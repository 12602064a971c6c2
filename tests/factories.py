"""Factories for test data, going through the services so tests build what users build."""
from __future__ import annotations

import itertools

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User

PASSWORD = "secret123"
_seq = itertools.count(1)


def make_user(role: str = "resident", *, email: str | None = None, name: str | None = None,
              password: str = PASSWORD) -> User:
    n = next(_seq)
    email = email or f"{role}{n}@example.test"
    if role == "lender":
        return accounts.create_lender(email, password, name or f"Lender {n}")
    return accounts.register_user(email, password, name or f"{role.title()} {n}", role)


def api_token(client, user: User, password: str = PASSWORD) -> str:
    resp = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# A point in the demo district of Taizhou, and one about 1 km north-east of it.
TOWN_CENTRE = (28.656, 121.421)
NEARBY = (28.663, 121.428)
OPEN_ALL_WEEK = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def make_shop(owner: User | None = None, *, kind: str = "retail", name: str | None = None,
              category: str = "grocery", lat: float = TOWN_CENTRE[0], lon: float = TOWN_CENTRE[1], **fields):
    """A shop open all week at the town centre, owned by a new merchant (or supplier) unless given."""
    from marketplace.catalog.models import Shop, ShopKind
    from marketplace.extensions import db

    owner = owner or make_user("supplier" if kind == "supplier" else "merchant")
    fields.setdefault("opening_hours", OPEN_ALL_WEEK)
    shop = Shop(owner_id=owner.id, kind=ShopKind(kind), name=name or f"Shop {next(_seq)}", category=category,
                latitude=lat, longitude=lon, **fields)
    db.session.add(shop)
    db.session.commit()
    return shop


def make_product(shop, *, sku: str | None = None, name: str | None = None, price: int = 1000, stock: int = 10,
                 category: str | None = None, **fields):
    """A product with `stock` units on hand, put there through a stock movement like any other."""
    from marketplace.catalog.models import Product, StockReason
    from marketplace.catalog.stock import move_stock
    from marketplace.extensions import db

    n = next(_seq)
    product = Product(shop_id=shop.id, sku=sku or f"SKU-{n}", name=name or f"Product {n}",
                      category=category or shop.category, price_amount=price, currency=shop.currency, **fields)
    db.session.add(product)
    db.session.flush()
    if stock:
        move_stock(product.id, stock, StockReason.initial)
    db.session.commit()
    return product
