"""search: PostgreSQL keeps the words' tsvector in a generated column

Revision ID: 5e4c1a9b7d20
Revises: fcb02b35acc4
Create Date: 2026-11-29 03:30:00

Computing the vector per row at query time (the first version's expression index) cost more than
the search itself; a stored generated column with a GIN index does not. SQLite is unchanged.
"""
from alembic import op

from marketplace.search.ddl import create_search_ddl

# revision identifiers, used by Alembic.
revision = '5e4c1a9b7d20'
down_revision = 'fcb02b35acc4'
branch_labels = None
depends_on = None


def upgrade():
    create_search_ddl(op.get_bind())  # idempotent: drops the old expression index, adds the column


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS search_tsv")
        op.execute("CREATE INDEX IF NOT EXISTS ix_search_documents_words ON search_documents USING gin "
                   "(array_to_tsvector(regexp_split_to_array(btrim(cells || ' ' || words), ' +')))")
