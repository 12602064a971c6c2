"""Pages under load: the storefront and the merchant dashboard, against a bare Flask "hello" ceiling.

Seeds a demo town (or uses `--database`), serves it with gunicorn on the project's own settings
(gunicorn.conf.py), and loads it from a separate process with wrk (Debian package `wrk`); then
serves a bare Flask app that answers "hello" on the same settings and loads it the same way in the
same run. The ratio of each page's throughput to the ceiling is the figure to watch (target: the
storefront at least a third of it).

    python -m bench.pages                                  # SQLite, a fresh small town
    python -m bench.pages --databases sqlite,postgresql    # both
    python -m bench.pages --towns small,tenth              # also a town a tenth of the seed platform's size
    python -m bench.pages --database sqlite:////path/to/demo.db   # an already seeded town
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results", "pages.json")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/marketplace_bench_pages")
TOWNS = {
    "small": ["--merchants", "60", "--suppliers", "6", "--residents", "600", "--months", "3", "--seed", "7"],
    # a tenth of the seed platform: 15,000 merchants, a year of orders (bench.demo_seed's "tenth")
    "tenth": ["--merchants", "15000", "--suppliers", "1500", "--residents", "30000", "--months", "12",
              "--orders-per-resident", "0.33", "--seed", "7"],
}
MERCHANT = ("merchant@demo.local", "demo1234")
RESIDENT = ("resident@demo.local", "demo1234")
STOREFRONT, STOREFRONT_RESIDENT, DASHBOARD = "storefront", "storefront, resident logged in", "merchant dashboard"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(args: list[str], env: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(kind: str, workdir: str, town: str) -> str:
    """A fresh database with a demo town of that size in it."""
    if kind == "sqlite":
        url = f"sqlite:///{os.path.join(workdir, 'pages.db')}"
    else:
        import sqlalchemy

        url = PG_URL
        from marketplace.config import normalise_database_url

        admin = sqlalchemy.create_engine(normalise_database_url(url.rsplit("/", 1)[0] + "/postgres"),
                                         isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    env = {**os.environ, "DATABASE_URL": url}
    flask(["db", "upgrade"], env)
    flask(["demo", "seed", "--quiet", *TOWNS[town]], env)
    return url


class Server:
    """gunicorn with the project's settings, on a free loopback port, access log off."""

    def __init__(self, app: str, env: dict):
        self.port = free_port()
        self.env = {**os.environ, **env, "PORT": str(self.port), "GUNICORN_ACCESS_LOG": "/dev/null",
                    "GUNICORN_LOG_LEVEL": "warning"}
        self.app = app
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", self.app],
                                     cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn for {self.app} did not start")

    def __exit__(self, *exc):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn and its workers (user and system), read from /proc; workers
        that gunicorn has already replaced count through the master's reaped-children times."""
        tick, total = os.sysconf("SC_CLK_TCK"), 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry) == self.proc.pid:
                total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
            elif int(fields[1]) == self.proc.pid:  # a live worker (fields[1]: its parent)
                total += int(fields[11]) + int(fields[12])
        return total / tick


def storefront_path(database_url: str) -> str:
    """The demo merchant's shop page."""
    import sqlalchemy

    from marketplace.config import normalise_database_url

    engine = sqlalchemy.create_engine(normalise_database_url(database_url))
    with engine.connect() as conn:
        public_id = conn.execute(sqlalchemy.text(
            "SELECT shops.public_id FROM shops JOIN users ON users.id = shops.owner_id "
            "WHERE users.email = :email ORDER BY shops.id LIMIT 1"), {"email": MERCHANT[0]}).scalar_one()
    engine.dispose()
    return f"/shops/{public_id}"


def logged_in_session(server: Server, account: tuple[str, str], page: str) -> str:
    """Log a demo account in through the page; returns its session cookie."""
    import requests

    http = requests.Session()
    form = http.get(server.url("/account/login")).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    resp = http.post(server.url("/account/login"), allow_redirects=False,
                     data={"csrf_token": token, "email": account[0], "password": account[1]})
    if resp.status_code != 302:
        raise RuntimeError(f"{account[0]} could not log in ({resp.status_code})")
    if http.get(server.url(page), allow_redirects=False).status_code != 200:
        raise RuntimeError(f"{page} did not answer {account[0]}")
    return f"session={http.cookies['session']}"


def cpu_per_view(database_url: str, storefront: str, views: int = 30) -> dict:
    """CPU milliseconds one view costs inside the app (test client, no HTTP server): where the time goes."""
    from marketplace import create_app
    from marketplace.config import normalise_database_url

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url)})  # as served: CSRF on
    visitor, resident, merchant = app.test_client(), app.test_client(), app.test_client()
    for client, (email, password) in ((resident, RESIDENT), (merchant, MERCHANT)):
        form = client.get("/account/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        client.post("/account/login", data={"csrf_token": token, "email": email, "password": password})
    cost = {}
    for name, client, path in ((STOREFRONT, visitor, storefront), (STOREFRONT_RESIDENT, resident, storefront),
                               (DASHBOARD, merchant, "/merchant/")):
        client.get(path)
        began = time.process_time()
        for _ in range(views):
            assert client.get(path).status_code == 200
        cost[name] = round((time.process_time() - began) / views * 1000, 1)
    with app.app_context():
        from marketplace.extensions import db

        db.engine.dispose()  # no connection left open on a database the next run drops
    return cost


WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_COUNT = re.compile(r"(\d+) requests in")
WRK_PCT = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def load(server: Server, path: str, *, seconds: int, connections: int, cookie: str | None = None) -> dict:
    """One wrk run: requests a second, latency percentiles (ms) and the server's CPU per request;
    refuses a run with errors."""
    url, cpu_before = server.url(path), server.cpu_seconds()
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"{url} answered with errors under load:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    pct = {f"p{p}_ms": round(float(v) * scale[u], 1) for p, v, u in WRK_PCT.findall(out)}
    served = int(WRK_COUNT.search(out).group(1))
    return {"requests_per_s": float(WRK_LINE.search(out).group(1)), **pct,
            "server_cpu_ms_per_request": round((server.cpu_seconds() - cpu_before) / max(served, 1) * 1000, 2)}


def run(kind: str, database: str | None, seconds: int, connections: int, town: str) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        url = database or prepare(kind, workdir, town)
        load_avg = os.getloadavg()[0]
        with Server("wsgi:app", {"DATABASE_URL": url}) as site:
            storefront = storefront_path(url)
            resident = logged_in_session(site, RESIDENT, storefront)
            merchant = logged_in_session(site, MERCHANT, "/merchant/")
            load(site, storefront, seconds=2, connections=connections)  # warm every worker
            pages = {
                STOREFRONT: load(site, storefront, seconds=seconds, connections=connections),
                STOREFRONT_RESIDENT: load(site, storefront, seconds=seconds, connections=connections,
                                          cookie=resident),
                DASHBOARD: load(site, "/merchant/", seconds=seconds, connections=connections, cookie=merchant),
            }
        with Server("bench.hello_app:app", {}) as hello:
            load(hello, "/", seconds=2, connections=connections)
            ceiling = load(hello, "/", seconds=seconds, connections=connections)
        cpu = cpu_per_view(url, storefront)
    for name, figures in pages.items():
        figures["share_of_ceiling"] = round(figures["requests_per_s"] / ceiling["requests_per_s"], 3)
        figures["cpu_share_of_ceiling"] = round(
            ceiling["server_cpu_ms_per_request"] / figures["server_cpu_ms_per_request"], 3)
        figures["cpu_ms_per_view"] = cpu[name]
    return {"database": kind, "town": town if not database else "given", "pages": pages, "hello_ceiling": ceiling,
            "load_average_at_start": round(load_avg, 1)}


def write_doc(runs: list[dict], settings: dict) -> None:
    rows = []
    for r in runs:
        c = r["hello_ceiling"]
        for name, f in r["pages"].items():
            rows.append(f"| {name} | {r['town']} | {r['database']} | {f['requests_per_s']:,.0f} | {f.get('p50_ms', '-')} | "
                        f"{f.get('p99_ms', '-')} | {f['share_of_ceiling']:.0%} | {f['server_cpu_ms_per_request']} | "
                        f"{f['cpu_share_of_ceiling']:.0%} | {f['cpu_ms_per_view']} | {r['load_average_at_start']} |")
        rows.append(f"| bare Flask \"hello\" (ceiling) | - | - | {c['requests_per_s']:,.0f} | {c.get('p50_ms', '-')} | "
                    f"{c.get('p99_ms', '-')} | 100% | {c['server_cpu_ms_per_request']} | 100% | | |")
    storefront = min(r["pages"][STOREFRONT]["share_of_ceiling"] for r in runs)
    verdict = ("met" if storefront >= 1 / 3 else "**not met**")
    section = f"""## Pages under load

`python -m bench.pages --towns {','.join(settings['towns'])} --databases sqlite,postgresql` ({settings['when']};
raw figures in `bench/results/pages.json`). Demo towns (`flask demo seed` with, for "small",
`{' '.join(TOWNS['small'])}`; for "tenth", a tenth of the seed platform:
`{' '.join(TOWNS['tenth'])}`) served by gunicorn with the project's `gunicorn.conf.py`
({settings['workers']} sync workers on this 2-core machine, access log off), loaded by wrk from a
separate process (2 threads, {settings['connections']} connections, {settings['seconds']} s a page after a
warm-up); in the same run, a bare Flask app answering "hello" on the same settings gives the
ceiling. The storefront is the demo merchant's shop page as a first-time visitor sees it (wrk sends
no cookie, so every request is a new visitor); the same page for the demo resident, logged in;
the dashboard is that merchant's own, logged in. wrk shares the two cores with the server,
and the machine was shared with other work (load average at the start in the table), so the
shares are the figures to compare, not the absolute rates. "Server CPU" is the CPU time gunicorn and
its workers spent per request during the run (from /proc), and its share is the ceiling's CPU per
request over the page's: the steadier figure when the machine is busy.

| page | town | database | requests/s | p50 ms | p99 ms | of the ceiling | server CPU ms a request | CPU share | CPU ms a view in-process | load |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}

Target: storefront throughput at least a third of the bare-Flask ceiling: {verdict} (lowest share
{storefront:.0%}).

"CPU ms a view in-process" is what one view costs inside the app, measured with the test client
after the load (no HTTP server; on PostgreSQL the database server's share is not in it).

A visitor's storefront is served whole from the page cache (`marketplace/pagecache.py`): it is
rendered once per shop, language and *stamp* (one query: the shop's row, its products' newest
change, how many are on sale, its reviews' count and newest, and whether it is open now), and the
stamp is read again at most once a second per worker. The page holds nothing personal (no CSRF
token: the only form on it is the language switch, which keeps its choice in a cookie of its own),
so a visitor gets no session cookie either. A logged-in resident's page is rendered for them every
time (their cart, their add buttons), as is the dashboard; those two are not held to the target.
The dashboard gathers ten panels from five areas (sales, stock, orders, money, credit,
purchasing, alerts), each with its own queries: one query per panel instead of several, and the
credit panel reusing the offer's stored disclosure, are the ways to make it cheaper.
"""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    start = text.index("## Pages under load")
    end = text.find("\n## ", start + 1)
    text = text[:start] + section + (text[end:] if end != -1 else "")
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--towns", default="small", help="comma-separated: " + ", ".join(TOWNS))
    parser.add_argument("--database", help="an already seeded database URL (one run, no seeding)")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-doc", action="store_true", help="print and save figures, leave the docs alone")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("bench.pages needs wrk, the HTTP load generator: apt-get install wrk")
    kinds = ["postgresql" if args.database.startswith("postgres") else "sqlite"] if args.database else \
        [k.strip() for k in args.databases.split(",") if k.strip()]
    towns = ["given"] if args.database else [t.strip() for t in args.towns.split(",") if t.strip()]
    runs = []
    for town, kind in ((t, k) for t in towns for k in kinds):
        result = run(kind, args.database, args.seconds, args.connections, town)
        runs.append(result)
        for name, f in result["pages"].items():
            print(f"{town:6} {kind:10} {name:32} {f['requests_per_s']:6.0f} req/s  p50 {f.get('p50_ms')} ms  "
                  f"p99 {f.get('p99_ms')} ms  {f['share_of_ceiling']:.0%} of the ceiling  "
                  f"server CPU {f['server_cpu_ms_per_request']} ms a request ({f['cpu_share_of_ceiling']:.0%})")
        c = result["hello_ceiling"]
        print(f"{town:6} {kind:10} {'hello ceiling':32} {c['requests_per_s']:6.0f} req/s  "
              f"server CPU {c['server_cpu_ms_per_request']} ms a request")
    import multiprocessing

    settings = {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "seconds": args.seconds, "towns": towns,
                "connections": args.connections,
                "workers": int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)}
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w", encoding="utf-8") as f:
        json.dump({"settings": settings, "runs": runs}, f, indent=2)
    if not args.no_doc:
        write_doc(runs, settings)


if __name__ == "__main__":
    main()
