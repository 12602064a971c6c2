"""Bulk writing for big seeds: chunked inserts (PostgreSQL COPY), chunked reads, a progress bar."""
from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Iterable, Iterator

from sqlalchemy import Table, text

from ..extensions import db


def progress(iterable: Iterable, *, total: int | None = None, desc: str = "", enabled: bool = True):
    """A tqdm bar on a terminal (stderr), nothing when disabled or not a terminal."""
    if not enabled or not sys.stderr.isatty():
        return iter(iterable)
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="", leave=False, dynamic_ncols=True)


def _table(table) -> Table:
    return getattr(table, "__table__", table)


def _plain(value):
    """Values as the driver's COPY wants them: enums as their value, JSON as text."""
    if isinstance(value, Enum):
        return value.name  # SQLAlchemy's Enum type stores member names (StockReason.return_ -> "return_")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def bulk_insert(table, rows: Iterable[dict], *, chunk_size: int = 5000) -> int:
    """Insert rows (dicts with the same keys) in chunks, inside the session's transaction.

    PostgreSQL gets COPY, several times faster than multi-row INSERT for millions of rows;
    SQLite gets executemany, which is already its fastest path. Memory stays at one chunk.
    """
    table = _table(table)
    conn = db.session.connection()
    count = 0
    columns: list[str] | None = None
    chunk: list[dict] = []
    postgres = conn.dialect.name == "postgresql"
    for row in rows:
        if columns is None:
            columns = list(row)
        chunk.append(row)
        if len(chunk) >= chunk_size:
            count += _write(conn, table, columns, chunk, postgres)
            chunk = []
    if chunk:
        count += _write(conn, table, columns, chunk, postgres)
    if postgres and columns and "id" in columns:
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
        ))
    return count


def _python_defaults(table: Table, columns: list[str]) -> list[tuple[str, object]]:
    """Columns the rows leave out that have a Python-side default: COPY would write NULL there."""
    found = []
    for column in table.columns:
        if column.name in columns or column.default is None or column.server_default is not None:
            continue
        default = column.default
        if getattr(default, "is_scalar", False):
            found.append((column.name, lambda value=default.arg: value))
        elif getattr(default, "is_callable", False):
            found.append((column.name, lambda fn=default.arg: fn(None)))
    return found


def _write(conn, table: Table, columns: list[str], chunk: list[dict], postgres: bool) -> int:
    if postgres:
        raw = conn.connection.driver_connection
        defaults = _python_defaults(table, columns)
        names = columns + [name for name, _ in defaults]
        quoted = ", ".join(f'"{c}"' for c in names)
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in chunk:
                    copy.write_row([_plain(row[c]) for c in columns] + [make() for _, make in defaults])
    else:
        conn.execute(table.insert(), chunk)
    return len(chunk)


def iter_chunks(statement, *, chunk_size: int = 5000) -> Iterator[list]:
    """Yield a select's rows in lists of at most chunk_size, streaming from the server."""
    result = db.session.execute(statement, execution_options={"yield_per": chunk_size, "stream_results": True})
    for partition in result.partitions(chunk_size):
        yield list(partition)


def next_id(table) -> int:
    """The first free integer key of a table, so a seed can number rows itself and link them."""
    table = _table(table)
    current = db.session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}")).scalar()
    return int(current) + 1
