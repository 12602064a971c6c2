"""Signals the money side sends, so credit (and anyone else) can react without the ledger knowing them.

Receivers run inside the sender's transaction: what they post commits or rolls back with it.
"""
from blinker import Namespace

_signals = Namespace()

# An order's pending money became available to its merchant. The credit area withholds loan
# repayments here. sender: the app; kwargs: shop_id, order_id, amount (Money, may be zero),
# entry_id (the settlement journal entry's id, None when amount is zero).
sale_settled = _signals.signal("sale-settled")

# A payout left for a merchant's bank. kwargs: shop_id, payout_id, amount (Money).
payout_created = _signals.signal("payout-created")
