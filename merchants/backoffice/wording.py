"""Refusal messages that stay in English for the JSON API and in the merchant's language on pages.

Services and rules raise errors whose text is built with `N_(msgid, **params)`: a plain English
string (what the API sends, what logs and tests read) that also remembers its msgid and parameters,
so `localise` can look it up in the catalogue when a page shows it. `N_` is also how pybabel finds
these messages, since it is one of the keywords it extracts by default. A parameter that is itself a
message (a field's name, a weekday) is localised too: `'price' must be ...` reads `“价格”必须...`.
"""
from __future__ import annotations

from flask_babel import gettext


class Message(str):
    """English text, plus the msgid and parameters it was made from."""

    msgid: str
    params: dict

    def __new__(cls, text: str, msgid: str, params: dict):
        obj = super().__new__(cls, text)
        obj.msgid, obj.params = msgid, params
        return obj


def N_(msgid: str, **params) -> Message:  # noqa: N802  (the gettext convention pybabel looks for)
    """Mark `msgid` for the catalogue; the English text now, the merchant's language on a page."""
    return Message(msgid % params if params else msgid, msgid, params)


# What each API parameter, CSV column and form field is called on a page.
FIELD_LABELS = {
    "name": N_("Name"), "kind": N_("Kind"), "category": N_("Category"), "description": N_("Description"),
    "address": N_("Address"), "latitude": N_("Latitude"), "longitude": N_("Longitude"),
    "delivery_enabled": N_("We deliver"), "delivery_radius_km": N_("Delivery radius (km)"),
    "delivery_fee": N_("Delivery fee"), "minimum_order": N_("Minimum order"),
    "pickup_enabled": N_("Customers can pick up"), "opening_hours": N_("Opening hours"),
    "is_open": N_("Open for orders"), "sku": N_("SKU"), "name_en": N_("Name in English"), "unit": N_("Unit"),
    "price": N_("Price"), "low_stock_threshold": N_("Low-stock threshold"), "status": N_("Status"),
    "quantity": N_("Quantity"), "reason": N_("Reason"), "note": N_("Note"), "counted": N_("Counted on the shelf"),
    "stock_on_hand": N_("Stock on hand"), "photo": N_("Photo"), "logo": N_("Logo"), "file": N_("File"),
    "products": N_("Products"), "product": N_("Product"), "shop": N_("Shop"),
}
DAY_NAMES = {"mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
             "fri": N_("Friday"), "sat": N_("Saturday"), "sun": N_("Sunday")}


def _named(code: str, labels: dict[str, Message]) -> Message | str:
    """`code` in English text; its label on a page (unknown codes stay as they are)."""
    label = labels.get(code)
    return Message(code, label.msgid, {}) if label is not None else code


def field_name(param: str) -> Message | str:
    return _named(param, FIELD_LABELS)


def day_name(day: str) -> Message | str:
    return _named(day, DAY_NAMES)


def localise(text, *, names: bool = True) -> str:
    """`text` in the language of the current request: a `Message` through the catalogue with its
    parameters localised; a plain string looked up as it is (unchanged when the catalogue lacks it).
    With names=False a field or weekday stays as its code (`price`, `mon`), for the JSON API."""
    if isinstance(text, Message):
        if not text.params:
            return gettext(text.msgid)
        values = {}
        for key, value in text.params.items():
            if isinstance(value, Message):
                value = localise(value, names=names) if names or value.params else str(value)
            values[key] = value
        return gettext(text.msgid, **values)
    return gettext(str(text)) if text else text


# Refusals of the shared stock rules (marketplace.catalog.stock) that back-office pages show: listed here
# so the back office's catalogue carries them; `localise` finds them by their text.
CORE_REFUSALS = (
    N_("Not enough stock for that."),
    N_("The stock changed while this was being entered; look again."),
    N_("Quantity must be a whole number other than zero."),
)

# Notes the platform itself writes on stock movements (the history page shows them through `localise`;
# a merchant's own notes are shown as typed).
SYSTEM_NOTES = (
    N_("opening stock"), N_("CSV import"), N_("bulk edit"), N_("purchase order"), N_("purchase order cancelled"),
    N_("factory delivery"),
)
