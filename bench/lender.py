"""Lender console on a seeded demo town: early-warning lift, scan and page times.

    python -m bench.lender [--merchants 200 --residents 2000 --months 12 --seed 7]

Seeds a town into a temporary SQLite file, rescores it, then measures (1) whether the early-warning
rules flag the merchants who go on to fail more often than chance, at monthly past cut-offs, and
(2) how long a full scan and the portfolio figures take. Prints the figures and writes
bench/results/lender.json.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "lender.json")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=200)
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--suppliers", type=int, default=20)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from marketplace import create_app
    from marketplace.extensions import db

    folder = tempfile.mkdtemp(prefix="bench-lender-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/town.db", "SEARCH_DRAIN_AFTER_COMMIT": False})
    figures: dict = {"town": vars(args)}
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=[
            "demo", "seed", "--merchants", str(args.merchants), "--residents", str(args.residents),
            "--suppliers", str(args.suppliers), "--months", str(args.months), "--seed", str(args.seed), "--quiet"])
        if result.exit_code != 0:
            raise SystemExit(result.output)
        figures["seed_seconds"] = round(time.perf_counter() - started, 1)

        from financing.credit.services import rescore_all
        from financing.lender import early_warning, evaluation, portfolio

        started = time.perf_counter()
        rescore_all()
        db.session.commit()
        figures["rescore_seconds"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        scan = early_warning.scan()
        figures["scan_seconds"] = round(time.perf_counter() - started, 3)
        figures["scan"] = vars(scan)
        started = time.perf_counter()
        portfolio.summary(), portfolio.vintages(), portfolio.score_distribution()
        figures["portfolio_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        figures["early_warning"] = evaluation.evaluate()
        figures["evaluation_seconds"] = round(time.perf_counter() - started, 1)

    print(json.dumps(figures, indent=2))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w", encoding="utf-8") as fh:
        json.dump(figures, fh, indent=2)
    return figures


if __name__ == "__main__":
    main()
