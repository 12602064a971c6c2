"""The units a product is sold by: stored as a short code, shown in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

UNITS = ("piece", "kg", "jin", "g", "litre", "bag", "box", "bottle", "can", "pack", "bunch", "bowl", "cup",
         "dozen", "metre", "pair", "set")
UNIT_LABELS = {"piece": _l("piece"), "kg": _l("kg"), "jin": _l("jin (500 g)"), "g": _l("gram"),
               "litre": _l("litre"), "bag": _l("bag"), "box": _l("box"), "bottle": _l("bottle"), "can": _l("can"),
               "pack": _l("pack"), "bunch": _l("bunch"), "bowl": _l("bowl"), "cup": _l("cup"), "dozen": _l("dozen"),
               "metre": _l("metre"), "pair": _l("pair"), "set": _l("set")}
# What a price is "per" on a shop's page: short, without the back office's explanations.
_PER_UNIT = {"jin": _l("jin")}


def unit_label(code: str | None) -> str:
    """A unit as a shop's page shows it after the price ("¥8.99 / kg"); an unknown code shows as stored."""
    label = _PER_UNIT.get(code) or UNIT_LABELS.get(code)
    return str(label) if label is not None else (code or "")
