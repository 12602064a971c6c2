"""The demo seed's last step: index the town it just wrote (the seed writes in bulk, past the outbox)."""
from __future__ import annotations

from .indexing import rebuild_index

SEED_HOOK_ORDER = 900  # after every hook that may add shops or products


def build_search_index(ctx) -> int:
    count = rebuild_index(show_progress=ctx.show_progress)
    ctx.echo(f"Search index: {count} shops and products")
    return count


def register() -> None:
    try:
        from ..demo.hooks import register_seed_hook
    except ImportError:  # a build without the demo generator
        return
    register_seed_hook("search_index", build_search_index, order=SEED_HOOK_ORDER)
