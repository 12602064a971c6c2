"""Rebuilding the whole index: the reindex command, the demo seed hook and the benchmarks share this."""
from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..extensions import db
from .backend import get_backend
from .documents import all_shop_ids
from .models import SearchOutbox


def rebuild_index(*, show_progress: bool = False) -> int:
    """Index every shop and product; the outbox rows present when the rebuild started are then satisfied."""
    backend = get_backend()
    with Session(db.engine) as session:
        high_water = session.execute(db.select(db.func.max(SearchOutbox.id))).scalar() or 0
        bar = None
        if show_progress:
            from tqdm import tqdm

            bar = tqdm(total=len(all_shop_ids(session)), unit="shop", desc="reindex")
        try:
            count = backend.rebuild(session, progress=bar.update if bar else None)
        finally:
            if bar:
                bar.close()
        session.execute(delete(SearchOutbox).where(SearchOutbox.id <= high_water))
        session.commit()
    return count
