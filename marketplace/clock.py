"""The platform's clock: UTC now, which a replay of past days can set for the code it runs.

Every service reads the time through `utcnow()` (and models use it for their defaults), so a
job that replays history, like the demo town's years of credit, can run the real services
`as_of` a past moment and get rows, ledger entries and contracts dated then. Outside such a
block, `utcnow()` is the wall clock. The setting is per context (thread or task), never global.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Iterator

_replayed_now: ContextVar[datetime | None] = ContextVar("replayed_now", default=None)


def utcnow() -> datetime:
    return _replayed_now.get() or datetime.now(timezone.utc)


@contextmanager
def as_of(moment: datetime) -> Iterator[datetime]:
    """Run the block with `utcnow()` answering `moment` (a timezone-aware UTC time)."""
    if moment.tzinfo is None:
        raise ValueError("as_of needs a timezone-aware time")
    token = _replayed_now.set(moment.astimezone(timezone.utc))
    try:
        yield moment
    finally:
        _replayed_now.reset(token)
