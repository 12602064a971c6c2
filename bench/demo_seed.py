"""How long `flask demo seed` takes and how much memory it holds, on SQLite and PostgreSQL.

Each run seeds a fresh database in a child process (so peak memory is the seed's own) and records
wall time, CPU time, peak resident memory and rows written. The machine is shared: the load average
at the start of each run is kept with its figures, and CPU time is the steadier number.

    python -m bench.demo_seed                 # demo size and a tenth of the seed's scale, both databases
    python -m bench.demo_seed --sizes seed --databases sqlite   # the seed's whole scale
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results", "demo_seed.json")
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/marketplace_bench_demo")

SIZES = {
    # name: merchants, suppliers, residents, months, orders per resident per month
    "demo": (200, 20, 2000, 12, 2.0),
    "tenth": (15_000, 1_500, 30_000, 12, 0.33),
    "seed": (150_000, 15_000, 300_000, 12, 0.33),  # 100,000 orders a month, as the seed platform
}


def flask(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)


def fresh_database(kind: str, workdir: str) -> str:
    if kind == "sqlite":
        return "sqlite:///" + os.path.join(workdir, "bench-demo.db")
    base = PG_URL.rsplit("/", 1)[0] + "/postgres"
    name = PG_URL.rsplit("/", 1)[1]
    subprocess.run(["psql", base, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", base, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return PG_URL


def run(size: str, kind: str, workdir: str) -> dict:
    merchants, suppliers, residents, months, per_resident = SIZES[size]
    url = fresh_database(kind, workdir)
    env = {**os.environ, "DATABASE_URL": url}
    flask(["db", "upgrade"], env)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = flask(["demo", "seed", "--merchants", str(merchants), "--suppliers", str(suppliers),
                  "--residents", str(residents), "--months", str(months), "--orders-per-resident",
                  str(per_resident), "--end", "2026-11-29", "--quiet"], env)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = {m.group(1): int(m.group(2).replace(",", ""))
            for m in re.finditer(r"^\s+([a-z_]+)\s+([\d,]+)$", proc.stdout, re.M)}
    stages = {m.group(1): float(m.group(2))
              for m in re.finditer(r"^(?:Stage|Seeded): (.+?) in ([\d.]+) s$", proc.stdout, re.M)}
    db_bytes = None
    if kind == "sqlite":
        path = url[len("sqlite:///"):]
        db_bytes = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    return {
        "size": size, "database": kind, "merchants": merchants, "suppliers": suppliers, "residents": residents,
        "months": months, "orders_per_resident_month": per_resident, "wall_seconds": round(wall, 1),
        "cpu_seconds": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        # ru_maxrss of children is the largest child so far: runs go smallest first, so it is this run's.
        "peak_rss_mb": round(after.ru_maxrss / 1024, 1), "load_average_at_start": round(load, 2),
        "stages_seconds": stages, "rows": rows, "rows_total": sum(rows.values()), "database_bytes": db_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,tenth")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    if os.path.exists(RESULTS):
        with open(RESULTS) as fh:
            results = json.load(fh).get("runs", [])
    with tempfile.TemporaryDirectory() as workdir:
        for size in args.sizes.split(","):
            for kind in args.databases.split(","):
                print(f"seeding {size} on {kind} ...", flush=True)
                result = run(size, kind, workdir)
                results = [r for r in results if (r["size"], r["database"]) != (size, kind)] + [result]
                print(f"  {result['rows'].get('orders', 0):,} orders, {result['rows_total']:,} rows in "
                      f"{result['wall_seconds']} s wall, {result['cpu_seconds']} s CPU, "
                      f"peak {result['peak_rss_mb']} MB (load {result['load_average_at_start']})", flush=True)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as fh:
        json.dump({"runs": results}, fh, indent=2)
    print("\n| size | database | merchants / residents | orders | rows | wall s | CPU s | peak MB |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['size']} | {r['database']} | {r['merchants']:,} / {r['residents']:,} | "
              f"{r['rows'].get('orders', 0):,} | {r['rows_total']:,} | {r['wall_seconds']} | {r['cpu_seconds']} | "
              f"{r['peak_rss_mb']} |")


if __name__ == "__main__":
    main()
