"""The search outbox: catalog changes are written down in their own transaction and reach the index after commit.

A flush that inserts, changes or deletes a shop or product adds an outbox row in the same
transaction, so no committed change can be forgotten. After the commit the outbox is drained into
the backend; if the backend is down the rows stay, and the next commit, `flask search drain-outbox`
or a restart catches up. Documents are rebuilt from the database as it is when drained, so
draining twice, or out of order, converges on the same index.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from ..catalog.models import Product, Shop
from ..extensions import db
from ..statemachine import utcnow
from .backend import get_backend
from .models import SearchOutbox

log = logging.getLogger(__name__)

# Columns whose change does not alter what search shows (stock and timestamps are read live).
_IGNORED = {"stock_on_hand", "low_stock_threshold", "updated_at", "created_at", "photo_path", "logo_path"}
_PENDING = "search_outbox_pending"
DRAIN_BATCH = 500


def _changed(obj) -> bool:
    """Whether a loaded row changed in a way search sees. Money composites are read through their
    columns (price_amount, currency): a composite's own history says nothing reliable."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in _IGNORED:
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


def _entity(obj) -> str | None:
    if isinstance(obj, Shop):
        return "shop"
    if isinstance(obj, Product):
        return "product"
    return None


def _after_flush(session: Session, _flush_context) -> None:
    rows = set()
    for obj in list(session.new) + list(session.deleted):
        entity = _entity(obj)
        if entity and obj.id is not None:
            rows.add((entity, obj.id))
    for obj in session.dirty:
        entity = _entity(obj)
        if entity and obj.id is not None and _changed(obj):
            rows.add((entity, obj.id))
    if rows:
        # Core insert on the flush's own connection: part of the same transaction, no re-entrant flush.
        session.connection().execute(insert(SearchOutbox.__table__), [
            {"entity": e, "entity_id": i, "attempts": 0, "created_at": utcnow()} for e, i in sorted(rows)])
        session.info[_PENDING] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(_PENDING, False):
        return
    if not has_app_context() or not current_app.config.get("SEARCH_INDEX_ON_COMMIT", True):
        return
    try:
        drain_outbox()
    except Exception:  # the change is committed and its outbox row kept: never fail the user's action
        log.exception("search outbox drain failed; rows kept for the next drain")


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def listen(session_class=Session) -> None:
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def enqueue(session: Session, *, shop_ids=(), product_ids=()) -> None:
    """Mark shops and products stale by hand, for changes made without the ORM (bulk updates)."""
    rows = [{"entity": "shop", "entity_id": i, "attempts": 0, "created_at": utcnow()} for i in set(shop_ids)]
    rows += [{"entity": "product", "entity_id": i, "attempts": 0, "created_at": utcnow()} for i in set(product_ids)]
    if rows:
        session.execute(insert(SearchOutbox), rows)
        session.info[_PENDING] = True


def drain_outbox(*, max_batches: int | None = None) -> int:
    """Apply pending outbox rows to the backend in batches, each in its own transaction; returns rows applied.

    Raises what the backend raises after recording the failure on the batch's rows, which stay.
    """
    backend = get_backend()
    applied = batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        with Session(db.engine) as session:
            rows = session.execute(
                select(SearchOutbox.id, SearchOutbox.entity, SearchOutbox.entity_id)
                .order_by(SearchOutbox.id).limit(DRAIN_BATCH)).all()
            if not rows:
                break
            ids = [r.id for r in rows]
            shop_ids = {r.entity_id for r in rows if r.entity == "shop"}
            product_ids = {r.entity_id for r in rows if r.entity == "product"}
            try:
                backend.apply_changes(session, shop_ids, product_ids)
                session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(ids)))
                session.commit()
            except Exception as exc:
                session.rollback()
                _record_failure(ids, exc)
                raise
            applied += len(ids)
    return applied


def _record_failure(ids: list[int], exc: Exception) -> None:
    with Session(db.engine) as session:
        session.execute(update(SearchOutbox).where(SearchOutbox.id.in_(ids)).values(
            attempts=SearchOutbox.attempts + 1, last_error=str(exc)[:500]))
        session.commit()


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.execute(select(func.count()).select_from(SearchOutbox)).scalar_one()


def _has_uncommitted_writes(session: Session) -> bool:
    """Whether the session's open transaction has written anything (reads alone do not count)."""
    if not session.in_transaction():
        return False
    if session.new or session.dirty or session.deleted or session.info.get(_PENDING):
        return True
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # pysqlite opens a transaction only before a write statement.
        return bool(connection.connection.dbapi_connection.in_transaction)
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql("SELECT txid_current_if_assigned()").scalar() is not None
    return True


def on_catalog_changed(_sender, *, shop_id: int | None = None, product_ids=(), **_kw) -> None:
    """Receiver of marketplace.signals.catalog_changed, for changes the ORM events cannot see.

    Named products are reindexed; the whole shop only when no product is named. Sent inside an
    open transaction, the outbox rows join it (and are drained after its commit); sent after a
    commit, they are written and drained at once.
    """
    product_ids = [int(i) for i in (product_ids or ())]
    shop_ids = [] if product_ids or not shop_id else [int(shop_id)]
    if not (product_ids or shop_ids):
        return
    current = db.session()  # the request's session, not the scoped proxy
    if _has_uncommitted_writes(current):
        # Join it: the rows commit with the change they describe, and a second connection writing
        # now would wait on this transaction's lock (SQLite).
        enqueue(current, shop_ids=shop_ids, product_ids=product_ids)
        return
    with Session(db.engine) as session:
        enqueue(session, shop_ids=shop_ids, product_ids=product_ids)
        session.commit()
