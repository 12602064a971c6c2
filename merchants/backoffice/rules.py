"""Field rules for shops and products: plain values in, clean column values out, or a ValidationError.

No app and no database here, so every rule is tested on its own; services call these before writing.
"""
from __future__ import annotations

import math
import re
from typing import Any

from marketplace.catalog.models import AdjustmentReason, ProductStatus, ShopKind
from marketplace.catalog.units import UNITS
from marketplace.search.categories import CATEGORY_NAMES
from marketplace.search.hours import DAYS

from .errors import ValidationError
from .wording import N_, day_name, field_name

SHOP_CATEGORIES = tuple(CATEGORY_NAMES)
MAX_DELIVERY_RADIUS_KM = 50.0
MAX_PRICE = 10_000_000_00  # ten million in major units: far above anything a corner shop sells
MAX_STOCK_CHANGE = 1_000_000
MAX_THRESHOLD = 1_000_000
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")

SHOP_FIELDS = ("name", "kind", "category", "description", "address", "latitude", "longitude",
               "delivery_enabled", "delivery_radius_km", "delivery_fee_amount", "minimum_order_amount",
               "pickup_enabled", "opening_hours", "is_open")
PRODUCT_FIELDS = ("sku", "name", "name_en", "description", "category", "unit", "price_amount",
                  "low_stock_threshold", "status")


def _text(value: Any, param: str, *, max_length: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(N_("'%(field)s' must be text.", field=field_name(param)), param=param)
    value = value.strip()
    if required and not value:
        raise ValidationError(N_("'%(field)s' cannot be empty.", field=field_name(param)), param=param)
    if len(value) > max_length:
        raise ValidationError(N_("'%(field)s' is longer than %(n)d characters.", field=field_name(param), n=max_length),
                              param=param)
    return value


def _number(value: Any, param: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(N_("'%(field)s' must be a number.", field=field_name(param)), param=param)
    if not low <= value <= high:
        raise ValidationError(N_("'%(field)s' must be between %(low)s and %(high)s.", field=field_name(param),
                                 low=f"{low:g}", high=f"{high:g}"), param=param)
    return float(value)


def whole_number(value: Any, param: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(N_("'%(field)s' must be a whole number.", field=field_name(param)), param=param)
    if not low <= value <= high:
        raise ValidationError(N_("'%(field)s' must be a whole number from %(low)d to %(high)d.",
                                 field=field_name(param), low=low, high=high), param=param)
    return value


def _flag(value: Any, param: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(N_("'%(field)s' must be true or false.", field=field_name(param)), param=param)
    return value


def _choice(value: Any, param: str, choices) -> str:
    if value not in tuple(str(c) for c in choices):
        raise ValidationError(N_("'%(field)s' must be one of: %(choices)s.", field=field_name(param),
                                 choices=", ".join(map(str, choices))), param=param)
    return value


def clean_opening_hours(value: Any) -> dict[str, list[list[str]]]:
    """{"mon": [["08:00", "12:00"], ["14:00", "20:00"]], ...}; a missing or empty day is closed.

    A range may run past midnight ("22:00"-"02:00"); it may not be empty or overlap another that day.
    """
    if not isinstance(value, dict):
        raise ValidationError(N_("'opening_hours' must map weekdays (mon ... sun) to lists of [opens, closes]."),
                              param="opening_hours")
    unknown = set(value) - set(DAYS)
    if unknown:
        raise ValidationError(N_("'opening_hours' has unknown days: %(days)s; use %(known)s.",
                                 days=", ".join(sorted(map(str, unknown))), known=", ".join(DAYS)),
                              param="opening_hours")
    cleaned: dict[str, list[list[str]]] = {}
    for day in DAYS:
        ranges = value.get(day) or []
        if not isinstance(ranges, list) or len(ranges) > 4:
            raise ValidationError(N_("'opening_hours.%(day)s' must be a list of up to four [opens, closes] pairs.",
                                     day=day_name(day)), param="opening_hours")
        day_ranges = []
        for entry in ranges:
            if (not isinstance(entry, (list, tuple)) or len(entry) != 2
                    or not all(isinstance(t, str) and TIME_PATTERN.match(t) for t in entry)):
                raise ValidationError(N_("'opening_hours.%(day)s' needs times as HH:MM pairs, such as "
                                         "[\"08:00\", \"20:00\"].", day=day_name(day)), param="opening_hours")
            if entry[0] == entry[1]:
                raise ValidationError(N_("'opening_hours.%(day)s' has a range that opens and closes at %(time)s.",
                                         day=day_name(day), time=entry[0]), param="opening_hours")
            day_ranges.append([entry[0], entry[1]])
        day_ranges.sort()
        for before, after in zip(day_ranges, day_ranges[1:]):
            if before[1] > after[0] or before[1] < before[0]:
                raise ValidationError(N_("'opening_hours.%(day)s' has ranges that overlap.", day=day_name(day)),
                                      param="opening_hours")
        if day_ranges:
            cleaned[day] = day_ranges
    return cleaned


def clean_shop_fields(data: dict, *, partial: bool) -> dict:
    """Check the shop fields present in `data`; when not partial, the required ones must all be there."""
    unknown = set(data) - set(SHOP_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(N_("Unknown field '%(name)s'.", name=name), param=name)
    if not partial:
        for required in ("name", "category", "latitude", "longitude"):
            if data.get(required) in (None, ""):
                raise ValidationError(N_("Missing required field '%(field)s'.", field=field_name(required)),
                                      param=required, code="parameter_missing")
    out: dict[str, Any] = {}
    checks = {
        "name": lambda v: _text(v, "name", max_length=120, required=True),
        "kind": lambda v: ShopKind(_choice(v, "kind", [k.value for k in ShopKind])),
        "category": lambda v: _choice(v, "category", SHOP_CATEGORIES),
        "description": lambda v: _text(v, "description", max_length=2000, required=False),
        "address": lambda v: _text(v, "address", max_length=255, required=False),
        "latitude": lambda v: _number(v, "latitude", -90, 90),
        "longitude": lambda v: _number(v, "longitude", -180, 180),
        "delivery_enabled": lambda v: _flag(v, "delivery_enabled"),
        "delivery_radius_km": lambda v: _number(v, "delivery_radius_km", 0, MAX_DELIVERY_RADIUS_KM),
        "delivery_fee_amount": lambda v: whole_number(v, "delivery_fee", 0, MAX_PRICE),
        "minimum_order_amount": lambda v: whole_number(v, "minimum_order", 0, MAX_PRICE),
        "pickup_enabled": lambda v: _flag(v, "pickup_enabled"),
        "opening_hours": clean_opening_hours,
        "is_open": lambda v: _flag(v, "is_open"),
    }
    for key, value in data.items():
        if value is None and key in ("description", "address"):
            value = ""
        out[key] = checks[key](value)
    return out


def check_shop_can_sell(fields: dict) -> None:
    """Residents must have some way to get their order."""
    if fields.get("delivery_enabled") is False and fields.get("pickup_enabled") is False:
        raise ValidationError(N_("Offer delivery, pickup or both."), param="pickup_enabled")


def clean_sku(value: Any) -> str:
    sku = _text(value, "sku", max_length=64, required=True)
    if not SKU_PATTERN.match(sku):
        raise ValidationError(N_("'sku' may hold letters, digits and . _ - / only, starting with a letter or digit."),
                              param="sku")
    return sku


def clean_product_fields(data: dict, *, partial: bool) -> dict:
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(N_("Unknown field '%(name)s'.", name=name), param=name)
    if not partial:
        for required in ("sku", "name", "price_amount"):
            if data.get(required) in (None, ""):
                param = required.removesuffix("_amount")
                raise ValidationError(N_("Missing required field '%(field)s'.", field=field_name(param)),
                                      param=param, code="parameter_missing")
    checks = {
        "sku": clean_sku,
        "name": lambda v: _text(v, "name", max_length=160, required=True),
        "name_en": lambda v: _text(v, "name_en", max_length=160, required=False),
        "description": lambda v: _text(v, "description", max_length=4000, required=False),
        "category": lambda v: _text(v, "category", max_length=40, required=True),
        "unit": lambda v: _text(v, "unit", max_length=20, required=True),
        "price_amount": lambda v: whole_number(v, "price", 0, MAX_PRICE),
        "low_stock_threshold": lambda v: whole_number(v, "low_stock_threshold", 0, MAX_THRESHOLD),
        "status": lambda v: ProductStatus(_choice(v, "status", [s.value for s in ProductStatus])),
    }
    out = {}
    for key, value in data.items():
        if value is None and key in ("description", "name_en"):
            value = ""
        out[key] = checks[key](value)
    return out


def clean_adjustment(quantity: Any, reason: Any) -> tuple[int, AdjustmentReason]:
    """A hand adjustment: a signed whole number other than zero, and why."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ValidationError(N_("'quantity' must be a whole number other than zero (negative takes stock out)."),
                              param="quantity")
    if abs(quantity) > MAX_STOCK_CHANGE:
        raise ValidationError(N_("'quantity' cannot move more than %(n)d units at once.", n=MAX_STOCK_CHANGE),
                              param="quantity")
    reasons = [r.value for r in AdjustmentReason]
    return quantity, AdjustmentReason(_choice(reason, "reason", reasons))
