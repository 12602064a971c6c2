"""search: documents numbered by grid cell on SQLite; the empty cells column dropped

Revision ID: 8b3e6f2a4c17
Revises: 3f1d7c2a9e51
Create Date: 2026-11-29 12:00:00

On SQLite a search document's id becomes its grid cell followed by its number within the cell
(marketplace.search.sql.cells_id_range), so a words search asks FTS5 for the circle's few ranges of
ids; the documents already indexed are renumbered here and the full-text index rebuilt. The cells
column (grid-cell words no search reads any more) is dropped on both databases, and with it from
FTS5 and PostgreSQL's generated tsvector.
"""
from alembic import op

from marketplace.search.ddl import create_search_ddl, drop_search_ddl

# revision identifiers, used by Alembic.
revision = '8b3e6f2a4c17'
down_revision = '3f1d7c2a9e51'
branch_labels = None
depends_on = None

CELL_NUMBER_BITS = 32  # as marketplace.search.sql.CELL_NUMBER_BITS when this migration was written


def upgrade():
    bind = op.get_bind()
    drop_search_ddl(bind)  # the full-text index and PostgreSQL's generated column read cells
    if bind.dialect.name == "sqlite":
        # New ids are at least 2**32 * (a cell id in the millions), far above any autoincrement id: no clashes.
        op.execute(f"""UPDATE search_documents SET id = numbered.new_id FROM (
            SELECT id AS old_id,
                   (cell << {CELL_NUMBER_BITS}) + ROW_NUMBER() OVER (PARTITION BY cell ORDER BY id) - 1 AS new_id
            FROM search_documents) AS numbered
            WHERE search_documents.id = numbered.old_id""")
    op.execute("ALTER TABLE search_documents DROP COLUMN cells")
    create_search_ddl(bind)
    if bind.dialect.name == "sqlite":
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def downgrade():
    # The documents keep their numbers: any id suits the earlier code.
    bind = op.get_bind()
    drop_search_ddl(bind)
    op.execute("ALTER TABLE search_documents ADD COLUMN cells TEXT NOT NULL DEFAULT ''")
    create_search_ddl(bind)
    if bind.dialect.name == "sqlite":
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
