"""Nearby search latency on a town of realistic size, on SQLite and PostgreSQL.

Builds a town with the demo generator's geography (one district at demo size, Taizhou's eight
districts at the seed's scale) and catalogue: shops along street grids, ten catalogue products
each, opening hours of three kinds. Indexes it with `rebuild_index` (timed), then runs resident
searches from random homes, in-process through the same service the API calls (query parsing,
backend, and the live details of each hit), and reports p50 / p95 / max per kind of search.

    python -m bench.search                                # demo size and the seed's scale, SQLite
    python -m bench.search --sizes demo --databases sqlite,postgresql
    python -m bench.search --sizes seed --databases postgresql --queries 300
    python -m bench.search --sizes district                # the seed's densest district: minutes, not an hour
    python -m bench.search --sizes seed --town ~/towns/seed.db      # build once, keep the file, search again later
    python -m bench.search --sizes seed --town ~/towns/seed.db --reindex   # same town, index rebuilt

`--town FILE` (SQLite) keeps the town in FILE: built and indexed there the first time, reused as it
is afterwards, so a change to the search code can be measured in a minute instead of ten. Add
`--reindex` after a change to the index itself: the search tables are dropped, created from the
current models and rebuilt from the kept shops and products.

The machine is shared: the load average at the start of each run is kept with its figures.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import tempfile
import time

from bench._common import percentile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results", "search.json")
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/marketplace_bench_search")
SIZES = {"demo": 200, "tenth": 15_000, "district": 30_000, "seed": 150_000}  # retail shops
PRODUCTS_PER_SHOP = 10
HOURS = (
    {d: [["07:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
)


def fresh_database(kind: str, workdir: str) -> str:
    if kind == "sqlite":
        return "sqlite:///" + os.path.join(workdir, "bench-search.db")
    base, name = PG_URL.rsplit("/", 1)
    subprocess.run(["psql", base + "/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", base + "/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return PG_URL


def town_grids(size: str):
    """The districts of a town of this size. "district" is the seed's densest district alone: the seed's
    crowding around a resident (what a nearby search costs) with a fifth of its rows, built in minutes."""
    from marketplace.demo.geography import grids_for

    return grids_for(SIZES["seed"])[:1] if size == "district" else grids_for(SIZES[size])


def build_town(merchants: int, grids, rng: random.Random):
    """Shops and products written in bulk (past the outbox, as the demo seed does)."""
    import numpy as np

    from marketplace.accounts.models import User
    from marketplace.catalog.models import Product, Shop
    from marketplace.demo.bulk import bulk_insert
    from marketplace.demo.catalogue import items_by_category
    from marketplace.demo.geography import district_shares, place_shop_fronts
    from marketplace.extensions import db
    from marketplace.ids import new_public_id
    from marketplace.statemachine import utcnow

    now = utcnow()
    np_rng = np.random.default_rng(rng.randrange(2**32))
    bulk_insert(User, [{"id": 1, "email": "owner@bench.test", "name": "Owner", "password_hash": "x",
                        "public_id": new_public_id("usr"), "created_at": now, "password_changed_at": now}])
    catalogue = items_by_category()
    categories = sorted(catalogue)
    shop_grid = district_shares(grids, merchants, np_rng)
    lat = np.zeros(merchants)
    lon = np.zeros(merchants)
    addresses = [""] * merchants
    for gi, grid in enumerate(grids):
        idx = np.flatnonzero(shop_grid == gi)
        _blocks, la, lo, addr = place_shop_fronts(grid, len(idx), np_rng)
        lat[idx], lon[idx] = la, lo
        for j, i in enumerate(idx.tolist()):
            addresses[i] = addr[j][1]

    def shops():
        for i in range(merchants):
            category = categories[i % len(categories)]
            yield {"id": i + 1, "owner_id": 1, "name": f"{catalogue[category][0].name_zh[:2]}{i}号店",
                   "kind": "retail", "category": category, "description": "", "address": addresses[i],
                   "latitude": float(lat[i]), "longitude": float(lon[i]), "currency": "CNY",
                   "delivery_enabled": rng.random() < 0.7, "delivery_radius_km": rng.choice((1.0, 2.0, 3.0)),
                   "delivery_fee_amount": 300, "minimum_order_amount": 2000, "pickup_enabled": True,
                   "opening_hours": rng.choices(HOURS, weights=(8, 1, 1))[0], "is_open": rng.random() < 0.97,
                   "public_id": new_public_id("shop"), "created_at": now}

    def products():
        pid = 0
        for i in range(merchants):
            items = rng.sample(catalogue[categories[i % len(categories)]], PRODUCTS_PER_SHOP)
            for item in items:
                pid += 1
                yield {"id": pid, "shop_id": i + 1, "sku": item.sku_prefix, "name": item.name_zh,
                       "name_en": item.name_en, "description": "", "category": item.category, "unit": item.unit_en,
                       "price_amount": item.retail_fen, "currency": "CNY", "stock_on_hand": rng.randrange(0, 50),
                       "low_stock_threshold": 0, "status": "active", "public_id": new_public_id("prd"),
                       "created_at": now, "updated_at": now}

    bulk_insert(Shop, shops())
    bulk_insert(Product, products())
    db.session.commit()


def query_mix(rng: random.Random, grids) -> list[tuple[str, dict]]:
    """(kind, build_query arguments) for one resident search each, from a random home in a district."""
    from marketplace.demo.catalogue import load_catalogue

    items = load_catalogue()
    weights = [g.district.weight for g in grids]
    kinds = ("words", "words_open_nearest", "category_nearest", "browse_nearest", "words_cheapest", "english_prefix")
    mix = []
    for n in range(len(kinds) * 1000):
        grid = rng.choices(grids, weights=weights)[0]
        lat = grid.lat0 + rng.random() * grid.rows * grid.dlat
        lon = grid.lon0 + rng.random() * grid.cols * grid.dlon
        item = rng.choice(items)
        chinese = item.name_zh.split()[0]
        start = rng.randrange(max(1, len(chinese) - 1))
        word = chinese[start:start + 2]
        kind = kinds[n % len(kinds)]
        args = {"lat": lat, "lon": lon}
        if kind == "words":
            args.update(q=word)
        elif kind == "words_open_nearest":
            args.update(q=word, open_now="1", sort="distance")
        elif kind == "category_nearest":
            args.update(category=item.category, sort="distance")
        elif kind == "browse_nearest":
            args.update(sort="distance")
        elif kind == "words_cheapest":
            args.update(q=word, sort="price", delivers="1")
        else:
            args.update(q=item.name_en.split()[0][:4].lower())
        mix.append((kind, args))
    return mix


def drop_search_tables() -> None:
    """The index's tables (and with them the full-text index), so create_all makes them from the current models."""
    from marketplace.extensions import db
    from marketplace.search.models import SearchDocument, SearchShopHours

    for table in (SearchDocument.__table__, SearchShopHours.__table__):
        table.drop(db.engine, checkfirst=True)


def run(size: str, kind: str, workdir: str, queries: int, seed: int, town: str | None = None,
        reindex: bool = False) -> dict:
    os.environ["SEARCH_INDEX_ON_COMMIT"] = "false"
    reuse = bool(town) and os.path.exists(town)
    building = None
    if town and not reuse:  # built under another name, so a run that fails half-way leaves no town to reuse
        building = os.path.abspath(town) + ".building"
        for leftover in (building, building + "-wal", building + "-shm"):
            if os.path.exists(leftover):
                os.remove(leftover)
    url = "sqlite:///" + (building or os.path.abspath(town)) if town else fresh_database(kind, workdir)
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.search import services
    from marketplace.search.indexing import rebuild_index

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_ON_COMMIT": False, "TESTING": True})
    rng = random.Random(seed)
    grids = town_grids(size)
    with app.app_context():
        town_seconds = index_seconds = None
        if reuse and reindex:
            drop_search_tables()
        db.create_all()
        if not reuse:
            began = time.perf_counter()
            build_town(SIZES[size], grids, rng)
            town_seconds = round(time.perf_counter() - began, 1)
        if not reuse or reindex:
            began = time.perf_counter()
            documents = rebuild_index(show_progress=False)
            index_seconds = round(time.perf_counter() - began, 1)
        else:
            documents = db.session.execute(db.text("SELECT COUNT(*) FROM search_documents")).scalar()
        if kind == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        # The searches have their own generator, so a kept town is searched exactly as a fresh one.
        queries_rng = random.Random(f"{seed}-queries")
        mix = query_mix(queries_rng, grids)
        queries_rng.shuffle(mix)
        load = os.getloadavg()[0]
        with app.test_request_context():
            for kind_name, args in mix[:50]:  # warm the caches
                services.search_nearby(services.build_query(**args))
            timings: dict[str, list[float]] = {}
            cpu: list[float] = []
            hits: dict[str, list[int]] = {}
            for kind_name, args in mix[50:50 + queries]:
                t0, c0 = time.perf_counter(), time.process_time()
                results = services.search_nearby(services.build_query(**args))
                timings.setdefault(kind_name, []).append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                hits.setdefault(kind_name, []).append(len(results.hits))
                db.session.remove()
        all_ms = [t for ts in timings.values() for t in ts]
        result = {
            "size": size, "database": kind, "shops": SIZES[size], "documents": documents,
            "town_seconds": town_seconds, "index_seconds": index_seconds, "kept_town": bool(town),
            "load_average_at_start": round(load, 2), "queries": len(all_ms),
            "all": {"p50_ms": round(percentile(all_ms, 0.50), 2), "p95_ms": round(percentile(all_ms, 0.95), 2),
                    "max_ms": round(max(all_ms), 2),
                    # this process's CPU per search: steadier than wall time on a shared machine
                    # (SQLite runs in-process, so it is all of the work there; PostgreSQL's server is not in it)
                    "cpu_p50_ms": round(percentile(cpu, 0.50), 2), "cpu_p95_ms": round(percentile(cpu, 0.95), 2)},
            "by_kind": {k: {"n": len(v), "p50_ms": round(percentile(v, 0.50), 2), "p95_ms": round(percentile(v, 0.95), 2),
                            "mean_hits": round(statistics.mean(hits[k]), 1)} for k, v in sorted(timings.items())},
        }
        db.session.remove()
        if building:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    if building:
        os.replace(building, town)
        for leftover in (building + "-wal", building + "-shm"):
            if os.path.exists(leftover):
                os.remove(leftover)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="demo,seed")
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--town", help="SQLite file to keep the town in (built the first time, then reused)")
    parser.add_argument("--reindex", action="store_true", help="with --town: rebuild the kept town's index")
    args = parser.parse_args()
    if args.town and (args.databases != "sqlite" or "," in args.sizes):
        parser.error("--town keeps one SQLite town: give one size and --databases sqlite")
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for size in args.sizes.split(","):
            for kind in args.databases.split(","):
                # One process per run keeps each app's engine and caches separate.
                out = subprocess.run(
                    [os.sys.executable, "-c", "import json,sys; from bench.search import run; "
                     f"print(json.dumps(run({size!r}, {kind!r}, {workdir!r}, {args.queries}, {args.seed}, "
                     f"{args.town!r}, {args.reindex!r})))"],
                    cwd=ROOT, capture_output=True, text=True)
                if out.returncode != 0:
                    print(out.stderr[-2000:])
                    raise SystemExit(f"{size}/{kind} failed")
                result = json.loads(out.stdout.strip().splitlines()[-1])
                results.append(result)
                a = result["all"]
                index = "kept" if result["index_seconds"] is None else f"{result['index_seconds']:.1f} s"
                print(f"{size:>5} {kind:<10} {result['documents']:>9} docs  index {index:>9}  "
                      f"p50 {a['p50_ms']:6.1f} ms  p95 {a['p95_ms']:6.1f} ms  max {a['max_ms']:6.1f} ms  "
                      f"cpu p50 {a['cpu_p50_ms']:5.1f} p95 {a['cpu_p95_ms']:5.1f} ms  "
                      f"(load {result['load_average_at_start']})")
                for k, v in result["by_kind"].items():
                    print(f"      {k:<20} p50 {v['p50_ms']:6.1f} ms  p95 {v['p95_ms']:6.1f} ms  hits {v['mean_hits']}")
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    earlier = []
    if os.path.exists(RESULTS):  # keep the runs of other sizes and databases
        with open(RESULTS) as f:
            earlier = json.load(f).get("runs", [])
    done = {(r["size"], r["database"]) for r in results}
    results = [r for r in earlier if (r["size"], r["database"]) not in done] + results
    with open(RESULTS, "w") as f:
        json.dump({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": results}, f, indent=2)
    print(f"wrote {os.path.relpath(RESULTS, ROOT)}")


if __name__ == "__main__":
    main()
