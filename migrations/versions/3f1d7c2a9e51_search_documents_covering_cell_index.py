"""search: nearby searches without words read one covering index

Revision ID: 3f1d7c2a9e51
Revises: d62512f6cccd
Create Date: 2026-11-29 09:40:00

The index on (cell, kind) made a search without words read every document of the grid cells it
touched (up to 36,000 in a crowded 1 km cell of the seed's town). With latitude and longitude
after the cell, a search seeks each cell's band of latitude and reads nothing but the index.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f1d7c2a9e51'
down_revision = 'd62512f6cccd'
branch_labels = None
depends_on = None

COLUMNS = ['cell', 'latitude', 'longitude', 'kind', 'shop_id', 'product_id']


def upgrade():
    op.drop_index('ix_search_documents_cell_kind', table_name='search_documents')
    op.create_index('ix_search_documents_cell_point', 'search_documents', COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_search_documents_cell_point', table_name='search_documents')
    op.create_index('ix_search_documents_cell_kind', 'search_documents', ['cell', 'kind'], unique=False)
