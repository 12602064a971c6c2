"""Credit speed: one decision for a merchant with a year of history, re-scoring the whole town, a draw.

    .venv/bin/python -m bench.credit [--merchants 200] [--decisions 50] [--draws 30] [--database-url URL]

Seeds a demo town (the generator's defaults: a year of history) on a fresh SQLite file, or uses the
database named if it already holds a town; prints the figures and writes bench/results/credit.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time

from bench._common import database_server_cpu_seconds, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=200)
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--draws", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from sqlalchemy import select

    from financing.credit import lending, services
    from financing.credit.models import CreditOffer, OfferStatus
    from marketplace import create_app
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Shop
    from marketplace.demo.generator import TownSpec, seed_town, town_exists
    from marketplace.extensions import db

    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    results: dict = {"database": url.split(":")[0], "python": platform.python_version(),
                     "load_average": os.getloadavg()[0]}
    with app.app_context():
        db.create_all()
        if not town_exists():
            began = time.perf_counter()
            seed_town(TownSpec(merchants=args.merchants, suppliers=max(1, args.merchants // 10),
                               residents=args.residents), echo=lambda *_: None, show_progress=False)
            results["seed_seconds"] = round(time.perf_counter() - began, 1)
        if db.engine.dialect.name == "postgresql":
            # A running deployment has planner statistics (autovacuum); a freshly seeded database may not.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        shop_id = db.session.execute(select(Shop.id).join(User, Shop.owner_id == User.id)
                                     .where(User.email == "merchant@demo.local")).scalar()

        services.decide(shop_id)  # the first decision loads the model file and warms the statement cache
        db.session.rollback()
        timings, cpu = [], []
        server_before = database_server_cpu_seconds()
        for _ in range(args.decisions):
            began, began_cpu = time.perf_counter(), time.process_time()
            services.decide(shop_id)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
            db.session.rollback()
        # Wall time includes waiting for a core when other jobs share the machine; CPU time is this
        # process's own work (SQLite runs in-process, so it includes the queries on SQLite).
        results["decision_ms"] = {"p50": round(percentile(timings, 0.5), 1),
                                  "p95": round(percentile(timings, 0.95), 1), "n": len(timings),
                                  "cpu_p50": round(percentile(cpu, 0.5), 1), "cpu_p95": round(percentile(cpu, 0.95), 1)}
        server_after = database_server_cpu_seconds()
        if server_before is not None and server_after is not None:
            # The database server's own work, averaged (the kernel counts it in 10 ms ticks).
            results["decision_ms"]["server_cpu_mean"] = round((server_after - server_before) * 1000 / len(timings), 1)

        began = time.perf_counter()
        counts = services.rescore_all()
        seconds = time.perf_counter() - began
        results["rescore"] = {"shops": counts["shops"], "offers": counts["offers"], "seconds": round(seconds, 2),
                              "shops_per_second": round(counts["shops"] / seconds, 1)}

        offers = db.session.execute(select(CreditOffer).where(CreditOffer.status == OfferStatus.active)
                                    .limit(args.draws)).scalars().all()
        draws = []
        for offer in offers:
            owner = db.session.get(Shop, offer.shop_id).owner_id
            amount = offer.limit_amount // 2
            began = time.perf_counter()
            lending.draw(owner, amount, accept_terms=True, signature_name="Bench")
            draws.append((time.perf_counter() - began) * 1000)
        if draws:
            results["draw_ms"] = {"p50": round(percentile(draws, 0.5), 1), "p95": round(percentile(draws, 0.95), 1),
                                  "n": len(draws)}

    results["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(results, indent=1))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "credit.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
