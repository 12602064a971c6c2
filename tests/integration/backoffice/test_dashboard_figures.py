"""The dashboard's figures come to exactly what real orders came to.

Orders are placed through the order services (cash, and cards charged and refunded at the real
localstripe), moved along, refunded, rejected and cancelled as residents and the merchant would, some
placed days and weeks ago; the ledger records the money and settlement moves it. The dashboard must
show, to the fen, what those orders add up to, and agree with the money the ledger holds for the shop.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from financing.ledger.models import JournalEntry, LedgerAccount, Posting
from financing.ledger.services import merchant_balances, settle_due_orders
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.orders.services import Checkout
from merchants.backoffice import reports
from tests.factories import NEARBY, PASSWORD, make_product, make_shop, make_user

EGGS, MILK, TOFU = 1250, 799, 333  # prices in fen
DELIVERY_FEE = 450


@dataclass
class Placed:
    order: Order
    net: int  # what it came to, less refunds; 0 when rejected or cancelled
    days_ago: int
    paid: bool  # the ledger has its sale (card charged, or cash handed over)


@pytest.fixture
def street(payments_app):
    merchant = make_user("merchant")
    shop = make_shop(merchant, name="Corner Grocer", delivery_radius_km=3.0, delivery_fee_amount=DELIVERY_FEE)
    products = {name: make_product(shop, name=name, price=price, stock=100)
                for name, price in (("eggs", EGGS), ("milk", MILK), ("tofu", TOFU))}
    residents = [make_user("resident") for _ in range(3)]
    return merchant, shop, products, residents


def _place(shop, products, resident, lines, *, card=False, delivery=False, key):
    checkout = Checkout(fulfilment="delivery" if delivery else "pickup", payment_method="card" if card else "cash",
                        payment_method_id="pm_card_visa" if card else None,
                        address="3 Qingnian Road" if delivery else None,
                        lat=NEARBY[0] if delivery else None, lon=NEARBY[1] if delivery else None)
    return orders.place_order(resident.id, shop.id, [(products[name].id, qty) for name, qty in lines], checkout,
                              idempotency_key=key)


def _complete(merchant, order):
    orders.accept_order(merchant.id, order.id)
    orders.mark_order_ready(merchant.id, order.id)
    orders.complete_order(merchant.id, order.id)


def _placed_days_ago(order, days: int) -> None:
    """History: the order was placed `days` days ago (everything else about it stays as it happened)."""
    if days:
        order.placed_at = order.placed_at - timedelta(days=days)
        db.session.commit()


def _ledger_net_sales(shop_id: int) -> int:
    """What the ledger says the shop sold, less refunds: sale and refund postings on the merchant's accounts."""
    raw = db.session.execute(
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(JournalEntry.shop_id == shop_id, JournalEntry.kind.in_(("sale", "refund")),
               LedgerAccount.type.in_(("merchant_pending", "merchant_available", "merchant_cash_sales")))
    ).scalar_one()
    return -int(raw)  # credits are negative


def _commission_charged(shop_id: int) -> int:
    return int(db.session.execute(
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .where(JournalEntry.shop_id == shop_id, JournalEntry.kind == "commission",
               LedgerAccount.type == "merchant_pending")).scalar_one())


def test_the_dashboard_adds_up_real_orders_to_the_fen_and_agrees_with_the_ledger(app, client, street):
    merchant, shop, products, (ann, bo, cai) = street
    placed: list[Placed] = []

    # Today: a cash order handed over; a card delivery, handed over, then partly refunded; two still waiting.
    first = _place(shop, products, ann, [("eggs", 2), ("tofu", 1)], key="k1")
    _complete(merchant, first)
    placed.append(Placed(first, 2 * EGGS + TOFU, 0, True))
    second = _place(shop, products, bo, [("milk", 3)], card=True, delivery=True, key="k2")
    _complete(merchant, second)
    orders.refund_order(merchant.id, second.id, MILK, reason="one bottle broken")
    placed.append(Placed(second, 3 * MILK + DELIVERY_FEE - MILK, 0, True))
    waiting_cash = _place(shop, products, cai, [("tofu", 7)], key="k3")
    placed.append(Placed(waiting_cash, 7 * TOFU, 0, False))
    waiting_card = _place(shop, products, ann, [("eggs", 1)], card=True, key="k4")
    orders.accept_order(merchant.id, waiting_card.id)
    placed.append(Placed(waiting_card, EGGS, 0, True))
    # Today, not sales: one the shop rejected, one the resident cancelled.
    rejected = _place(shop, products, bo, [("milk", 1)], key="k5")
    orders.reject_order(merchant.id, rejected.id, "out of milk")
    placed.append(Placed(rejected, 0, 0, False))
    cancelled = _place(shop, products, cai, [("eggs", 1)], card=True, key="k6")
    orders.cancel_order(cai.id, cancelled.id)
    placed.append(Placed(cancelled, 0, 0, False))
    # Earlier: yesterday, 20, 60 (partly refunded) and 120 days ago.
    for key, resident, lines, card, days, refund in (
            ("k7", ann, [("milk", 2), ("eggs", 1)], True, 1, 0),
            ("k8", bo, [("tofu", 3)], False, 20, 0),
            ("k9", cai, [("eggs", 4)], True, 60, EGGS),
            ("k10", ann, [("milk", 1)], False, 120, 0)):
        order = _place(shop, products, resident, lines, card=card, key=key)
        _complete(merchant, order)
        if refund:
            orders.refund_order(merchant.id, order.id, refund, reason="short-dated")
        _placed_days_ago(order, days)
        gross = sum({"eggs": EGGS, "milk": MILK, "tofu": TOFU}[name] * qty for name, qty in lines)
        placed.append(Placed(order, gross - refund, days, True))

    board = reports.dashboard(shop)
    # Worked out by hand: 2 x 12.50 + 3.33, then 3 x 7.99 + 4.50 delivery - 7.99 refunded, 7 x 3.33, 12.50.
    assert board.today.amount == 2833 + 2048 + 2331 + 1250 == 8462
    assert board.today_orders == 4 and board.waiting_orders == 2

    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    today = datetime.now(timezone.utc).astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    in_week = [p for p in placed if p.net and today - timedelta(days=p.days_ago) >= monday]
    assert board.week.amount == sum(p.net for p in in_week)
    assert board.week_orders == len(in_week)

    series30 = {point["date"]: point["amount"] for point in reports.daily_sales(shop.id, days=30)}
    series90 = {point["date"]: point["amount"] for point in reports.daily_sales(shop.id, days=90)}
    assert len(series30) == 30 and len(series90) == 90
    assert series30[today.isoformat()] == 8462
    assert series30[(today - timedelta(days=1)).isoformat()] == 2 * MILK + EGGS
    assert series30[(today - timedelta(days=20)).isoformat()] == 3 * TOFU
    assert series90[(today - timedelta(days=60)).isoformat()] == 4 * EGGS - EGGS
    assert sum(series30.values()) == sum(p.net for p in placed if p.days_ago < 30) == 12309
    assert sum(series90.values()) == sum(p.net for p in placed if p.days_ago < 90) == 16059
    assert all(a == 0 for d, a in series90.items() if d not in {
        (today - timedelta(days=n)).isoformat() for n in (0, 1, 20, 60)})

    # Top products over 30 days: units and line value of every order that is a sale (refunds are money
    # given back on an order, not products taken back).
    assert [(p["name"], p["units"], p["amount"]) for p in board.top_products] == [
        ("eggs", 2 + 1 + 1, 4 * EGGS), ("milk", 3 + 2, 5 * MILK), ("tofu", 1 + 7 + 3, 11 * TOFU)]

    # The ledger holds every paid order's money, less refunds: the dashboard's 90 days, less the cash
    # order not handed over yet, plus the order from 120 days ago.
    paid_net = sum(p.net for p in placed if p.paid)
    assert paid_net == 16059 - 2331 + MILK
    assert _ledger_net_sales(shop.id) == paid_net

    # Settlement moves money from pending to available and changes none of these figures.
    settled = settle_due_orders(datetime.now(timezone.utc) + timedelta(days=app.config["SETTLEMENT_DELAY_DAYS"] + 1))
    assert settled["orders"] == 6  # every completed order, cash ones settled at zero
    balances = merchant_balances(shop.id)
    assert balances["available"].amount > 0
    card_owed = balances["available"].amount + balances["pending"].amount + _commission_charged(shop.id)
    cash_taken = sum(p.net for p in placed if p.paid and p.order.payment_method.value == "cash")
    assert card_owed + cash_taken == paid_net == _ledger_net_sales(shop.id)
    assert reports.dashboard(shop).today.amount == 8462

    # And the page shows those figures.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/account/login", data={"email": merchant.email, "password": PASSWORD})
    page = client.get("/merchant/").get_data(as_text=True)
    assert re.search(r'id="sales-today">[^<]*84\.62<', page)
    assert re.search(r'id="orders-waiting">2<', page)
    chart = json.loads(re.search(r'<script type="application/json" id="sales-data">(.*?)</script>', page,
                                 re.S).group(1))
    assert [p["amount"] for p in chart["points"]] == list(series30.values())
