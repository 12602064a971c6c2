"""Bulk price and stock edits from the product table: every changed cell applied in one transaction, or none.

A stock cell is a count (what is on the shelf now). It carries the number the page showed, so a sale
that happened while the merchant typed is not silently overwritten: that row is refused and shown again.
"""
from __future__ import annotations

from typing import Mapping

from marketplace.catalog.models import AdjustmentReason, StockReason
from marketplace.catalog.stock import move_stock
from marketplace.errors import Conflict, DomainError
from marketplace.money import Money, MoneyError

from . import rules
from .errors import ValidationError
from .services import MAX_BULK_ROWS, owned_product, owned_shop, unit_of_work
from .wording import N_


class BulkErrors(ValidationError):
    """Several cells refused at once: {cell name: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(f"{len(errors)} cell(s) could not be saved.", param=next(iter(errors)))
        self.errors = errors


def parse_bulk_form(form: Mapping[str, str], currency: str) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """Changed cells only: {product id: new price in minor units}, {product id: (count seen, new count)}."""
    prices: dict[str, int] = {}
    counts: dict[str, tuple[int, int]] = {}
    errors: dict[str, str] = {}
    for name, value in form.items():
        if name.startswith("price-"):
            pid, value = name[len("price-"):], (value or "").strip()
            if value == (form.get(f"was-price-{pid}") or "").strip():
                continue
            try:
                amount = Money.from_major(value, currency).amount
                if amount < 0:
                    raise MoneyError("negative")
            except MoneyError:
                errors[name] = N_("Type a price such as 12.50.")
                continue
            prices[pid] = amount
        elif name.startswith("count-"):
            pid, value = name[len("count-"):], (value or "").strip()
            was = (form.get(f"was-count-{pid}") or "").strip()
            if value == was:
                continue
            if not value.isdigit() or not was.lstrip("-").isdigit():
                errors[name] = N_("Type the whole number on the shelf.")
                continue
            counts[pid] = (int(was), int(value))
    if errors:
        raise BulkErrors(errors)
    if len(prices) + len(counts) > MAX_BULK_ROWS:
        raise ValidationError(N_("At most %(n)d changes at once.", n=MAX_BULK_ROWS), param="products")
    return prices, counts


def apply_bulk_edit(user_id: int, shop_key, prices: dict[str, int], counts: dict[str, tuple[int, int]],
                    *, note: str = "bulk edit") -> tuple[int, int]:
    """Apply the changed prices and counts of one shop's products; returns (prices changed, counts changed)."""
    shop = owned_shop(user_id, shop_key)
    errors: dict[str, str] = {}
    with unit_of_work():
        for pid, amount in prices.items():
            try:
                product = owned_product(user_id, pid)
                if product.shop_id != shop.id:
                    raise ValidationError(N_("No such product."), param="product")
                product.price_amount = rules.whole_number(amount, "price", 0, rules.MAX_PRICE)
            except DomainError as exc:
                errors[f"price-{pid}"] = exc.message
        for pid, (seen, counted) in counts.items():
            try:
                product = owned_product(user_id, pid)
                if product.shop_id != shop.id:
                    raise ValidationError(N_("No such product."), param="product")
                counted = rules.whole_number(counted, "counted", 0, rules.MAX_THRESHOLD)
                move_stock(product.id, counted - seen, StockReason.adjustment, user_id=user_id, note=note,
                           adjustment_reason=AdjustmentReason.counted, expected_before=seen)
            except Conflict:
                errors[f"count-{pid}"] = N_("Sold or changed while you typed; check the number again.")
            except DomainError as exc:
                errors[f"count-{pid}"] = exc.message
        if errors:
            raise BulkErrors(errors)
    return len(prices), len(counts)
