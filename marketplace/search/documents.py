"""What a shop or product looks like to search: one plain dict per document, read from the database.

Both backends index these dicts, so a change to what is searchable happens here once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Product, ProductStatus, Shop, ShopKind
from .categories import category_words
from .geo import cell_id
from .hours import week_ranges
from .text import index_tokens


def shop_fields(shop) -> dict:
    """`shop` is a Shop or a row of the shops table: only column values are read."""
    return {
        "shop_id": shop.id,
        "shop_public_id": shop.public_id,
        "shop_name": shop.name,
        "shop_kind": shop.kind.value if isinstance(shop.kind, ShopKind) else str(shop.kind),
        "shop_category": shop.category,
        "latitude": shop.latitude,
        "longitude": shop.longitude,
        "is_open": bool(shop.is_open),
        "delivery_enabled": bool(shop.delivery_enabled),
        "delivery_radius_km": float(shop.delivery_radius_km or 0.0),
        "hours": week_ranges(shop.opening_hours),
        "cell": cell_id(shop.latitude, shop.longitude),
    }


def shop_document(shop) -> dict:
    doc = shop_fields(shop)
    doc.update(
        doc_id=shop.public_id,
        kind="shop",
        product_id=None,
        product_public_id=None,
        name=shop.name,
        name_en="",
        category=shop.category,
        description=shop.description or "",
        price_amount=None,
        currency=shop.currency,
        words=index_tokens(shop.name, shop.name, *category_words(shop.category), shop.description or ""),
    )
    return doc


# What a product document repeats of its shop's.
_SHOP_KEYS_OF_PRODUCTS = ("shop_id", "shop_public_id", "shop_name", "shop_kind", "shop_category", "latitude",
                          "longitude", "is_open", "delivery_enabled", "delivery_radius_km", "hours", "cell")


def product_document(product, shop_doc: dict) -> dict:
    doc = {key: shop_doc[key] for key in _SHOP_KEYS_OF_PRODUCTS}
    doc.update(
        doc_id=product.public_id,
        kind="product",
        product_id=product.id,
        product_public_id=product.public_id,
        name=product.name,
        name_en=product.name_en or "",
        category=product.category,
        description=product.description or "",
        price_amount=product.price_amount,
        currency=product.currency,
        # The name counts twice so it outranks a passing mention in the description.
        words=index_tokens(product.name, product.name, product.name_en or "", product.name_en or "",
                           *category_words(product.category), product.description or ""),
    )
    return doc


def is_searchable_shop(shop) -> bool:
    # Suppliers sell wholesale to merchants: residents do not find them.
    return shop is not None and shop.kind == ShopKind.retail


def is_searchable_product(product: Product | None) -> bool:
    return product is not None and product.status == ProductStatus.active and is_searchable_shop(product.shop)


def documents_for_shops(session: Session, shop_ids: Iterable[int]) -> Iterator[dict]:
    """The shop's own document and one per active product, for every searchable shop among `shop_ids`.

    Reads plain rows, not ORM objects: the documents need only column values, and a whole town's
    reindex reads millions of them.
    """
    ids = sorted(set(shop_ids))
    shops_table, products_table = Shop.__table__, Product.__table__
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        shops = session.execute(select(shops_table).where(shops_table.c.id.in_(chunk))
                                .order_by(shops_table.c.id)).all()
        by_shop: dict[int, list] = {}
        for product in session.execute(
            select(products_table).where(products_table.c.shop_id.in_(chunk),
                                         products_table.c.status == ProductStatus.active)
            .order_by(products_table.c.id)
        ):
            by_shop.setdefault(product.shop_id, []).append(product)
        for shop in shops:
            if not is_searchable_shop(shop):
                continue
            shop_doc = shop_document(shop)
            yield shop_doc
            for product in by_shop.get(shop.id, ()):
                yield product_document(product, shop_doc)


def documents_for_products(session: Session, product_ids: Iterable[int]) -> tuple[list[dict], set[int]]:
    """(documents of the searchable ones, ids of those that must leave the index)."""
    ids = sorted(set(product_ids))
    docs, gone = [], set(ids)
    shop_docs: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        products = session.execute(select(Product).where(Product.id.in_(ids[start:start + 500]))).scalars().all()
        for product in products:
            if not is_searchable_product(product):
                continue
            if product.shop_id not in shop_docs:
                shop_docs[product.shop_id] = shop_document(product.shop)
            docs.append(product_document(product, shop_docs[product.shop_id]))
            gone.discard(product.id)
    return docs, gone


def all_shop_ids(session: Session) -> list[int]:
    return list(session.execute(select(Shop.id).where(Shop.kind == ShopKind.retail).order_by(Shop.id)).scalars())
