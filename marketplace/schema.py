"""What the database holds beyond the models: objects a package creates with raw DDL.

FTS5 virtual tables, triggers and special indexes are not SQLAlchemy tables, so Alembic's
autogenerate would see them as "in the database, not in the models" and propose dropping them.
A package that creates such an object declares its name here (in its models module, so the
declaration is loaded whenever the models are); autogenerate and the drift test then skip it.
"""
from __future__ import annotations

_database_only: set[str] = set()
# SQLite creates shadow tables for each FTS5 / R*Tree virtual table: <name>_data, <name>_idx, ...
_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config", "_node", "_parent", "_rowid")


def declare_database_only(*names: str) -> None:
    """Mark tables or indexes made by raw DDL (and, for virtual tables, their shadow tables)."""
    _database_only.update(names)


def is_database_only(name: str | None) -> bool:
    if not name:
        return False
    if name in _database_only:
        return True
    return any(name == base + suffix for base in _database_only for suffix in _SHADOW_SUFFIXES)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: compare everything except declared database-only objects found in the database."""
    if reflected and compare_to is None and is_database_only(name):
        return False
    if name == "alembic_version":
        return False
    return True


def recreate_all_tables() -> None:
    """Drop every table and create them again from the models (PostgreSQL: the whole public schema, so
    raw-DDL objects and triggers go too). For tests and benchmarks, inside an app context."""
    from sqlalchemy import text

    from .extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()
