"""The product catalogue the demo shops stock, read from the copy in data/catalog.csv."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


@dataclass(frozen=True)
class CatalogueItem:
    category: str
    sku_prefix: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    retail_fen: int
    wholesale_fen: int
    shelf_life_days: int
    typical_daily_units: float


def _fen(yuan: str) -> int:
    return int((Decimal(yuan) * 100).to_integral_value())


@lru_cache(maxsize=1)
def load_catalogue() -> tuple[CatalogueItem, ...]:
    with open(os.path.join(DATA_DIR, "catalog.csv"), encoding="utf-8", newline="") as fh:
        return tuple(
            CatalogueItem(
                category=row["category"], sku_prefix=row["sku_prefix"], name_zh=row["name_zh"],
                name_en=row["name_en"], unit_zh=row["unit_zh"], unit_en=row["unit_en"],
                retail_fen=_fen(row["retail_price_cny"]), wholesale_fen=_fen(row["wholesale_price_cny"]),
                shelf_life_days=int(row["shelf_life_days"]),
                typical_daily_units=float(row["typical_daily_units"]),
            )
            for row in csv.DictReader(fh)
        )


def items_by_category() -> dict[str, list[CatalogueItem]]:
    grouped: dict[str, list[CatalogueItem]] = {}
    for item in load_catalogue():
        grouped.setdefault(item.category, []).append(item)
    return grouped
