"""Sales histories for credit tests: completed orders written straight to the database, fast."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderStatus, PaymentMethod


def _buyers(n: int) -> list:
    """Residents who only buy in these tests: written directly, no password hashing (fast)."""
    from marketplace.accounts.models import Role, User, UserRole

    people = []
    for _ in range(n):
        k = next(_buyer_seq)
        user = User(email=f"buyer{k}@history.test", name=f"Buyer {k}", password_hash="!")
        user.roles.append(UserRole(role=Role.resident))
        people.append(user)
    db.session.add_all(people)
    db.session.flush()
    return people


_buyer_seq = __import__("itertools").count(1)


def write_sales(shop, *, days: int, per_day: int, amount: int, until: datetime | None = None,
                residents: int = 5, skip_every: int = 0, status: OrderStatus = OrderStatus.completed) -> datetime:
    """`per_day` completed orders of `amount` minor units on each of `days` days before `until`
    (default: now), from a handful of regular residents; every `skip_every`-th day has no sale.
    Also backdates the shop so its tenure covers the history. Returns `until`."""
    until = until or datetime.now(timezone.utc)
    people = _buyers(residents)
    first = until - timedelta(days=days)
    if shop.created_at is None or shop.created_at.replace(tzinfo=timezone.utc) > first:
        shop.created_at = first - timedelta(days=1)
    rows = []
    for d in range(days):
        if skip_every and d % skip_every == 0:
            continue
        day = first + timedelta(days=d, hours=10)
        for k in range(per_day):
            rows.append(Order(
                resident_id=people[(d + k) % residents].id, shop_id=shop.id, status=status,
                fulfilment=Fulfilment.pickup, payment_method=PaymentMethod.cash, currency=shop.currency,
                subtotal_amount=amount, delivery_fee_amount=0, total_amount=amount,
                placed_at=day + timedelta(minutes=k), completed_at=day + timedelta(minutes=k + 30)))
    db.session.add_all(rows)
    db.session.commit()
    return until


def healthy_shop(**kwargs):
    """A shop a year old with steady daily sales of 3 x 40.00: comfortably eligible."""
    from tests.factories import make_shop

    shop = make_shop(**kwargs)
    write_sales(shop, days=365, per_day=3, amount=4000)
    return shop


def settle(shop, amount: int, ref: str) -> int:
    """A settlement as the ledger makes one: money becomes available, then the signal goes out (so
    credit withholds its share). Returns the settlement's journal entry id."""
    from flask import current_app

    from financing.ledger.services import credit, debit, post_entry
    from financing.signals import sale_settled
    from marketplace.money import Money

    money = Money(amount, shop.currency)
    entry = post_entry("settlement", [debit("platform_clearing", money), credit("merchant_available", money, shop.id)],
                       shop_id=shop.id, reference=ref, idempotency_key=f"test:{ref}")
    sale_settled.send(current_app._get_current_object(), shop_id=shop.id, order_id=0, amount=money,
                      entry_id=entry.id)
    db.session.commit()
    return entry.id
