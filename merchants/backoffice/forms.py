"""Back-office forms: shape checks only (lengths, numbers that parse); the rules live in rules.py and services."""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.catalog.models import AdjustmentReason
from marketplace.catalog.units import UNIT_LABELS, UNITS
from marketplace.money import Money, MoneyError
from marketplace.search.categories import CATEGORY_LABELS
from marketplace.search.hours import DAYS


DAY_LABELS = {"mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
              "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday")}
ADJUSTMENT_LABELS = {"counted": _l("Counted"), "damaged": _l("Damaged"), "expired": _l("Expired"),
                     "lost": _l("Lost or stolen"), "found": _l("Found"), "correction": _l("Correcting a mistake")}
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–~至到]\s*(\d{1,2}:\d{2})\s*$")


def parse_hours_text(text: str) -> list[list[str]]:
    """'08:00-12:00, 14:00-20:00' -> [["08:00", "12:00"], ["14:00", "20:00"]]; blank is closed."""
    ranges = []
    for part in re.split(r"[,，;；]", text or ""):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if not match:
            raise ValueError(part.strip())
        ranges.append([t.zfill(5) for t in match.groups()])
    return ranges


def hours_text(ranges) -> str:
    return ", ".join(f"{a}-{b}" for a, b in ranges or [])


def money_minor(text: str | None, currency: str) -> int:
    """A typed amount ('12.50') in minor units, or ValueError with a reason a person understands."""
    try:
        value = Money.from_major((text or "0").strip() or "0", currency)
    except MoneyError:
        raise ValueError("not an amount") from None
    if value.amount < 0:
        raise ValueError("negative")
    return value.amount


class MoneyField(StringField):
    """An amount typed in major units; `.minor(currency)` gives minor units."""

    def pre_validate(self, form):
        if self.data and self.data.strip():
            try:
                money_minor(self.data, "CNY")
            except ValueError:
                raise ValidationError(_l("Type an amount such as 12.50.")) from None


class ShopForm(FlaskForm):
    name = StringField(_l("Shop name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[("retail", _l("Retail shop")), ("supplier", _l("Supplier (wholesale)"))])
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    latitude = DecimalField(_l("Latitude"), places=None, validators=[InputRequired(), NumberRange(min=-90, max=90)])
    longitude = DecimalField(_l("Longitude"), places=None,
                             validators=[InputRequired(), NumberRange(min=-180, max=180)])
    delivery_enabled = BooleanField(_l("We deliver"))
    delivery_radius_km = DecimalField(_l("Delivery radius (km)"), places=None,
                                      validators=[Optional(), NumberRange(min=0, max=50)])
    delivery_fee = MoneyField(_l("Delivery fee"), validators=[Optional(), Length(max=20)])
    minimum_order = MoneyField(_l("Minimum order"), validators=[Optional(), Length(max=20)])
    pickup_enabled = BooleanField(_l("Customers can pick up"))
    is_open = BooleanField(_l("Open for orders"))
    logo = FileField(_l("Logo"))
    mon = StringField(_l("Monday"), validators=[Optional(), Length(max=100)])
    tue = StringField(_l("Tuesday"), validators=[Optional(), Length(max=100)])
    wed = StringField(_l("Wednesday"), validators=[Optional(), Length(max=100)])
    thu = StringField(_l("Thursday"), validators=[Optional(), Length(max=100)])
    fri = StringField(_l("Friday"), validators=[Optional(), Length(max=100)])
    sat = StringField(_l("Saturday"), validators=[Optional(), Length(max=100)])
    sun = StringField(_l("Sunday"), validators=[Optional(), Length(max=100)])

    def day_fields(self):
        return [getattr(self, day) for day in DAYS]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self.day_fields():
            try:
                parse_hours_text(field.data or "")
            except ValueError:
                field.errors = list(field.errors) + [_l("Write hours like 08:00-12:00, 14:00-20:00.")]
                ok = False
        return ok

    def to_fields(self, currency: str) -> dict:
        return {
            "name": self.name.data, "kind": self.kind.data, "category": self.category.data,
            "description": self.description.data or "", "address": self.address.data or "",
            "latitude": float(self.latitude.data), "longitude": float(self.longitude.data),
            "delivery_enabled": bool(self.delivery_enabled.data),
            "delivery_radius_km": float(self.delivery_radius_km.data or 0),
            "delivery_fee_amount": money_minor(self.delivery_fee.data, currency),
            "minimum_order_amount": money_minor(self.minimum_order.data, currency),
            "pickup_enabled": bool(self.pickup_enabled.data), "is_open": bool(self.is_open.data),
            "opening_hours": {day: parse_hours_text(getattr(self, day).data or "") for day in DAYS},
        }

    def fill_from(self, shop) -> None:
        for name in ("name", "category", "description", "address", "latitude", "longitude", "delivery_enabled",
                     "delivery_radius_km", "pickup_enabled", "is_open"):
            getattr(self, name).data = getattr(shop, name)
        self.kind.data = shop.kind.value
        self.latitude.data = Decimal(str(shop.latitude))
        self.longitude.data = Decimal(str(shop.longitude))
        self.delivery_radius_km.data = Decimal(str(shop.delivery_radius_km))
        self.delivery_fee.data = str(shop.delivery_fee.major)
        self.minimum_order.data = str(shop.minimum_order.major)
        for day in DAYS:
            getattr(self, day).data = hours_text((shop.opening_hours or {}).get(day))


class ProductForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    unit = SelectField(_l("Unit"), choices=[(u, UNIT_LABELS[u]) for u in UNITS])
    price = MoneyField(_l("Price"), validators=[DataRequired(), Length(max=20)])
    low_stock_threshold = IntegerField(_l("Warn when stock is at or below"), default=0,
                                       validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    initial_stock = IntegerField(_l("Stock on hand now"), default=0,
                                 validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    photo = FileField(_l("Photo"))

    def to_fields(self, currency: str) -> dict:
        return {
            "sku": self.sku.data, "name": self.name.data, "name_en": self.name_en.data or "",
            "description": self.description.data or "", "category": self.category.data, "unit": self.unit.data,
            "price_amount": money_minor(self.price.data, currency),
            "low_stock_threshold": self.low_stock_threshold.data or 0,
        }

    def fill_from(self, product) -> None:
        for name in ("sku", "name", "name_en", "description", "category", "unit", "low_stock_threshold"):
            getattr(self, name).data = getattr(product, name)
        if (product.unit, product.unit) not in self.unit.choices and product.unit not in UNITS:
            self.unit.choices = list(self.unit.choices) + [(product.unit, product.unit)]
        if product.category not in CATEGORY_LABELS:
            self.category.choices = list(self.category.choices) + [(product.category, product.category)]
        self.price.data = str(product.price.major)


class AdjustForm(FlaskForm):
    quantity = IntegerField(_l("Change (+ adds, - takes out)"),
                            validators=[InputRequired(), NumberRange(min=-1_000_000, max=1_000_000)])
    reason = SelectField(_l("Reason"), choices=[(r.value, ADJUSTMENT_LABELS[r.value]) for r in AdjustmentReason
                                                if r != AdjustmentReason.counted])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])


class CountForm(FlaskForm):
    counted = IntegerField(_l("Counted on the shelf"), validators=[InputRequired(), NumberRange(min=0)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
