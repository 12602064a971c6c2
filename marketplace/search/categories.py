"""Shop and product categories as residents name them, in both languages: found by search, shown as filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# slug -> (Chinese name, English name); both are indexed, so "水果" and "fruit" find the fruit shops.
CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "grocery": ("粮油杂货", "Grocery"),
    "convenience": ("便利店", "Convenience store"),
    "fruit": ("水果", "Fruit"),
    "vegetables": ("蔬菜", "Vegetables"),
    "meat": ("肉类", "Meat"),
    "bakery": ("面包烘焙", "Bakery"),
    "noodles_snacks": ("面馆小吃", "Noodles and snacks"),
    "tea": ("茶饮", "Tea"),
    "pharmacy": ("药店", "Pharmacy"),
    "flowers": ("鲜花", "Flowers"),
    "hardware": ("五金", "Hardware"),
    "household": ("日用百货", "Household"),
    "stationery": ("文具", "Stationery"),
    "phone_accessories": ("手机配件", "Phone accessories"),
}

# Labels for the page, translated by the usual catalogue.
CATEGORY_LABELS = {
    "grocery": _l("Grocery"),
    "convenience": _l("Convenience store"),
    "fruit": _l("Fruit"),
    "vegetables": _l("Vegetables"),
    "meat": _l("Meat"),
    "bakery": _l("Bakery"),
    "noodles_snacks": _l("Noodles and snacks"),
    "tea": _l("Tea"),
    "pharmacy": _l("Pharmacy"),
    "flowers": _l("Flowers"),
    "hardware": _l("Hardware"),
    "household": _l("Household"),
    "stationery": _l("Stationery"),
    "phone_accessories": _l("Phone accessories"),
}


def category_words(slug: str) -> tuple[str, ...]:
    return (slug.replace("_", " "),) + CATEGORY_NAMES.get(slug, ())
