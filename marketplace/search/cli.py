"""`flask search reindex`, `flask search drain-outbox` and `flask search status`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Build and feed the search index.")


@search_cli.command("reindex")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def reindex(quiet: bool) -> None:
    """Rebuild the whole index from the database; searches keep working meanwhile."""
    from .indexing import rebuild_index

    count = rebuild_index(show_progress=not quiet)
    click.echo(f"Indexed {count} documents with the {current_app.extensions['search_backend'].name} backend.")


@search_cli.command("drain-outbox")
def drain() -> None:
    """Send pending catalog changes to the index (after an index outage, or from cron)."""
    from .errors import SearchUnavailable
    from .outbox import drain_outbox, pending_count

    try:
        applied = drain_outbox()
    except SearchUnavailable as exc:
        raise click.ClickException(f"{exc.message} {pending_count()} changes wait in the outbox.") from None
    click.echo(f"Applied {applied} pending changes; {pending_count()} left.")


@search_cli.command("status")
def status() -> None:
    """Which backend is in use and how many changes wait in the outbox."""
    from .backend import get_backend
    from .outbox import pending_count

    click.echo(f"backend: {get_backend().name}")
    click.echo(f"outbox: {pending_count()} pending")
