"""The SQL search index (one row per shop and per product, plus shops' weekly hours) and the outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..schema import declare_database_only
from ..statemachine import utcnow

# Built by ddl.create_search_ddl, not by these models.
declare_database_only("search_fts", "ix_search_documents_words", "ix_search_documents_tsv", "search_tsv")


class SearchDocument(db.Model):
    """What the SQL backend searches: a shop or a product, its words and where it is.

    Derived from shops and products, never edited by hand: `flask search reindex` rebuilds it.
    Its words live in a full-text index built by `ddl.create_search_ddl` (FTS5 on SQLite, GIN on
    PostgreSQL); prices, stock and hours are read from the live rows when a search runs. On SQLite
    the id is the grid cell and a number within it (`sql.cells_id_range`), given by the SQL backend.
    """

    __tablename__ = "search_documents"
    # Nearby searches without words read only this index: each grid cell's rows are sought by latitude,
    # and everything the search needs of a document is in the index (no reads of the table).
    __table_args__ = (Index("ix_search_documents_cell_point", "cell", "latitude", "longitude", "kind", "shop_id",
                            "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "shop" or "product"
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), unique=True)
    words: Mapped[str] = mapped_column(Text, default="")  # index tokens joined by spaces
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    cell: Mapped[int] = mapped_column(Integer)


class SearchShopHours(db.Model):
    """One weekly opening range of a shop, in minutes since Monday 00:00 local time."""

    __tablename__ = "search_shop_hours"
    __table_args__ = (Index("ix_search_shop_hours_shop_range", "shop_id", "opens_at", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    opens_at: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[int] = mapped_column(Integer)


class SearchOutbox(db.Model):
    """A shop or product whose search entry is stale: written in the same transaction as the change,
    removed once the index has taken it. Survives restarts and index outages."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(10))  # "shop" or "product"
    entity_id: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
