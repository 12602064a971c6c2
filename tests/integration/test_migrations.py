"""The migrations build the schema from nothing on SQLite and PostgreSQL, match the models, and unwind.

The drift check is what makes every schema change ship with a migration: a model changed without
one makes `compare_metadata` find a difference here.
"""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from marketplace import create_app
from marketplace.extensions import db
from marketplace.schema import include_object


def _sqlite_url(tmp_path) -> str:
    return "sqlite:///" + str(tmp_path / "migrated.db")


def _postgres_url(_tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("set TEST_DATABASE_URL to a PostgreSQL database to migrate it")
    return url


@pytest.fixture(params=[_sqlite_url, _postgres_url], ids=["sqlite", "postgresql"])
def empty_database_app(request, tmp_path):
    """An app on an empty database (PostgreSQL: the test database's public schema dropped and remade)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": request.param(tmp_path),
                      "SECRET_KEY": "test-secret"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        assert _tables() == set()
        yield app
        db.session.remove()
        db.engine.dispose()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_creates_every_table_of_the_models(empty_database_app):
    upgrade()
    missing = set(db.metadata.tables) - _tables()
    assert not missing, f"tables with no migration: {sorted(missing)}"


def test_the_migrated_schema_matches_the_models_so_every_model_change_ships_a_migration(empty_database_app):
    upgrade()
    differences = _differences()
    assert differences == [], (
        "the models and the migrations disagree; run `flask --app wsgi db migrate -m ...` against a "
        f"database made by `db upgrade` and check the result by hand: {differences}"
    )


def test_the_migrations_have_one_head(empty_database_app):
    from alembic.script import ScriptDirectory

    config = empty_database_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"two migration heads {heads}: set your newest migration's down_revision to main's head"


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(empty_database_app):
    upgrade()
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert set(db.metadata.tables) <= _tables()
