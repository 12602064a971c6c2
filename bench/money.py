"""Ledger speed: posting entries one by one, posting a demo town's history in bulk, reading a statement page.

    python -m bench.money                       # SQLite
    python -m bench.money --databases sqlite,postgresql

Card payments are left out on purpose: localstripe pickles its whole store after every POST, so
its cost per request grows with its state and would measure localstripe, not this code.
Prints the figures and writes bench/results/money.json. The machine is shared: the load average
at the start of each run is kept with its figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results", "money.json")
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/marketplace_bench_money")


def fresh_database(kind: str, workdir: str) -> str:
    if kind == "sqlite":
        return "sqlite:///" + os.path.join(workdir, "bench-money.db")
    base, name = PG_URL.rsplit("/", 1)
    subprocess.run(["psql", base + "/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", base + "/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return PG_URL


def measure(kind: str, entries: int, merchants: int, months: int) -> dict:
    from marketplace import create_app
    from marketplace.extensions import db

    with tempfile.TemporaryDirectory() as workdir:
        app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database(kind, workdir), "TESTING": True})
        with app.app_context():
            db.create_all()
            figures = {"database": kind, "load_average": os.getloadavg()[0]}
            figures.update(_bulk_demo_history(merchants, months))
            figures.update(_single_entries(entries))
            figures.update(_statement_pages())
            from financing.ledger.reconcile import check_books

            figures["reconcile_problems"] = len(check_books())
            db.session.remove()
            db.engine.dispose()
    return figures


def _bulk_demo_history(merchants: int, months: int) -> dict:
    from sqlalchemy import func, select

    from financing.ledger.demo import post_demo_ledger
    from financing.ledger.models import JournalEntry
    from marketplace.demo import hooks
    from marketplace.demo.generator import TownSpec, seed_town
    from marketplace.extensions import db

    saved = dict(hooks._hooks)
    hooks._hooks.clear()  # the town alone; the ledger hook is timed by itself below
    try:
        summary = seed_town(TownSpec(merchants=merchants, suppliers=max(2, merchants // 8), residents=merchants * 8,
                                     months=months, seed=7, end=date(2026, 11, 1)),
                            echo=lambda _m: None, show_progress=False)
    finally:
        hooks._hooks.update(saved)
    ctx = hooks.SeedContext(seed=7, start=summary.start, end=summary.end, months=months, merchants=merchants,
                            suppliers=2, residents=0, echo=lambda _m: None, show_progress=False)
    began = time.perf_counter()
    orders = post_demo_ledger(ctx)
    db.session.commit()
    took = time.perf_counter() - began
    entries = db.session.execute(select(func.count(JournalEntry.id))).scalar()
    return {"bulk_orders": orders, "bulk_entries": entries, "bulk_seconds": round(took, 2),
            "bulk_entries_per_second": round(entries / took)}


def _single_entries(count: int) -> dict:
    from sqlalchemy import select

    from financing.ledger.posting import credit, debit, post_entry
    from marketplace.catalog.models import Shop
    from marketplace.extensions import db
    from marketplace.money import Money

    shops = list(db.session.execute(select(Shop.id).limit(50)).scalars())
    began = time.perf_counter()
    for i in range(count):
        amount = Money(100 + i % 900, "CNY")
        post_entry("adjustment", [debit("platform_clearing", amount), credit("merchant_pending", amount, shops[i % len(shops)])],
                   shop_id=shops[i % len(shops)])
        db.session.commit()  # one transaction per entry, as a request would
    took = time.perf_counter() - began
    return {"single_entries": count, "single_entries_per_second": round(count / took),
            "single_entry_ms": round(1000 * took / count, 2)}


def _statement_pages(pages: int = 50) -> dict:
    from sqlalchemy import func, select

    from financing.ledger.models import JournalEntry
    from financing.ledger.statements import statement
    from marketplace.extensions import db

    shop_id, n = db.session.execute(select(JournalEntry.shop_id, func.count(JournalEntry.id))
                                    .where(JournalEntry.shop_id.is_not(None)).group_by(JournalEntry.shop_id)
                                    .order_by(func.count(JournalEntry.id).desc()).limit(1)).one()
    timings = []
    for _ in range(pages):
        began = time.perf_counter()
        lines = statement(shop_id, "CNY", limit=50)
        timings.append(1000 * (time.perf_counter() - began))
        assert lines
    return {"statement_shop_entries": n, "statement_page_ms_p50": round(statistics.median(timings), 1),
            "statement_page_ms_max": round(max(timings), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--merchants", type=int, default=60)
    parser.add_argument("--months", type=int, default=6)
    args = parser.parse_args(argv)
    results = []
    for kind in args.databases.split(","):
        figures = measure(kind.strip(), args.entries, args.merchants, args.months)
        results.append(figures)
        print(json.dumps(figures))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as out:
        json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
