"""The ledger accounts credit posts to, and the entries for a draw, a repayment and a write-off.

    draw:        debit loans_receivable (shop)  principal + fee
                 credit merchant_available (shop)  principal      (money in the balance at once)
                 credit credit_fee_income          fee            (the fixed fee, earned on the draw)
    repayment:   debit merchant_available (shop)  amount          (withheld from a settlement, or paid early)
                 credit loans_receivable (shop)   amount
    write-off:   debit credit_losses               outstanding
                 credit loans_receivable (shop)   outstanding

So a shop's `loans_receivable` balance always equals what its open loans still owe.
"""
from __future__ import annotations

from marketplace.money import Money

LOANS_RECEIVABLE = "loans_receivable"
FEE_INCOME = "credit_fee_income"
LOSSES = "credit_losses"


def register_accounts() -> None:
    from financing.ledger.services import register_account_type

    register_account_type(LOANS_RECEIVABLE, normal_side="debit", per_shop=True,
                          label="Credit owed by the merchant (principal and fee)")
    register_account_type(FEE_INCOME, normal_side="credit", per_shop=False, label="Credit fee income")
    register_account_type(LOSSES, normal_side="debit", per_shop=False, label="Credit losses written off")


def post_draw(loan) -> int:
    from financing.ledger.chart import MERCHANT_AVAILABLE
    from financing.ledger.services import credit, debit, post_entry

    legs = [debit(LOANS_RECEIVABLE, loan.total, loan.shop_id),
            credit(MERCHANT_AVAILABLE.code, loan.principal, loan.shop_id)]
    if loan.fee_amount:
        legs.append(credit(FEE_INCOME, loan.fee))
    entry = post_entry("credit_draw", legs, shop_id=loan.shop_id, reference=loan.public_id,
                       idempotency_key=f"credit:draw:{loan.public_id}", description=f"Credit draw {loan.public_id}")
    return entry.id


def post_repayment(shop_id: int, amount: Money, *, key: str, reference: str, description: str) -> int:
    from financing.ledger.chart import MERCHANT_AVAILABLE
    from financing.ledger.services import credit, debit, post_entry

    entry = post_entry("credit_repayment", [debit(MERCHANT_AVAILABLE.code, amount, shop_id),
                                            credit(LOANS_RECEIVABLE, amount, shop_id)],
                       shop_id=shop_id, reference=reference, idempotency_key=key, description=description)
    return entry.id


def post_write_off(loan, amount: Money) -> int:
    from financing.ledger.services import credit, debit, post_entry

    entry = post_entry("credit_write_off", [debit(LOSSES, amount), credit(LOANS_RECEIVABLE, amount, loan.shop_id)],
                       shop_id=loan.shop_id, reference=loan.public_id,
                       idempotency_key=f"credit:write_off:{loan.public_id}",
                       description=f"Write-off of {loan.public_id}")
    return entry.id


def merchant_available(shop_id: int) -> Money:
    from financing.ledger.services import merchant_balance

    return merchant_balance(shop_id)


def receivable_balance(shop_id: int, currency: str) -> Money:
    from financing.ledger.services import account_balance

    return account_balance(LOANS_RECEIVABLE, shop_id, currency)
