"""What a shop's storefront shows a visitor, reduced to one value that changes whenever the page would.

The storefront lists the shop's own details, its products on sale with their price and what is left,
whether it is open right now, and its rating and latest reviews. One query reads the shop's row, the
newest change to any of its products (every write to a product, stock included, moves its
`updated_at`), how many are on sale, and its reviews' count and newest id; the open-now flag is worked
out from the row and the clock. The page cache (marketplace.pagecache) serves a kept page while this
value is unchanged.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, func, select

from ..catalog.models import Product, ProductStatus, Shop, ShopKind
from ..extensions import db
from .models import Review
from .services import shop_is_open


@cache
def _stamp_query():
    """Built once: the statement is the same for every shop (SQLAlchemy then reuses its compiled form)."""
    products_changed = (select(func.max(Product.updated_at)).where(Product.shop_id == Shop.id)
                        .scalar_subquery())
    on_sale = (select(func.count()).where(Product.shop_id == Shop.id, Product.status == ProductStatus.active)
               .scalar_subquery())
    reviews = select(func.count()).where(Review.shop_id == Shop.id).scalar_subquery()
    newest_review = select(func.max(Review.id)).where(Review.shop_id == Shop.id).scalar_subquery()
    return (select(*Shop.__table__.columns, products_changed, on_sale, reviews, newest_review)
            .where(Shop.public_id == bindparam("public_id")))


def stamp(shop_id: str) -> tuple | None:
    """The storefront's stamp for a shop's public id; None when there is no such retail shop."""
    if not isinstance(shop_id, str):
        return None
    row = db.session.connection().execute(_stamp_query(), {"public_id": shop_id.strip()}).one_or_none()
    if row is None or row.kind != ShopKind.retail:
        return None
    return (*row, shop_is_open(row))
