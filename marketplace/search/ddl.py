"""The full-text index of search_documents, which is not a table SQLAlchemy models: FTS5 on SQLite, GIN on PostgreSQL.

Called from the migration and, through metadata events, whenever `create_all` builds the schema.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, text

# PostgreSQL: the words are already tokens, so they become lexemes as they are (no parser, no stemming),
# which keeps Chinese characters intact whatever the database's locale. Stored in a generated column:
# computing it per row at query time cost more than the search itself.
PG_VECTOR_EXPRESSION = "array_to_tsvector(regexp_split_to_array(btrim(words), ' +'))"
PG_VECTOR_COLUMN = "search_tsv"

_SQLITE_FTS = """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        words, content='search_documents', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')"""
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, words) VALUES (new.id, new.words);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, words) VALUES ('delete', old.id, old.words);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, words) VALUES ('delete', old.id, old.words);
        INSERT INTO search_fts(rowid, words) VALUES (new.id, new.words);
    END""",
)
_SQLITE = (_SQLITE_FTS, *_SQLITE_TRIGGERS)
_SQLITE_TRIGGER_NAMES = ("search_documents_ai", "search_documents_ad", "search_documents_au")
_POSTGRESQL = (
    "DROP INDEX IF EXISTS ix_search_documents_words",  # the expression index of the first version
    f"ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS {PG_VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR_EXPRESSION}) STORED",
    f"CREATE INDEX IF NOT EXISTS ix_search_documents_tsv ON search_documents USING gin ({PG_VECTOR_COLUMN})",
)


def create_search_ddl(connection) -> None:
    statements = {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(connection.dialect.name, ())
    for statement in statements:
        connection.execute(text(statement))


def drop_search_ddl(connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in _SQLITE_TRIGGER_NAMES:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        connection.execute(text("DROP TABLE IF EXISTS search_fts"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text("DROP INDEX IF EXISTS ix_search_documents_words"))
        connection.execute(text("DROP INDEX IF EXISTS ix_search_documents_tsv"))
        connection.execute(text(f"ALTER TABLE search_documents DROP COLUMN IF EXISTS {PG_VECTOR_COLUMN}"))


@contextmanager
def bulk_load(connection):
    """Rewrite search_documents wholesale inside the caller's transaction.

    On SQLite the triggers that keep FTS5 in step row by row are dropped meanwhile and the full-text
    index is rebuilt from the table once at the end: several times faster for a whole town. DDL is
    transactional in SQLite, so a failure rolls the triggers back with everything else. PostgreSQL
    keeps its GIN index in place, since dropping it would lock searches out until the commit.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    for name in _SQLITE_TRIGGER_NAMES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    yield
    connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    for statement in _SQLITE_TRIGGERS:
        connection.execute(text(statement))


def listen_for_schema(table) -> None:
    """Build and drop the full-text index with search_documents itself (create_all, drop_all)."""
    if not event.contains(table, "after_create", _after_create):
        event.listen(table, "after_create", _after_create)
        event.listen(table, "before_drop", _before_drop)


def _after_create(table, connection, **_kw) -> None:
    create_search_ddl(connection)


def _before_drop(table, connection, **_kw) -> None:
    drop_search_ddl(connection)
