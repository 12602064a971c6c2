"""Order speed: placing orders one after another, from threads and from processes at once, and an order's whole journey.

    .venv/bin/python -m bench.orders [--shops 200] [--orders 2000] [--threads 8] [--processes 2]
                                     [--stock 100000] [--database-url URL]

Builds its own town on a fresh SQLite file (or the database named, which it empties): shops open all
week with products and `--stock` units of each, and residents near them. Orders are cash (card payments
go to the provider and are measured by the payments benchmark).

Threads share one interpreter, so under the GIL they share one core; `--processes` runs the orders in
that many processes, each with its own app and connections (as gunicorn's workers do), and gives one
combined figure. With little stock (`--stock 20`) many orders find their products sold out: those are
counted, not timed. Afterwards every product's on-hand must equal the sum of its movements, none may be
below zero, and what was sold must be exactly what left the shelves (no oversell). Prints the figures
and writes them to bench/results/orders.json.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass

from bench._common import add_user, database_server_cpu_seconds, percentile
from marketplace.schema import recreate_all_tables

OPEN_ALL_WEEK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass(frozen=True)
class Town:
    """What the orders are made of: plain ids, so a town can be handed to another process."""

    products: dict[int, list[int]]  # shop id -> its product ids
    resident_ids: list[int]
    owner_of: dict[int, int]  # shop id -> owner id


def _ms(samples: list[float]) -> dict:
    if not samples:
        return {}
    return {"p50_ms": round(percentile(samples, 0.50) * 1000, 2), "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
            "mean_ms": round(statistics.fmean(samples) * 1000, 2)}


def _per_checkout(cpu_seconds: float, checkouts: int) -> float | None:
    """CPU milliseconds per checkout, placed or refused for want of stock (the same with plenty of stock)."""
    return round(cpu_seconds * 1000 / checkouts, 2) if checkouts else None


def make_app(url: str):
    from marketplace import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})


def build_town(args, rng: random.Random) -> Town:
    """A fresh schema with shops, products and their opening stock, and residents. Runs in an app context."""
    from marketplace.accounts.models import Role
    from marketplace.catalog.models import Product, Shop, StockMovement, StockReason
    from marketplace.extensions import db

    recreate_all_tables()

    centre = (28.656, 121.421)
    shops = []
    for i in range(args.shops):
        owner = add_user(f"m{i}@bench.test", Role.merchant)
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
            db.session.add(StockMovement(product_id=pid, quantity=args.stock, balance_after=args.stock,
                                         reason=StockReason.initial))
    db.session.execute(Product.__table__.update().values(stock_on_hand=args.stock))
    residents = [add_user(f"r{i}@bench.test", Role.resident) for i in range(args.residents)]
    db.session.commit()
    return Town(products=products, resident_ids=[r.id for r in residents], owner_of={s.id: s.owner_id for s in shops})


def one_order(town: Town, r: random.Random):
    """Place one cash pickup order of 1 to 4 lines; None when one of its products is sold out."""
    from marketplace.errors import InsufficientStock
    from marketplace.orders import services

    shop_id = r.choice(list(town.products))
    lines = [(pid, r.randint(1, 3)) for pid in r.sample(town.products[shop_id], r.randint(1, 4))]
    try:
        return services.place_order(r.choice(town.resident_ids), shop_id, lines, services.Checkout("pickup", "cash"))
    except InsufficientStock:
        return None


def place_many(town: Town, count: int, seed: int) -> dict:
    """Place `count` orders one after another: the latencies of those placed, how many found stock
    short, and the CPU this process spent."""
    r = random.Random(seed)
    latencies, sold_out = [], 0
    cpu = time.process_time()
    for _ in range(count):
        t0 = time.perf_counter()
        if one_order(town, r) is None:
            sold_out += 1
        else:
            latencies.append(time.perf_counter() - t0)
    return {"latencies": latencies, "sold_out": sold_out, "cpu_s": time.process_time() - cpu}


def _process_worker(url: str, town: Town, count: int, seed: int, ready, results) -> None:
    """One process of the multi-process run: its own app and connections, started with the others."""
    from marketplace.extensions import db

    app = make_app(url)
    with app.app_context():
        place_many(town, 5, -seed)  # connect and warm up before the clock starts, as a served worker is
        ready.wait()
        results.put(place_many(town, count, seed))
        db.session.remove()


def run_processes(url: str, town: Town, total: int, processes: int) -> dict:
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: nothing shared with this one
    ready = context.Barrier(processes + 1)
    results = context.Queue()
    per_process = max(1, total // processes)
    workers = [context.Process(target=_process_worker, args=(url, town, per_process, 200 + i, ready, results))
               for i in range(processes)]
    for w in workers:
        w.start()
    ready.wait(timeout=120)
    started = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - started
    for w in workers:
        w.join(timeout=60)
    latencies = [x for o in outcomes for x in o["latencies"]]
    placed, sold_out = len(latencies), sum(o["sold_out"] for o in outcomes)
    return {"processes": processes, "orders": placed, "sold_out": sold_out,
            "orders_per_second": round(placed / elapsed, 1),
            "cpu_ms_per_checkout": _per_checkout(sum(o["cpu_s"] for o in outcomes), placed + sold_out), **_ms(latencies)}


def run_threads(app, town: Town, total: int, threads: int) -> dict:
    from marketplace.extensions import db

    per_thread = max(1, total // threads)
    outcomes: list[dict] = []
    lock = threading.Lock()

    def worker(seed: int):
        with app.app_context():
            outcome = place_many(town, per_thread, seed)
            db.session.remove()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=worker, args=(100 + i,)) for i in range(threads)]
    started = time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.perf_counter() - started
    latencies = [x for o in outcomes for x in o["latencies"]]
    return {"threads": threads, "orders": len(latencies), "sold_out": sum(o["sold_out"] for o in outcomes),
            "orders_per_second": round(len(latencies) / elapsed, 1), **_ms(latencies)}


def server_cpu_seconds() -> float | None:
    """CPU spent so far by the PostgreSQL server process behind this app's connection (same machine
    only), or None (SQLite, or a server elsewhere). Placing one after another keeps to that connection."""
    from marketplace.extensions import db

    seconds = database_server_cpu_seconds()
    db.session.rollback()
    return seconds


def stock_checks(initial_stock: int) -> dict:
    """Counts of products whose stock is wrong in any way; all must be zero."""
    from sqlalchemy import text

    from marketplace.extensions import db

    def count(sql: str) -> int:
        return db.session.execute(text(sql), {"initial": initial_stock}).scalar_one()

    return {
        "products_whose_stock_disagrees_with_movements": count(
            "SELECT COUNT(*) FROM products p WHERE p.stock_on_hand != "
            "(SELECT COALESCE(SUM(m.quantity), 0) FROM stock_movements m WHERE m.product_id = p.id)"),
        "products_below_zero": count("SELECT COUNT(*) FROM products WHERE stock_on_hand < 0"),
        # Nothing is cancelled here, so what left each shelf is exactly what its order lines sold.
        "products_whose_sales_disagree_with_stock": count(
            "SELECT COUNT(*) FROM products p WHERE :initial - p.stock_on_hand != "
            "(SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.product_id = p.id)"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--products-per-shop", type=int, default=30)
    parser.add_argument("--residents", type=int, default=500)
    parser.add_argument("--stock", type=int, default=100_000, help="units of each product at the start")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="0 leaves the multi-process run out")
    parser.add_argument("--journeys", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.orders import services
    from marketplace.orders.models import Order

    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db")
    app = make_app(url)
    rng = random.Random(4)
    results: dict = {"database": url.split(":")[0], "python": platform.python_version(), "shops": args.shops,
                     "products_per_shop": args.products_per_shop, "stock": args.stock}
    with app.app_context():
        town = build_town(args, rng)

        # 1. One after another.
        server = server_cpu_seconds()
        started = time.perf_counter()
        outcome = place_many(town, args.orders, 4)
        elapsed = time.perf_counter() - started
        server = server_cpu_seconds() - server if server is not None else None
        placed = len(outcome["latencies"])
        results["sequential"] = {"orders": placed, "sold_out": outcome["sold_out"],
                                 "orders_per_second": round(placed / elapsed, 1),
                                 "cpu_ms_per_checkout": _per_checkout(outcome["cpu_s"], placed + outcome["sold_out"]),
                                 **_ms(outcome["latencies"])}
        if server is not None:
            results["sequential"]["database_cpu_ms_per_checkout"] = _per_checkout(server, placed + outcome["sold_out"])

        # 2. Many threads at once in this process, each with its own session.
        results["concurrent"] = run_threads(app, town, args.orders, args.threads)
        db.session.remove()

        # 3. Many processes at once, as gunicorn's workers run.
        if args.processes:
            results["processes"] = run_processes(url, town, args.orders, args.processes)

        # 4. The whole journey: placed, accepted, ready, completed (cash collected).
        journey = []
        for _ in range(args.journeys):
            t0 = time.perf_counter()
            order = one_order(town, rng)
            if order is None:
                continue
            oid, merchant = order.id, town.owner_of[order.shop_id]
            services.accept_order(merchant, oid)
            services.mark_order_ready(merchant, oid)
            services.complete_order(merchant, oid)
            journey.append(time.perf_counter() - t0)
        results["journey"] = {"journeys": len(journey), **_ms(journey)}

        db.session.rollback()
        results["orders_total"] = db.session.execute(select(func.count(Order.id))).scalar_one()
        results.update(stock_checks(args.stock))

    print(json.dumps(results, indent=2))
    os.makedirs(os.path.join(os.path.dirname(__file__), "results"), exist_ok=True)
    with open(os.path.join(os.path.dirname(__file__), "results", "orders.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
