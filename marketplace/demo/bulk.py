"""Bulk writing for big seeds: chunked inserts (PostgreSQL COPY), chunked reads, a progress bar."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import Enum
from operator import itemgetter
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


def _sqlite_value(value):
    """Values as SQLAlchemy would store them in SQLite (its DateTime text format, Enum names, JSON text)."""
    kind = type(value)
    if kind is datetime:
        return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
                f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")
    if isinstance(value, Enum):
        return value.name
    if kind is dict or kind is list:
        return json.dumps(value)
    return value


def _sqlite_datetime(value):
    return None if value is None else value.isoformat(" ", "microseconds")[:26]


def _sqlite_tuples(table: Table, columns: list[str], chunk: list[dict], defaults) -> list[tuple]:
    """Rows as tuples, converting only the columns whose type needs it (chosen once, not per value)."""
    from sqlalchemy import JSON, DateTime, Enum as EnumType

    special = []
    for i, name in enumerate(columns):
        kind = table.c[name].type
        if isinstance(kind, DateTime):
            special.append((i, _sqlite_datetime))
        elif isinstance(kind, (EnumType, JSON)):
            special.append((i, _sqlite_value))
    get = itemgetter(*columns)
    out = []
    for row in chunk:
        values = get(row)
        if len(columns) == 1:
            values = (values,)
        if special or defaults:
            values = list(values)
            for i, convert in special:
                values[i] = convert(values[i])
            values.extend(make() for _, make in defaults)
        out.append(tuple(values))
    return out


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
    defaults = _python_defaults(table, columns)
    if postgres:
        raw = conn.connection.driver_connection
        names = columns + [name for name, _ in defaults]
        quoted = ", ".join(f'"{c}"' for c in names)
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in chunk:
                    copy.write_row([_plain(row[c]) for c in columns] + [make() for _, make in defaults])
    elif conn.dialect.name == "sqlite":
        # The driver directly, in the session's transaction: SQLAlchemy's per-row parameter processing
        # costs more than SQLite's own insert work at millions of rows.
        raw = conn.connection.driver_connection
        names = columns + [name for name, _ in defaults]
        sql = f'INSERT INTO "{table.name}" ({", ".join(chr(34) + c + chr(34) for c in names)}) ' \
              f'VALUES ({", ".join("?" * len(names))})'
        raw.executemany(sql, _sqlite_tuples(table, columns, chunk, defaults))
    else:
        conn.execute(table.insert(), chunk)
    return len(chunk)


def bulk_update(table, column: str, values: list[tuple[int, object]], *, chunk_size: int = 20000) -> int:
    """Set one column on many rows by id: (id, value) pairs. PostgreSQL: COPY into a temp table, one UPDATE."""
    table = _table(table)
    conn = db.session.connection()
    if not values:
        return 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute(f'CREATE TEMP TABLE _bulk_update (id bigint PRIMARY KEY, value '
                        f'{table.c[column].type.compile(dialect=conn.dialect)}) ON COMMIT DROP')
            with cur.copy("COPY _bulk_update (id, value) FROM STDIN") as copy:
                for pair in values:
                    copy.write_row(pair)
            cur.execute(f'UPDATE "{table.name}" t SET "{column}" = u.value FROM _bulk_update u WHERE t.id = u.id')
            cur.execute("DROP TABLE _bulk_update")
    else:
        raw = conn.connection.driver_connection
        sql = f'UPDATE "{table.name}" SET "{column}" = ? WHERE id = ?'
        for start in range(0, len(values), chunk_size):
            raw.executemany(sql, [(_sqlite_value(v), i) for i, v in values[start:start + chunk_size]])
    return len(values)


def iter_chunks(statement, *, chunk_size: int = 5000) -> Iterator[list]:
    """Yield a select's rows in lists of at most chunk_size, streaming from the server.

    Hooks commit as they go. On PostgreSQL a streaming (server-side) cursor lives only as long as its
    transaction, so there the rows stream from a connection of their own, after the session's pending
    writes are committed for that connection to see them."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.commit()
        with db.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk_size).execute(statement)
            for partition in result.partitions(chunk_size):
                yield list(partition)
        return
    result = db.session.execute(statement, execution_options={"yield_per": chunk_size, "stream_results": True})
    for partition in result.partitions(chunk_size):
        yield list(partition)


def next_id(table) -> int:
    """The first free integer key of a table, so a seed can number rows itself and link them."""
    table = _table(table)
    current = db.session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}")).scalar()
    return int(current) + 1
