"""The embedded search backend: the site's own database (SQLite FTS5, or PostgreSQL GIN) plus a geo grid.

A search with words takes the words' matches from the full-text index and keeps those in the
bounding box and then the exact circle; one without words seeks the grid cells around the resident
in a covering index by latitude. Prices, stock, product status and shop settings are read from the
live rows.

On SQLite a document's id is its grid cell followed by its number within the cell, so the circle's
rows of cells are one range of ids (which FTS5 seeks within its own lists) and a match's cell is its
id shifted back: a word's matches elsewhere in the town are skipped inside the full-text index
instead of each being looked up in the table for its position.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from ..extensions import db
from .backend import Progress, SearchBackend, SearchHit, SearchPage, SearchQuery
from .ddl import PG_VECTOR_COLUMN, bulk_load
from .documents import all_shop_ids, documents_for_products, documents_for_shops
from .geo import KM_PER_DEGREE, bounding_box, cell_ids_around, cell_rows_around, km_per_degree_lon
from .models import SearchDocument, SearchShopHours

REBUILD_BATCH_SHOPS = 2000
RING_RADII_KM = (0.15, 0.5, 1.0, 2.0)
# Squared distance in km from the search centre, the same equirectangular figure as geo.distance_km.
DIST2 = ("((d.latitude - :lat) * :ky) * ((d.latitude - :lat) * :ky)"
         " + ((d.longitude - :lon) * :kx) * ((d.longitude - :lon) * :kx)")

# SQLite document ids: cell id << CELL_NUMBER_BITS | the document's number in the cell (cell ids are
# below 2**31, so ids stay within SQLite's 63 bits).
CELL_NUMBER_BITS = 32


def cells_id_range(first_cell: int, last_cell: int) -> tuple[int, int]:
    """The first and last SQLite document id of the cells first_cell..last_cell (consecutive ids)."""
    return first_cell << CELL_NUMBER_BITS, ((last_cell + 1) << CELL_NUMBER_BITS) - 1


def _fts5_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _tsquery_quote(token: str) -> str:
    return "'" + token.replace("'", "''").replace("\\", "\\\\") + "'"


class SqlBackend(SearchBackend):
    name = "sql"

    # -- searching -----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        if query.sort == "price":
            order = ("CASE WHEN p.price_amount IS NULL THEN 1 ELSE 0 END, p.price_amount, dist2, d.shop_id, "
                     "COALESCE(d.product_id, 0)")
        elif query.sort == "relevance" and query.terms:
            order = "rank, dist2, d.shop_id, COALESCE(d.product_id, 0)"
        else:
            order = "dist2, d.shop_id, COALESCE(d.product_id, 0)"
        # Nearest first: search growing circles and stop at the first that fills the page. Everything
        # inside a circle is nearer than anything outside it, so the page is the same as the full search's,
        # without sorting every document of a dense district.
        by_distance = order.startswith("dist2")
        radii = [r for r in RING_RADII_KM if r < query.radius_km] if by_distance else []
        radii.append(query.radius_km)
        for radius in radii:
            base, params, rank = self._filtered(query, radius)
            sql = (f"SELECT d.kind, d.shop_id, d.product_id, {DIST2} AS dist2, {rank} AS rank {base} "
                   f"ORDER BY {order} LIMIT :limit OFFSET :offset")
            rows = db.session.execute(text(sql), {**params, "limit": query.limit + 1, "offset": query.offset}).all()
            if len(rows) > query.limit:
                break
        hits = [SearchHit(kind=r.kind, shop_id=r.shop_id, product_id=r.product_id,
                          distance_km=math.sqrt(max(r.dist2, 0.0)), score=-float(r.rank) if query.terms else None)
                for r in rows[:query.limit]]
        facets = {}
        if query.facets:
            if radius != query.radius_km:
                base, params, _rank = self._filtered(query, query.radius_km)
            facet_rows = db.session.execute(
                text(f"SELECT COALESCE(p.category, s.category) AS category, COUNT(*) AS n {base} "
                     "GROUP BY COALESCE(p.category, s.category)"), params).all()
            facets = {r.category: r.n for r in facet_rows}
        return SearchPage(hits=hits, has_more=len(rows) > query.limit, facets=facets)

    @staticmethod
    def _filtered(query: SearchQuery, radius_km: float) -> tuple[str, dict, str]:
        """(FROM ... WHERE ..., its parameters, the rank expression) for the query within radius_km."""
        dialect = db.engine.dialect.name
        params: dict = {
            "lat": query.lat, "lon": query.lon, "ky": KM_PER_DEGREE, "kx": km_per_degree_lon(query.lat),
            "r2": radius_km * radius_km, "minute": query.minute_of_week, "true": True,
        }
        params["min_lat"], params["max_lat"], params["min_lon"], params["max_lon"] = bounding_box(
            query.lat, query.lon, radius_km)
        where = [
            "d.latitude BETWEEN :min_lat AND :max_lat",
            "d.longitude BETWEEN :min_lon AND :max_lon",
            f"{DIST2} <= :r2",
            "(d.product_id IS NULL OR p.status = 'active')",
        ]
        rank = "0"
        if query.terms:
            if dialect == "sqlite":
                words = ([_fts5_quote(t) for t in query.terms.exact]
                         + [_fts5_quote(t) + "*" for t in query.terms.prefixes])
                # Words only: ANDing them with the circle's cell tokens made the full-text index merge the long
                # lists of dozens of crowded cells, several times slower than checking each word match's box
                # (the same on PostgreSQL's GIN index).
                params["match"] = "words : (" + " AND ".join(words) + ")"
                # The circle's rows of cells are one range of ids, and each match's cell is in its id: matches
                # elsewhere are skipped inside the full-text index, without a lookup of their rows.
                cell_rows = cell_rows_around(query.lat, query.lon, radius_km)
                params["id_lo"], params["id_hi"] = cells_id_range(cell_rows[0][0], cell_rows[-1][1])
                in_cells = []
                for i, (first, last) in enumerate(cell_rows):
                    params[f"cell_lo{i}"], params[f"cell_hi{i}"] = first, last
                    in_cells.append(f"search_fts.rowid >> {CELL_NUMBER_BITS} BETWEEN :cell_lo{i} AND :cell_hi{i}")
                source = "search_fts JOIN search_documents d ON d.id = search_fts.rowid"
                where[:0] = ["search_fts MATCH :match", "search_fts.rowid BETWEEN :id_lo AND :id_hi",
                             f"({' OR '.join(in_cells)})"]
                rank = "bm25(search_fts)"  # lower is better
            else:
                words = ([_tsquery_quote(t) for t in query.terms.exact]
                         + [_tsquery_quote(t) + ":*" for t in query.terms.prefixes])
                params["tsq"] = " & ".join(words)  # words only, as on SQLite
                source = "search_documents d"
                where.insert(0, f"d.{PG_VECTOR_COLUMN} @@ CAST(:tsq AS tsquery)")
                rank = f"-ts_rank(d.{PG_VECTOR_COLUMN}, CAST(:tsq AS tsquery))"  # negated: lower is better, as bm25
        else:
            source = "search_documents d"
            cell_ids = cell_ids_around(query.lat, query.lon, radius_km)
            where.insert(0, "d.cell IN (%s)" % ", ".join(str(int(c)) for c in cell_ids))
        if query.type != "all":
            where.append("d.kind = :kind")
            params["kind"] = query.type
        if query.category:
            where.append("COALESCE(p.category, s.category) = :category")
            params["category"] = query.category
        if query.open_now:
            where.append("s.is_open = :true AND EXISTS (SELECT 1 FROM search_shop_hours h WHERE h.shop_id = d.shop_id"
                         " AND h.opens_at <= :minute AND h.closes_at > :minute)")
        if query.delivers:
            where.append(f"s.delivery_enabled = :true AND {DIST2} <= s.delivery_radius_km * s.delivery_radius_km")
        # The shop's row only when a filter or the facets read it: a frequent word has thousands of matches.
        reads_shop = query.category or query.open_now or query.delivers or query.facets
        shops = "JOIN shops s ON s.id = d.shop_id " if reads_shop else ""
        base = f"FROM {source} {shops}LEFT JOIN products p ON p.id = d.product_id WHERE {' AND '.join(where)}"
        return base, params, rank

    # -- indexing ------------------------------------------------------------------------------

    def apply_changes(self, session: Session, shop_ids: Iterable[int], product_ids: Iterable[int]) -> None:
        shop_ids = sorted(set(shop_ids))
        product_ids = sorted(set(product_ids))
        # Products first: a shop's rewrite below covers all of its products again anyway.
        if product_ids:
            docs, _gone = documents_for_products(session, product_ids)
            for start in range(0, len(product_ids), 500):
                chunk = product_ids[start:start + 500]
                session.execute(delete(SearchDocument).where(SearchDocument.product_id.in_(chunk)))
            self._insert(session, docs)
        if shop_ids:
            for start in range(0, len(shop_ids), 500):
                chunk = shop_ids[start:start + 500]
                session.execute(delete(SearchDocument).where(SearchDocument.shop_id.in_(chunk)))
                session.execute(delete(SearchShopHours).where(SearchShopHours.shop_id.in_(chunk)))
            self._insert(session, documents_for_shops(session, shop_ids))

    def rebuild(self, session: Session, progress: Progress | None = None) -> int:
        """One transaction: readers keep seeing the old index (WAL snapshot, MVCC) until it commits."""
        with bulk_load(session.connection()):
            session.execute(delete(SearchDocument))
            session.execute(delete(SearchShopHours))
            shop_ids = all_shop_ids(session)
            total = 0
            for start in range(0, len(shop_ids), REBUILD_BATCH_SHOPS):
                chunk = shop_ids[start:start + REBUILD_BATCH_SHOPS]
                total += self._insert(session, documents_for_shops(session, chunk))
                if progress:
                    progress(len(chunk))
        return total

    @staticmethod
    def _insert(session: Session, docs: Iterable[dict]) -> int:
        rows, hours = [], []
        for doc in docs:
            rows.append({
                "kind": doc["kind"], "shop_id": doc["shop_id"], "product_id": doc["product_id"],
                "words": " ".join(doc["words"]),
                "latitude": doc["latitude"], "longitude": doc["longitude"], "cell": doc["cell"],
            })
            if doc["kind"] == "shop":
                hours.extend({"shop_id": doc["shop_id"], "opens_at": a, "closes_at": b} for a, b in doc["hours"])
        # Core inserts: one executemany per table (ORM bulk inserts split the batch wherever a column
        # turns from NULL to a value, i.e. at every shop).
        connection = session.connection()
        if rows and connection.dialect.name == "sqlite":
            _number_in_cells(connection, rows)
        if rows:
            connection.execute(SearchDocument.__table__.insert(), rows)
        if hours:
            connection.execute(SearchShopHours.__table__.insert(), hours)
        return len(rows)


def _number_in_cells(connection, rows: list[dict]) -> None:
    """Give each new SQLite document the next free id of its grid cell (see the module's docstring)."""
    next_id: dict[int, int] = {}
    for row in rows:
        cell = row["cell"]
        first, last = cells_id_range(cell, cell)
        number = next_id.get(cell)
        if number is None:
            top = connection.execute(text("SELECT MAX(id) FROM search_documents WHERE id BETWEEN :first AND :last"),
                                     {"first": first, "last": last}).scalar()
            number = first if top is None else top + 1
        if number > last:
            # 4 billion documents written into one cell: a reindex numbers every cell from the start again.
            raise RuntimeError(f"search cell {cell} has used up its document numbers; run `flask search reindex`")
        row["id"] = number
        next_id[cell] = number + 1
    rows.sort(key=lambda row: row["id"])  # appended cell by cell to the table's B-tree
