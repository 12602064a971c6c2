"""Purchasing speed: supplier search, a whole purchase order's journey, and a one-click reorder.

    .venv/bin/python -m bench.purchasing [--suppliers 500] [--journeys 200] [--database-url URL]

Builds its own town on a fresh SQLite file (or the database named, which it empties), prints the
figures and writes them to bench/results/purchasing.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time

from bench._common import add_user, percentile
from marketplace.schema import recreate_all_tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=500)
    parser.add_argument("--products-per-supplier", type=int, default=40)
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from sqlalchemy import text

    from marketplace import create_app
    from marketplace.accounts.models import Role
    from marketplace.catalog.models import Product, Shop, ShopKind, StockMovement, StockReason
    from marketplace.extensions import db
    from merchants.purchasing import services

    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    rng = random.Random(6)
    results: dict = {"database": url.split(":")[0], "python": platform.python_version()}
    with app.app_context():
        recreate_all_tables()

        centre = (28.656, 121.421)
        suppliers, supplier_products = [], []
        for j in range(args.suppliers):
            owner = add_user(f"s{j}@bench.test", Role.supplier)
            db.session.flush()
            shop = Shop(owner_id=owner.id, name=f"Wholesale {j}", kind=ShopKind.supplier,
                        category=rng.choice(["grocery", "tea", "hardware", "stationery", "fruit"]),
                        latitude=centre[0] + rng.uniform(-0.3, 0.3), longitude=centre[1] + rng.uniform(-0.3, 0.3))
            db.session.add(shop)
            db.session.flush()
            suppliers.append(shop)
            for k in range(args.products_per_supplier):
                p = Product(shop_id=shop.id, sku=f"W{j}-{k}", name=f"Item {k} of {j}", category=shop.category,
                            price_amount=rng.randint(500, 20000), currency="CNY", stock_on_hand=1_000_000)
                db.session.add(p)
                supplier_products.append(p)
        db.session.flush()
        db.session.add_all(StockMovement(product_id=p.id, quantity=1_000_000, balance_after=1_000_000,
                                         reason=StockReason.initial) for p in supplier_products)
        merchant = add_user("m@bench.test", Role.merchant)
        db.session.flush()
        shop = Shop(owner_id=merchant.id, name="Bench grocery", category="grocery", latitude=centre[0],
                    longitude=centre[1])
        db.session.add(shop)
        db.session.commit()
        merchant_id = merchant.id
        supplier_rows = [(s.id, s.owner_id) for s in suppliers]
        products_by_supplier: dict[int, list[int]] = {}
        for p in supplier_products:
            products_by_supplier.setdefault(p.shop_id, []).append(p.id)
        shop_id = shop.id
        # Start measuring with an empty session, as a web request would.
        del suppliers, supplier_products, shop, merchant
        db.session.expunge_all()

        # 1. Finding suppliers around the shop.
        samples = []
        for i in range(args.searches):
            words = rng.choice(["", "", "Item 3", "Wholesale 1"])
            started = time.perf_counter()
            services.find_suppliers(centre[0], centre[1], radius_km=rng.choice([5, 15, 30]), words=words)
            samples.append((time.perf_counter() - started) * 1000)
        results["find_suppliers_ms"] = {"p50": round(percentile(samples, 0.5), 2),
                                        "p95": round(percentile(samples, 0.95), 2),
                                        "suppliers": args.suppliers,
                                        "products": sum(len(v) for v in products_by_supplier.values())}

        # 2. A purchase order's whole journey: draft, submit, confirm, ship, receive in two parts.
        step_times: dict[str, list[float]] = {k: [] for k in ("create", "submit", "confirm", "ship", "receive")}
        started_all = time.perf_counter()
        for i in range(args.journeys):
            supplier_id, seller_id = rng.choice(supplier_rows)
            lines = [(pid, rng.randint(5, 40)) for pid in rng.sample(products_by_supplier[supplier_id], 5)]
            t = time.perf_counter()
            order = services.create_purchase_order(merchant_id, supplier_id, lines)
            step_times["create"].append(time.perf_counter() - t)
            for step, call in (("submit", lambda: services.submit_purchase_order(merchant_id, order.id)),
                               ("confirm", lambda: services.confirm_purchase_order(seller_id, order.id)),
                               ("ship", lambda: services.ship_purchase_order(seller_id, order.id))):
                t = time.perf_counter()
                call()
                step_times[step].append(time.perf_counter() - t)
            t = time.perf_counter()
            first = order.lines[0]
            services.receive_purchase_order(merchant_id, order.id, [{"line": first.id, "quantity": 1}])
            services.receive_purchase_order(merchant_id, order.id)
            step_times["receive"].append((time.perf_counter() - t) / 2)
        elapsed = time.perf_counter() - started_all
        results["journey"] = {
            "journeys": args.journeys, "lines_per_order": 5,
            "journeys_per_second": round(args.journeys / elapsed, 1),
            "median_step_ms": {k: round(statistics.median(v) * 1000, 2) for k, v in step_times.items()},
        }

        # 3. One click: reorder every low product of the shop (it has 5 x journeys products by now).
        db.session.execute(text("UPDATE products SET low_stock_threshold = stock_on_hand + 1 WHERE shop_id = :s"),
                           {"s": shop_id})
        db.session.commit()
        t = time.perf_counter()
        result = services.reorder_low_stock(merchant_id)
        results["reorder"] = {"low_products": sum(len(o.lines) for o in result.orders),
                              "draft_orders": len(result.orders),
                              "ms": round((time.perf_counter() - t) * 1000, 1)}

    print(json.dumps(results, indent=2))
    out = os.path.join(os.path.dirname(__file__), "results", "purchasing.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
