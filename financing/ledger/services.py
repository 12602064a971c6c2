"""Ledger use cases: post entries, read balances, record sales and refunds, settle orders.

Other areas call `post_entry`, `register_account_type` and `merchant_balance`; everything here
runs in the caller's transaction unless its docstring says it commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, func, select

from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders.models import Order, OrderStatus, Payment, PaymentMethod, PaymentStatus, Refund
from marketplace.statemachine import utcnow

from .chart import (CASH_HELD_BY_MERCHANT, COMMISSION_INCOME, MERCHANT_AVAILABLE, MERCHANT_CASH_SALES,
                    MERCHANT_PENDING, PLATFORM_CLEARING, AccountType, account_type,
                    register_account_type)
from .models import JournalEntry, LedgerAccount, Posting, Settlement
from .posting import Leg, credit, debit, get_account, post_entry, reverse_entry

__all__ = ["post_entry", "reverse_entry", "register_account_type", "account_type", "AccountType", "Leg", "debit",
           "credit", "get_account", "merchant_balance", "merchant_balances", "account_balance", "record_sale",
           "record_refund", "settle_due_orders", "commission_for"]


def _currency_for(shop_id: int) -> str:
    from marketplace.catalog.models import Shop

    shop = db.session.get(Shop, shop_id)
    return shop.currency if shop is not None else current_app.config["CURRENCY"]


def account_balance(type_code: str, shop_id: int | None, currency: str) -> Money:
    """An account's balance as a person reads it; zero when it was never used."""
    key = LedgerAccount.make_key(type_code, shop_id if account_type(type_code).per_shop else None, currency)
    raw = db.session.execute(select(LedgerAccount.balance_amount).where(LedgerAccount.key == key)).scalar()
    return Money(account_type(type_code).shown(raw or 0), currency)


def merchant_balance(shop_id: int, currency: str | None = None) -> Money:
    """What the platform owes the merchant now: the available balance (negative when it owes us)."""
    return account_balance(MERCHANT_AVAILABLE.code, shop_id, currency or _currency_for(shop_id))


def merchant_balances(shop_id: int, currency: str | None = None) -> dict[str, Money]:
    currency = currency or _currency_for(shop_id)
    return {"available": account_balance(MERCHANT_AVAILABLE.code, shop_id, currency),
            "pending": account_balance(MERCHANT_PENDING.code, shop_id, currency)}


def commission_for(amount: Money) -> Money:
    """The platform's commission on a sale: the configured rate, rounded half-up to the fen, once."""
    from decimal import ROUND_HALF_UP

    rate = Decimal(current_app.config["PLATFORM_COMMISSION_RATE"])
    return amount.apply_rate(rate, rounding=ROUND_HALF_UP)


def _succeeded_payment(order_id: int) -> Payment | None:
    return db.session.execute(
        select(Payment).where(Payment.order_id == order_id, Payment.status == PaymentStatus.succeeded)
        .order_by(Payment.id.desc())
    ).scalars().first()


def sale_legs(shop_id: int, amount: Money, method: PaymentMethod) -> list[Leg]:
    """A card sale is owed to the merchant (pending); a cash sale was collected at the counter."""
    if method == PaymentMethod.cash:
        return [debit(CASH_HELD_BY_MERCHANT.code, amount, shop_id), credit(MERCHANT_CASH_SALES.code, amount, shop_id)]
    return [debit(PLATFORM_CLEARING.code, amount), credit(MERCHANT_PENDING.code, amount, shop_id)]


def commission_legs(shop_id: int, commission: Money) -> list[Leg]:
    return [debit(MERCHANT_PENDING.code, commission, shop_id), credit(COMMISSION_INCOME.code, commission)]


def record_sale(order_id: int, shop_id: int, amount: Money, *, effective_at: datetime | None = None) -> JournalEntry:
    """The sale entry for a paid order, and the commission entry; posting twice posts once."""
    payment = _succeeded_payment(order_id)
    method = payment.method if payment is not None else PaymentMethod.card
    order = db.session.get(Order, order_id)
    reference = payment.public_id if payment is not None else None
    label = order.public_id if order is not None else str(order_id)
    sale = post_entry("sale", sale_legs(shop_id, amount, method), shop_id=shop_id, order_id=order_id,
                      reference=reference, idempotency_key=f"sale:order:{order_id}", effective_at=effective_at,
                      description=f"{'Cash' if method == PaymentMethod.cash else 'Card'} sale {label}")
    commission = commission_for(amount)
    if commission.amount:
        post_entry("commission", commission_legs(shop_id, commission), shop_id=shop_id, order_id=order_id,
                   reference=reference, idempotency_key=f"commission:order:{order_id}", effective_at=effective_at,
                   description=f"Commission on {label}")
    return sale


def _is_settled(order_id: int) -> bool:
    return db.session.execute(select(Settlement.id).where(Settlement.order_id == order_id)).scalar() is not None


def refund_legs(shop_id: int, amount: Money, method: PaymentMethod, *, settled: bool) -> list[Leg]:
    """Who gives the money back: the merchant's pending money, or its available money once settled."""
    if method == PaymentMethod.cash:
        return [debit(MERCHANT_CASH_SALES.code, amount, shop_id), credit(CASH_HELD_BY_MERCHANT.code, amount, shop_id)]
    source = MERCHANT_AVAILABLE if settled else MERCHANT_PENDING
    return [debit(source.code, amount, shop_id), credit(PLATFORM_CLEARING.code, amount)]


def record_refund(order_id: int, shop_id: int, amount: Money, refund_id: int | None, *,
                  effective_at: datetime | None = None) -> JournalEntry:
    """A refund entry: the merchant's balance goes down by what the customer got back."""
    refund = db.session.get(Refund, refund_id) if refund_id is not None else None
    payment = refund.payment if refund is not None else _succeeded_payment(order_id)
    method = payment.method if payment is not None else PaymentMethod.card
    legs = refund_legs(shop_id, amount, method, settled=_is_settled(order_id))
    key = f"refund:{refund_id}" if refund_id is not None else None
    order = db.session.get(Order, order_id)
    return post_entry("refund", legs, shop_id=shop_id, order_id=order_id,
                      reference=refund.public_id if refund is not None else None, idempotency_key=key,
                      effective_at=effective_at,
                      description=f"Refund on {order.public_id if order is not None else order_id}")


def pending_for_order(order_id: int, shop_id: int, currency: str) -> Money:
    """What of this order is still pending for the merchant (sale less commission and refunds)."""
    account = LedgerAccount.make_key(MERCHANT_PENDING.code, shop_id, currency)
    raw = db.session.execute(
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(JournalEntry.order_id == order_id, LedgerAccount.key == account)
    ).scalar()
    return Money(-int(raw), currency)


def due_for_settlement(now: datetime | None = None, *, limit: int | None = None) -> list[tuple[int, int, str]]:
    """(order id, shop id, currency) of completed card orders past the delay and not yet settled."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SETTLEMENT_DELAY_DAYS"])
    settled = select(Settlement.order_id)
    sold = select(JournalEntry.order_id).where(JournalEntry.kind == "sale", JournalEntry.order_id.is_not(None))
    stmt = (select(Order.id, Order.shop_id, Order.currency)
            .where(and_(Order.status == OrderStatus.completed, Order.completed_at <= cutoff,
                        Order.id.in_(sold), Order.id.not_in(settled)))
            .order_by(Order.id))
    if limit:
        stmt = stmt.limit(limit)
    return [tuple(r) for r in db.session.execute(stmt).all()]


def settle_order(order_id: int, shop_id: int, currency: str, *, effective_at: datetime | None = None) -> Money:
    """Move what the order left pending into the merchant's available balance; tell subscribers.

    Returns the amount settled (zero when nothing was pending, e.g. a cash sale or a full refund).
    """
    from financing.signals import sale_settled

    if _is_settled(order_id):
        return Money.zero(currency)
    amount = pending_for_order(order_id, shop_id, currency)
    order = db.session.get(Order, order_id)
    label = order.public_id if order is not None else str(order_id)
    entry = None
    if amount.amount:
        legs = [debit(MERCHANT_PENDING.code, amount, shop_id), credit(MERCHANT_AVAILABLE.code, amount, shop_id)]
        entry = post_entry("settlement", legs, shop_id=shop_id, order_id=order_id, reference=label,
                           idempotency_key=f"settle:order:{order_id}", effective_at=effective_at,
                           description=f"Settlement of {label}")
    # Recorded even when nothing was pending (cash, or refunded in full), so the order is not due again.
    db.session.add(Settlement(order_id=order_id, shop_id=shop_id, amount=amount.amount, currency=currency,
                              entry_id=entry.id if entry is not None else None))
    db.session.flush()
    sale_settled.send(current_app._get_current_object(), shop_id=shop_id, order_id=order_id, amount=amount,
                      entry_id=entry.id if entry is not None else None)
    return amount


def settle_due_orders(now: datetime | None = None, *, commit: bool = True, batch: int = 500) -> dict:
    """Settle every due order. Commits per batch (a job, not part of a request): returns counts."""
    count, total_by_currency = 0, {}
    while True:
        due = due_for_settlement(now, limit=batch)
        if not due:
            break
        for order_id, shop_id, currency in due:
            amount = settle_order(order_id, shop_id, currency)
            total_by_currency[currency] = total_by_currency.get(currency, 0) + amount.amount
            count += 1
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    return {"orders": count, "amounts": total_by_currency}
