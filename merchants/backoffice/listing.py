"""The merchant's own product list: words, category, status, low stock; sorted; paged."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from sqlalchemy import func, or_, select

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db

SORTS = {
    "name": (Product.name.asc(), Product.id.asc()),
    "-name": (Product.name.desc(), Product.id.desc()),
    "price": (Product.price_amount.asc(), Product.id.asc()),
    "-price": (Product.price_amount.desc(), Product.id.desc()),
    "stock": (Product.stock_on_hand.asc(), Product.id.asc()),
    "-stock": (Product.stock_on_hand.desc(), Product.id.desc()),
    "sku": (Product.sku.asc(), Product.id.asc()),
    "-updated": (Product.updated_at.desc(), Product.id.desc()),
}
STATUSES = ("active", "archived", "low", "all")
PAGE_SIZE = 50


@dataclass(frozen=True)
class ProductQuery:
    q: str = ""
    category: str = ""
    status: str = "active"
    sort: str = "name"
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "ProductQuery":
        """Unknown values fall back to the defaults: a list page never fails on a hand-edited address."""
        status = args.get("status", "active")
        sort = args.get("sort", "name")
        try:
            page = max(1, min(int(args.get("page", 1)), 10_000))
        except ValueError:
            page = 1
        return cls(q=(args.get("q") or "").strip()[:100], category=(args.get("category") or "").strip()[:40],
                   status=status if status in STATUSES else "active", sort=sort if sort in SORTS else "name",
                   page=page)

    def args(self, **changes) -> dict:
        values = {"q": self.q, "category": self.category, "status": self.status, "sort": self.sort, "page": 1}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass(frozen=True)
class ProductPage:
    products: list[Product]
    total: int
    page: int
    pages: int
    categories: list[str]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_products(shop_id: int, query: ProductQuery, *, page_size: int = PAGE_SIZE) -> ProductPage:
    stmt = select(Product).where(Product.shop_id == shop_id)
    if query.q:
        pattern = f"%{_escape_like(query.q.lower())}%"
        stmt = stmt.where(or_(func.lower(Product.name).like(pattern, escape="\\"),
                              func.lower(Product.name_en).like(pattern, escape="\\"),
                              func.lower(Product.sku).like(pattern, escape="\\")))
    if query.category:
        stmt = stmt.where(Product.category == query.category)
    if query.status == "active":
        stmt = stmt.where(Product.status == ProductStatus.active)
    elif query.status == "archived":
        stmt = stmt.where(Product.status == ProductStatus.archived)
    elif query.status == "low":
        stmt = stmt.where(Product.status == ProductStatus.active,
                          Product.stock_on_hand <= Product.low_stock_threshold)
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(query.page, pages)
    rows = db.session.execute(stmt.order_by(*SORTS[query.sort]).offset((page - 1) * page_size)
                              .limit(page_size)).scalars().all()
    categories = list(db.session.execute(select(Product.category).where(Product.shop_id == shop_id)
                                         .distinct().order_by(Product.category)).scalars())
    return ProductPage(rows, total, page, pages, categories)
