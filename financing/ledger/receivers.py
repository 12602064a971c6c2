"""The ledger listens to the core: a paid order posts its sale, a refund posts its refund, in the same transaction."""
from __future__ import annotations

from marketplace.signals import order_paid, order_refunded

from . import services


def _on_order_paid(_sender, *, order_id, shop_id, amount, **_extra):
    services.record_sale(order_id, shop_id, amount)


def _on_order_refunded(_sender, *, order_id, shop_id, amount, refund_id=None, **_extra):
    services.record_refund(order_id, shop_id, amount, refund_id)


def connect() -> None:
    """Connect once per process (blinker keeps the functions; a second connect is a no-op)."""
    order_paid.connect(_on_order_paid, weak=False)
    order_refunded.connect(_on_order_refunded, weak=False)
