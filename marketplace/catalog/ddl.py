"""The database's own guard that stock movements are append-only: triggers refuse UPDATE and DELETE.

The Python code never edits a movement; these triggers make sure nothing else does either (a stray
script, a hand-typed SQL session). Called from the migration and, through metadata events, whenever
`create_all` builds the schema. A later SQLite migration that rebuilds stock_movements in batch mode
drops its triggers with the old table: call `create_stock_ddl` again at its end.
"""
from __future__ import annotations

from sqlalchemy import event, text

MESSAGE = "stock movements are append-only: record a new movement instead"

_SQLITE = tuple(
    f"""CREATE TRIGGER IF NOT EXISTS stock_movements_no_{verb.lower()} BEFORE {verb} ON stock_movements
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
)
_POSTGRESQL = (
    f"""CREATE OR REPLACE FUNCTION stock_movements_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END
        $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS stock_movements_append_only ON stock_movements",
    """CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements
        FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only()""",
)


def create_stock_ddl(connection) -> None:
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(connection.dialect.name, ()):
        connection.execute(text(statement))


def drop_stock_ddl(connection) -> None:
    if connection.dialect.name == "sqlite":
        for verb in ("update", "delete"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS stock_movements_no_{verb}"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER IF EXISTS stock_movements_append_only ON stock_movements"))
        connection.execute(text("DROP FUNCTION IF EXISTS stock_movements_append_only()"))


def listen_for_schema(table) -> None:
    """Build and drop the guard with stock_movements itself (create_all, drop_all)."""
    if not event.contains(table, "after_create", _after_create):
        event.listen(table, "after_create", _after_create)
        event.listen(table, "before_drop", _before_drop)


def _after_create(_table, connection, **_kw) -> None:
    create_stock_ddl(connection)


def _before_drop(_table, connection, **_kw) -> None:
    drop_stock_ddl(connection)
