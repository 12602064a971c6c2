"""Seed hooks: other areas add their part of the demo town after the base town is written.

An area registers a hook from its `init_app`:

    from marketplace.demo.hooks import register_seed_hook

    def post_ledger_entries(ctx):            # ctx is a SeedContext
        for chunk in ctx.progress(chunks, total=n, desc="ledger"):
            ...                              # write rows, chunk by chunk
            ctx.commit()

    register_seed_hook("ledger", post_ledger_entries, order=10)

`flask demo seed` calls every hook once, in ascending `order` (then registration order), after
shops, products, residents, orders, refunds and supplier purchases are committed. A hook takes
what it needs from the database (it can read every seeded order) plus the `SeedContext`: the
seed, the period covered, the sizes asked for, a per-hook random generator (so one hook drawing
more numbers never changes another hook's output), a progress bar and a chunked bulk insert
that uses PostgreSQL COPY where it pays. Hooks must keep memory bounded: at the seed's scale
there are millions of orders, so read them in chunks (`ctx.iter_chunks`), never all at once.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

SeedHook = Callable[["SeedContext"], Any]


@dataclass(frozen=True)
class _Registered:
    name: str
    fn: SeedHook
    order: int
    sequence: int


_hooks: dict[str, _Registered] = {}
_sequence = 0


def register_seed_hook(name: str, fn: SeedHook, *, order: int = 100) -> None:
    """Run `fn(ctx)` after the base demo town is written. Registering a name again replaces it.

    Replacing (rather than adding twice) matters because `init_app` runs once per app, and tests
    build many apps in one process. Lower `order` runs first: money posts the ledger before
    credit reads balances, for example.
    """
    global _sequence
    if not name or not callable(fn):
        raise ValueError("a seed hook needs a name and a callable")
    previous = _hooks.get(name)
    _sequence += 1
    _hooks[name] = _Registered(name, fn, order, previous.sequence if previous else _sequence)


def unregister_seed_hook(name: str) -> None:
    _hooks.pop(name, None)


def registered_seed_hooks() -> list[tuple[str, SeedHook]]:
    """The hooks in the order the seed calls them."""
    return [(h.name, h.fn) for h in sorted(_hooks.values(), key=lambda h: (h.order, h.sequence))]


@dataclass
class SeedContext:
    """What a seed hook gets: the town's parameters and helpers for writing big tables."""

    seed: int
    start: datetime  # first day of history (UTC)
    end: datetime  # the town's "now": no history after it
    months: int
    merchants: int
    suppliers: int
    residents: int
    echo: Callable[[str], None] = print
    show_progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)  # ids of the demo accounts, etc.

    def random(self, name: str) -> random.Random:
        """A generator seeded from the town's seed and the hook's name: stable per hook."""
        return random.Random((self.seed << 32) ^ zlib.crc32(name.encode()))

    def progress(self, iterable: Iterable, *, total: int | None = None, desc: str = "") -> Iterator:
        from .bulk import progress

        return progress(iterable, total=total, desc=desc, enabled=self.show_progress)

    def bulk_insert(self, table, rows: Iterable[dict], *, chunk_size: int = 5000) -> int:
        """Insert dict rows into a Table (or a model's `__table__`) in chunks; returns the count."""
        from .bulk import bulk_insert

        return bulk_insert(table, rows, chunk_size=chunk_size)

    def iter_chunks(self, statement, *, chunk_size: int = 5000) -> Iterator[list]:
        """Run a select and yield its rows in lists of at most chunk_size (server-side cursor)."""
        from .bulk import iter_chunks

        return iter_chunks(statement, chunk_size=chunk_size)

    def commit(self) -> None:
        from ..extensions import db

        db.session.commit()


def run_seed_hooks(ctx: SeedContext) -> list[str]:
    """Call every registered hook in order, committing after each. Returns the names run."""
    from ..extensions import db

    import time

    ran = []
    for name, fn in registered_seed_hooks():
        ctx.echo(f"Seeding: {name} ...")
        began = time.perf_counter()
        try:
            fn(ctx)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        ctx.echo(f"Seeded: {name} in {time.perf_counter() - began:.1f} s")
        ran.append(name)
    return ran
