"""Order speed: placing orders one after another and from many threads at once, and an order's whole journey.

    .venv/bin/python -m bench.orders [--shops 200] [--orders 2000] [--threads 8] [--database-url URL]

Builds its own town on a fresh SQLite file (or the database named, which it empties): shops open all
week with products and plenty of stock, and residents near them. Orders are cash (card payments go to
the provider and are measured by the payments benchmark). Prints the figures and writes them to
bench/results/orders.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import threading
import time

from bench._common import percentile

OPEN_ALL_WEEK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _ms(samples: list[float]) -> dict:
    return {"p50_ms": round(percentile(samples, 0.50) * 1000, 2), "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
            "mean_ms": round(statistics.fmean(samples) * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--products-per-shop", type=int, default=30)
    parser.add_argument("--residents", type=int, default=500)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--journeys", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from sqlalchemy import func, select, text

    from marketplace import create_app
    from marketplace.accounts.models import Role, User, UserRole
    from marketplace.catalog.models import Product, Shop, StockMovement, StockReason
    from marketplace.extensions import db
    from marketplace.orders import services
    from marketplace.orders.models import Order

    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    rng = random.Random(4)
    results: dict = {"database": url.split(":")[0], "python": platform.python_version(), "shops": args.shops,
                     "products_per_shop": args.products_per_shop}
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()

        def user(email: str, role: Role) -> User:
            u = User(email=email, name=email, password_hash="!")
            u.roles.append(UserRole(role=role))
            db.session.add(u)
            return u

        centre = (28.656, 121.421)
        shops = []
        for i in range(args.shops):
            owner = user(f"m{i}@bench.test", Role.merchant)
            db.session.flush()
            shop = Shop(owner_id=owner.id, name=f"Shop {i}", category="grocery", opening_hours=OPEN_ALL_WEEK,
                        latitude=centre[0] + rng.uniform(-0.03, 0.03), longitude=centre[1] + rng.uniform(-0.03, 0.03),
                        delivery_radius_km=5.0, delivery_fee_amount=300, minimum_order_amount=1000)
            db.session.add(shop)
            shops.append(shop)
        db.session.flush()
        products: dict[int, list[int]] = {}
        for shop in shops:
            rows = [Product(shop_id=shop.id, sku=f"S{shop.id}-{n}", name=f"Item {n}", category="grocery",
                            price_amount=rng.randrange(300, 5000), stock_on_hand=0)
                    for n in range(args.products_per_shop)]
            db.session.add_all(rows)
            db.session.flush()
            products[shop.id] = [p.id for p in rows]
        for shop_products in products.values():
            for pid in shop_products:
                db.session.add(StockMovement(product_id=pid, quantity=100_000, balance_after=100_000,
                                             reason=StockReason.initial))
        db.session.execute(Product.__table__.update().values(stock_on_hand=100_000))
        residents = [user(f"r{i}@bench.test", Role.resident) for i in range(args.residents)]
        db.session.commit()
        resident_ids = [r.id for r in residents]
        owner_of = {s.id: s.owner_id for s in shops}
        shop_ids = list(products)

        def one_order(r: random.Random):
            shop_id = r.choice(shop_ids)
            lines = [(pid, r.randint(1, 3)) for pid in r.sample(products[shop_id], r.randint(1, 4))]
            checkout = services.Checkout("pickup", "cash")
            return services.place_order(r.choice(resident_ids), shop_id, lines, checkout)

        # 1. One after another.
        latencies = []
        started = time.perf_counter()
        for _ in range(args.orders):
            t0 = time.perf_counter()
            one_order(rng)
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
        results["sequential"] = {"orders": args.orders, "orders_per_second": round(args.orders / elapsed, 1),
                                 **_ms(latencies)}

        # 2. Many threads at once, each with its own session.
        per_thread = max(1, args.orders // args.threads)
        thread_latencies: list[float] = []
        lock = threading.Lock()

        def worker(seed: int):
            r = random.Random(seed)
            mine = []
            with app.app_context():
                for _ in range(per_thread):
                    t0 = time.perf_counter()
                    one_order(r)
                    mine.append(time.perf_counter() - t0)
                db.session.remove()
            with lock:
                thread_latencies.extend(mine)

        threads = [threading.Thread(target=worker, args=(100 + i,)) for i in range(args.threads)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        total = per_thread * args.threads
        results["concurrent"] = {"threads": args.threads, "orders": total,
                                 "orders_per_second": round(total / elapsed, 1), **_ms(thread_latencies)}

        # 3. The whole journey: placed, accepted, ready, completed (cash collected).
        journey = []
        for _ in range(args.journeys):
            t0 = time.perf_counter()
            order = one_order(rng)
            oid, merchant = order.id, owner_of[order.shop_id]
            services.accept_order(merchant, oid)
            services.mark_order_ready(merchant, oid)
            services.complete_order(merchant, oid)
            journey.append(time.perf_counter() - t0)
        results["journey"] = {"journeys": args.journeys, **_ms(journey)}

        # The stock ledger and the orders agree afterwards.
        sold = db.session.execute(select(func.count(Order.id))).scalar_one()
        drift = db.session.execute(text(
            "SELECT COUNT(*) FROM products p WHERE p.stock_on_hand != "
            "(SELECT COALESCE(SUM(m.quantity), 0) FROM stock_movements m WHERE m.product_id = p.id)")).scalar_one()
        results["orders_total"] = sold
        results["products_whose_stock_disagrees_with_movements"] = drift

    print(json.dumps(results, indent=2))
    os.makedirs(os.path.join(os.path.dirname(__file__), "results"), exist_ok=True)
    with open(os.path.join(os.path.dirname(__file__), "results", "orders.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
