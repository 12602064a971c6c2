"""Run every benchmark: each bench/<area>.py module that exposes main(), one after another.

    python -m bench.run_all                 # all of them (what `make bench` runs)
    python -m bench.run_all search orders   # only these
    python -m bench.run_all --list          # what would run

Each runs in its own process with its defaults, so one failing or leaking benchmark cannot spoil the
next; figures go to the terminal and bench/results/<area>.json, as each script writes them.
"""
from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
SKIP = {"__init__", "run_all"}


def has_main(path: str) -> bool:
    """True when the module defines a top-level main() (read without importing it)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    return any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)


def discover() -> list[str]:
    names = []
    for filename in sorted(os.listdir(BENCH_DIR)):
        name, ext = os.path.splitext(filename)
        if ext == ".py" and name not in SKIP and not name.startswith("_") and has_main(os.path.join(BENCH_DIR, filename)):
            names.append(name)
    return names


def run(name: str) -> tuple[int, float]:
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-c", f"import bench.{name} as b; b.main()"], cwd=ROOT)
    return code, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args(argv)

    found = discover()
    unknown = sorted(set(args.names) - set(found))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; there are: {', '.join(found) or 'none'}")
    chosen = args.names or found
    if args.list or not chosen:
        print("\n".join(found) if found else "No benchmarks in bench/ yet.")
        return 0

    outcomes = []
    for name in chosen:
        print(f"== bench/{name}.py", flush=True)
        code, seconds = run(name)
        outcomes.append((name, code, seconds))
    print("\n== summary")
    for name, code, seconds in outcomes:
        print(f"  {name:<24} {'ok' if code == 0 else f'FAILED (exit {code})':<18} {seconds:8.1f} s")
    return 1 if any(code for _, code, _ in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
