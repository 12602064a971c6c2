"""Signals the core sends so that other packages (financing) can react without the core importing them.

Receivers get plain values (ids, Money, datetimes), never ORM objects from another session.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the app; kwargs: order_id, shop_id, amount (Money)
order_paid = _signals.signal("order-paid")
# sender: the app; kwargs: order_id, shop_id
order_completed = _signals.signal("order-completed")
# sender: the app; kwargs: order_id, shop_id, amount (Money), refund_id
order_refunded = _signals.signal("order-refunded")
# sender: the app; kwargs: shop_id, product_ids
catalog_changed = _signals.signal("catalog-changed")
