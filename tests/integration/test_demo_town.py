"""The demo town generator: deterministic, the sizes asked for, consistent money and stock, usable accounts."""
from datetime import date

import pytest
from sqlalchemy import func, select, text

from marketplace.demo import hooks
from marketplace.demo.generator import DEMO_ACCOUNTS, DEMO_PASSWORD, TownSpec, seed_town
from marketplace.extensions import db
from tests.conftest import reset_schema

SMALL = TownSpec(merchants=25, suppliers=4, residents=200, months=2, seed=11, end=date(2026, 3, 1),
                 orders_per_resident_month=3.0)


def seed(spec=SMALL):
    return seed_town(spec, echo=lambda _msg: None, show_progress=False)


def town_fingerprint() -> list:
    """Every row that matters, in key order: two towns are the same when these are equal."""
    queries = (
        "SELECT id, public_id, email, name, address, latitude, longitude, created_at FROM users ORDER BY id",
        "SELECT id, public_id, owner_id, name, kind, category, address, latitude, longitude, is_open FROM shops "
        "ORDER BY id",
        "SELECT id, public_id, shop_id, sku, price_amount, stock_on_hand FROM products ORDER BY id",
        "SELECT id, public_id, resident_id, shop_id, status, fulfilment, total_amount, placed_at FROM orders "
        "ORDER BY id",
        "SELECT id, order_id, product_id, quantity, line_total_amount FROM order_lines ORDER BY id",
        "SELECT id, product_id, quantity, balance_after, reason, reference, created_at FROM stock_movements "
        "ORDER BY id",
        "SELECT id, payment_id, amount, created_at FROM refunds ORDER BY id",
        "SELECT id, public_id, buyer_shop_id, supplier_shop_id, status, total_amount FROM purchase_orders ORDER BY id",
    )
    return [[tuple(row) for row in db.session.execute(text(q))] for q in queries]


def scalar(sql: str):
    return db.session.execute(text(sql)).scalar()


def test_the_same_seed_writes_the_same_town_twice(app):
    seed()
    first = town_fingerprint()
    db.session.remove()
    reset_schema()
    seed()
    assert town_fingerprint() == first
    assert len(first[3]) > 100  # and it is a town with real history, not an empty one


def test_another_seed_writes_another_town(app):
    seed()
    first = town_fingerprint()
    db.session.remove()
    reset_schema()
    seed(TownSpec(**{**SMALL.__dict__, "seed": 12}))
    assert town_fingerprint() != first


def test_the_town_has_the_sizes_asked_for(app):
    summary = seed()
    assert scalar("SELECT COUNT(*) FROM shops WHERE kind = 'retail'") == 25
    assert scalar("SELECT COUNT(*) FROM shops WHERE kind = 'supplier'") == 4
    assert scalar("SELECT COUNT(*) FROM user_roles WHERE role = 'resident'") == 200
    assert scalar("SELECT COUNT(*) FROM user_roles WHERE role = 'merchant'") == 25
    assert scalar("SELECT COUNT(*) FROM user_roles WHERE role = 'lender'") == 1
    assert scalar("SELECT COUNT(*) FROM users") == 25 + 4 + 200 + 1
    assert summary.counts["orders"] == scalar("SELECT COUNT(*) FROM orders")
    # About 3 orders per resident per month over two months; Poisson noise and closures aside.
    assert 600 <= summary.counts["orders"] <= 1800
    assert scalar("SELECT COUNT(*) FROM products p JOIN shops s ON s.id = p.shop_id WHERE s.kind = 'retail'") \
        >= 25 * 5


def test_stock_on_hand_is_the_sum_of_its_movements_and_never_negative(app):
    seed()
    assert scalar("SELECT COUNT(*) FROM stock_movements") > 0
    assert scalar(
        "SELECT COUNT(*) FROM products p WHERE p.stock_on_hand <> "
        "(SELECT COALESCE(SUM(quantity), 0) FROM stock_movements m WHERE m.product_id = p.id)"
    ) == 0
    assert scalar("SELECT COUNT(*) FROM stock_movements WHERE balance_after < 0") == 0
    # Each product's last movement leaves exactly what is on hand.
    assert scalar(
        "SELECT COUNT(*) FROM products p WHERE p.stock_on_hand <> (SELECT m.balance_after FROM stock_movements m "
        "WHERE m.product_id = p.id ORDER BY m.id DESC LIMIT 1)"
    ) == 0


def test_order_totals_equal_their_lines_and_payments_cover_them(app):
    seed()
    assert scalar(
        "SELECT COUNT(*) FROM orders o WHERE o.subtotal_amount <> "
        "(SELECT SUM(line_total_amount) FROM order_lines l WHERE l.order_id = o.id) "
        "OR o.total_amount <> o.subtotal_amount + o.delivery_fee_amount"
    ) == 0
    assert scalar("SELECT COUNT(*) FROM order_lines WHERE line_total_amount <> unit_price_amount * quantity") == 0
    assert scalar(
        "SELECT COUNT(*) FROM orders o JOIN payments p ON p.order_id = o.id WHERE p.amount <> o.total_amount"
    ) == 0
    assert scalar(
        "SELECT COUNT(*) FROM payments p WHERE p.refunded_amount <> "
        "(SELECT COALESCE(SUM(amount), 0) FROM refunds r WHERE r.payment_id = p.id)"
    ) == 0
    # Sold stock of a cancelled or rejected order went back on the shelf.
    assert scalar(
        "SELECT COUNT(*) FROM orders o WHERE o.status IN ('cancelled', 'rejected') AND "
        "(SELECT SUM(quantity) FROM stock_movements m WHERE m.reference = o.public_id) <> 0"
    ) == 0
    assert scalar(
        "SELECT COUNT(*) FROM purchase_orders po WHERE po.total_amount <> "
        "(SELECT SUM(line_total_amount) FROM purchase_order_lines l WHERE l.order_id = po.id)"
    ) == 0


def test_shops_and_homes_are_on_the_streets_of_jiaojiang(app):
    seed()
    lat_min, lat_max, lon_min, lon_max = db.session.execute(text(
        "SELECT MIN(latitude), MAX(latitude), MIN(longitude), MAX(longitude) FROM shops")).one()
    # South of the Jiao river (about 28.69 N) and well west of the coast (about 121.50 E).
    assert 28.62 < lat_min and lat_max < 28.69
    assert 121.38 < lon_min and lon_max < 121.47
    assert scalar("SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
                  "WHERE r.role = 'resident' AND (u.latitude IS NULL OR u.address NOT LIKE '椒江区%')") == 0


def test_the_demo_accounts_log_in_with_the_demo_password(app, client):
    seed()
    for role, email in DEMO_ACCOUNTS.items():
        resp = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
        assert resp.status_code == 201, resp.get_json()
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {resp.get_json()['token']}"}).get_json()
        assert role in me["roles"]
    resp = client.post("/api/v1/auth/token", json={"email": DEMO_ACCOUNTS["merchant"], "password": "wrong-pass1"})
    assert resp.status_code == 401
    page = client.post("/account/login", data={"email": DEMO_ACCOUNTS["resident"], "password": DEMO_PASSWORD})
    assert page.status_code in (302, 303)


def test_the_demo_merchant_has_a_busy_shop_the_demo_resident_uses(app):
    seed()
    merchant_orders = scalar(
        "SELECT COUNT(*) FROM orders o JOIN shops s ON s.id = o.shop_id JOIN users u ON u.id = s.owner_id "
        "WHERE u.email = 'merchant@demo.local'")
    resident_orders = scalar(
        "SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.resident_id WHERE u.email = 'resident@demo.local'")
    assert merchant_orders >= 20
    assert resident_orders >= 3
    assert scalar("SELECT COUNT(*) FROM purchase_orders po JOIN shops s ON s.id = po.supplier_shop_id "
                  "JOIN users u ON u.id = s.owner_id WHERE u.email = 'supplier@demo.local'") > 0


def test_seed_hooks_run_after_the_base_town_is_written(app, monkeypatch):
    monkeypatch.setattr(hooks, "_hooks", {})
    seen = []

    def count_orders(ctx):
        seen.append((ctx.seed, ctx.merchants, scalar("SELECT COUNT(*) FROM orders")))

    hooks.register_seed_hook("count", count_orders)
    summary = seed()
    assert summary.hooks == ["count"]
    assert seen == [(11, 25, summary.counts["orders"])]


def test_a_hook_reads_in_chunks_and_commits_as_it_goes(app, monkeypatch):
    """The pattern the hooks follow at the seed's scale: stream the rows, write and commit chunk by chunk
    (on PostgreSQL a streaming cursor would die with the first commit if it shared the transaction)."""
    from marketplace.catalog.models import Product

    monkeypatch.setattr(hooks, "_hooks", {})
    seen = []

    def copy_in_chunks(ctx):
        for chunk in ctx.iter_chunks(select(Product.id).order_by(Product.id), chunk_size=7):
            seen.extend(pid for (pid,) in chunk)
            ctx.commit()

    hooks.register_seed_hook("chunks", copy_in_chunks)
    seed()
    products = list(db.session.execute(select(Product.id).order_by(Product.id)).scalars())
    assert len(products) > 7 * 3 and seen == products


def test_a_failing_hook_stops_the_seed_with_its_error(app, monkeypatch):
    monkeypatch.setattr(hooks, "_hooks", {})

    def broken(ctx):
        raise RuntimeError("search index unavailable")

    hooks.register_seed_hook("broken", broken)
    with pytest.raises(RuntimeError, match="search index unavailable"):
        seed()


def test_the_command_prints_the_demo_accounts_and_skips_a_town_that_exists(app, runner, monkeypatch):
    monkeypatch.setattr(hooks, "_hooks", {})
    args = ["demo", "seed", "--merchants", "5", "--suppliers", "2", "--residents", "20", "--months", "1",
            "--end", "2026-03-01", "--quiet"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    for email in DEMO_ACCOUNTS.values():
        assert email in result.output
    assert "demo1234" in result.output
    again = runner.invoke(args=args + ["--if-empty"])
    assert again.exit_code == 0 and "no demo town written" in again.output
    clash = runner.invoke(args=args)
    assert clash.exit_code != 0 and "already exist" in clash.output
    assert db.session.execute(select(func.count()).select_from(text("shops"))).scalar() == 7


def test_bad_sizes_are_refused(app, runner):
    result = runner.invoke(args=["demo", "seed", "--merchants", "0"])
    assert result.exit_code == 2
    assert "merchants" in result.output


def test_seeded_rows_read_back_through_the_models(app):
    from marketplace.catalog.models import Shop, StockMovement, StockReason
    from marketplace.orders.models import Order, OrderStatus

    seed()
    shop = db.session.execute(select(Shop).order_by(Shop.id).limit(1)).scalar_one()
    assert shop.opening_hours["mon"] and shop.created_at.year >= 2000
    order = db.session.execute(select(Order).order_by(Order.id.desc()).limit(1)).scalar_one()
    assert isinstance(order.status, OrderStatus) and order.lines and order.placed_at.year == 2026
    assert order.total.amount == sum(line.line_total.amount for line in order.lines) + order.delivery_fee_amount
    reasons = set(db.session.execute(select(StockMovement.reason).distinct()).scalars())
    assert {StockReason.initial, StockReason.sale, StockReason.purchase_receipt} <= reasons
