"""The chart of accounts: every account type the ledger knows, and how to read its balance.

Other areas add their own types (loans receivable, fee income, supplier payables) with
`register_account_type` from their `init_app`; the ledger itself never needs to know them.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Side(StrEnum):
    debit = "debit"  # assets, expenses: a positive posting sum is a positive balance
    credit = "credit"  # liabilities, income: a negative posting sum is a positive balance


@dataclass(frozen=True)
class AccountType:
    code: str
    normal_side: Side
    per_shop: bool
    label: str

    def shown(self, posting_sum: int) -> int:
        """The balance as a person reads it: owed to a merchant is positive on a credit account."""
        return posting_sum if self.normal_side == Side.debit else -posting_sum


_types: dict[str, AccountType] = {}


def register_account_type(code: str, *, normal_side: str, per_shop: bool, label: str) -> AccountType:
    """Declare an account type. Registering the same code again with the same shape is harmless."""
    if not code or not code.replace("_", "").isalnum() or len(code) > 40:
        raise ValueError(f"account type codes are short snake_case words, got {code!r}")
    kind = AccountType(code, Side(normal_side), per_shop, label)
    existing = _types.get(code)
    if existing is not None and (existing.normal_side, existing.per_shop) != (kind.normal_side, kind.per_shop):
        raise ValueError(f"account type {code!r} is already registered with another shape")
    _types[code] = kind
    return kind


def account_type(code: str) -> AccountType:
    try:
        return _types[code]
    except KeyError:
        raise ValueError(f"no account type {code!r}; register it with register_account_type first") from None


def account_types() -> list[AccountType]:
    return sorted(_types.values(), key=lambda t: t.code)


# What a merchant is owed: pending until an order settles, then available until paid out.
MERCHANT_PENDING = register_account_type("merchant_pending", normal_side="credit", per_shop=True,
                                         label="Merchant pending balance")
MERCHANT_AVAILABLE = register_account_type("merchant_available", normal_side="credit", per_shop=True,
                                           label="Merchant available balance")
# Cash the merchant took at the counter: the platform never holds it, but the sale is on the record.
MERCHANT_CASH_SALES = register_account_type("merchant_cash_sales", normal_side="credit", per_shop=True,
                                            label="Cash sales collected by the merchant")
CASH_HELD_BY_MERCHANT = register_account_type("cash_held_by_merchant", normal_side="debit", per_shop=True,
                                              label="Cash held by the merchant")
# Money at the payment provider for card sales not yet paid out.
PLATFORM_CLEARING = register_account_type("platform_clearing", normal_side="debit", per_shop=False,
                                          label="Platform clearing (cash at the payment provider)")
COMMISSION_INCOME = register_account_type("platform_commission_income", normal_side="credit", per_shop=False,
                                          label="Platform commission income")
PAYOUTS_IN_TRANSIT = register_account_type("payouts_in_transit", normal_side="credit", per_shop=False,
                                           label="Payouts in transit to merchants' banks")
