"""The scale-out search backend: an Elasticsearch index behind an alias, queried with the client's DSL.

Documents carry everything a search filters or sorts on (shop location, hours, delivery radius,
price), because Elasticsearch cannot join. Matching is the same as the SQL backend's: every query
token must be among the document's `words` (exact for Chinese pieces, prefix for Latin words);
the analysed text fields only rank. A bulk rebuild writes a fresh index and swaps the alias in
one atomic call, so searches never see a half-built index.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from elasticsearch import Elasticsearch, helpers
from elasticsearch import ApiError, NotFoundError, TransportError
from elasticsearch.dsl import Q, Search

from .backend import Progress, SearchBackend, SearchHit, SearchPage, SearchQuery
from .documents import all_shop_ids, documents_for_products, documents_for_shops
from .errors import SearchUnavailable
from .geo import distance_km

log = logging.getLogger(__name__)

# Chinese has no spaces: the standard tokenizer emits one token per character, cjk_bigram adds the
# pairs (keeping the characters), so "大米" matches "东北大米"; width folding and lower-casing
# make full-width and capital letters match plain ones.
SETTINGS = {
    "number_of_shards": 1,
    "analysis": {
        "filter": {"cjk_pairs": {"type": "cjk_bigram", "output_unigrams": True}},
        "analyzer": {
            "zh_en": {"type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase", "cjk_pairs"]},
        },
    },
}

MAPPING = {
    "dynamic": "strict",
    "properties": {
        "kind": {"type": "keyword"},
        "shop_id": {"type": "long"},
        "product_id": {"type": "long"},
        "shop_public_id": {"type": "keyword", "index": False},
        "product_public_id": {"type": "keyword", "index": False},
        "shop_kind": {"type": "keyword"},
        "name": {"type": "text", "analyzer": "zh_en"},
        "name_en": {"type": "text", "analyzer": "english"},
        "shop_name": {"type": "text", "analyzer": "zh_en"},
        "description": {"type": "text", "analyzer": "zh_en"},
        "words": {"type": "keyword"},
        "category": {"type": "keyword"},
        "shop_category": {"type": "keyword"},
        "location": {"type": "geo_point"},
        "is_open": {"type": "boolean"},
        "delivery_enabled": {"type": "boolean"},
        "delivery_radius_km": {"type": "float"},
        "hours": {"type": "integer_range"},
        "price_amount": {"type": "long"},
        "currency": {"type": "keyword"},
    },
}

# The shop's delivery radius differs per document, so "delivers to me" compares in a script.
DELIVERS_SCRIPT = ("doc['delivery_enabled'].value && "
                   "doc['location'].planeDistance(params.lat, params.lon) <= doc['delivery_radius_km'].value * 1000")


def es_id(doc: dict) -> str:
    return f"product-{doc['product_id']}" if doc["kind"] == "product" else f"shop-{doc['shop_id']}"


def es_source(doc: dict) -> dict:
    return {
        "kind": doc["kind"], "shop_id": doc["shop_id"], "product_id": doc["product_id"],
        "shop_public_id": doc["shop_public_id"], "product_public_id": doc["product_public_id"],
        "shop_kind": doc["shop_kind"], "name": doc["name"], "name_en": doc["name_en"],
        "shop_name": doc["shop_name"], "description": doc["description"], "words": sorted(set(doc["words"])),
        "category": doc["category"], "shop_category": doc["shop_category"],
        "location": {"lat": doc["latitude"], "lon": doc["longitude"]},
        "is_open": doc["is_open"], "delivery_enabled": doc["delivery_enabled"],
        "delivery_radius_km": doc["delivery_radius_km"],
        "hours": [{"gte": start, "lt": end} for start, end in doc["hours"]],
        "price_amount": doc["price_amount"], "currency": doc["currency"],
    }


def build_search(query: SearchQuery, index: str) -> Search:
    """The request for one search, as the DSL object (its `to_dict()` is the body sent)."""
    must, should, filters = [], [], []
    for token in query.terms.exact:
        must.append(Q("term", words=token))
    for token in query.terms.prefixes:
        must.append(Q("prefix", words=token))
    if query.terms:
        text = " ".join(query.terms.exact + query.terms.prefixes)
        should = [Q("match", name={"query": text, "boost": 3}), Q("match", name_en={"query": text, "boost": 2}),
                  Q("match", shop_name=text), Q("match", description={"query": text, "boost": 0.5})]
    point = {"lat": query.lat, "lon": query.lon}
    filters.append(Q("geo_distance", distance=f"{query.radius_km}km", distance_type="plane", location=point))
    filters.append(Q("term", shop_kind="retail"))
    if query.type != "all":
        filters.append(Q("term", kind=query.type))
    if query.category:
        filters.append(Q("term", category=query.category))
    if query.open_now:
        filters.append(Q("term", is_open=True))
        filters.append(Q("term", hours=query.minute_of_week))
    if query.delivers:
        filters.append(Q("script", script={"source": DELIVERS_SCRIPT, "params": point}))
    search = Search(index=index).query(Q("bool", must=must, should=should, filter=filters))
    by_distance = {"_geo_distance": {"location": point, "order": "asc", "unit": "km", "distance_type": "plane"}}
    tiebreak = [{"shop_id": "asc"}, {"product_id": {"order": "asc", "missing": "_first"}}]
    if query.sort == "price":
        sort = [{"price_amount": {"order": "asc", "missing": "_last"}}, by_distance, *tiebreak]
    elif query.sort == "relevance" and query.terms:
        sort = ["_score", by_distance, *tiebreak]
    else:
        sort = [by_distance, *tiebreak]
    search = search.sort(*sort).extra(from_=query.offset, size=query.limit + 1, track_total_hits=False)
    search = search.source(["kind", "shop_id", "product_id", "location"])
    if query.facets:
        search.aggs.bucket("category", "terms", field="category", size=50)
    return search


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, alias: str):
        self.client = client
        self.alias = alias
        self.refresh_after_writes = False  # tests set it so a write is searchable at once

    @classmethod
    def from_config(cls, config) -> "ElasticsearchBackend":
        client = Elasticsearch(config["ELASTICSEARCH_URL"], request_timeout=config.get("ELASTICSEARCH_TIMEOUT_SECONDS", 5),
                               max_retries=1, retry_on_timeout=False)
        return cls(client, config.get("ELASTICSEARCH_INDEX") or "marketplace-search")

    # -- searching -----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        body = build_search(query, self.alias).to_dict()
        try:
            response = self.client.search(index=self.alias, body=body)
        except NotFoundError:
            return SearchPage(hits=[], has_more=False)  # nothing indexed yet
        except (TransportError, ApiError) as exc:
            log.warning("elasticsearch search failed: %s", exc)
            raise SearchUnavailable("Search is not available right now; try again in a minute.") from exc
        rows = response["hits"]["hits"]
        hits = []
        for row in rows[:query.limit]:
            source = row["_source"]
            location = source["location"]
            hits.append(SearchHit(kind=source["kind"], shop_id=source["shop_id"], product_id=source.get("product_id"),
                                  distance_km=distance_km(query.lat, query.lon, location["lat"], location["lon"]),
                                  score=row.get("_score")))
        facets = {}
        if query.facets:
            facets = {b["key"]: b["doc_count"] for b in response.get("aggregations", {}).get("category", {}).get("buckets", [])}
        return SearchPage(hits=hits, has_more=len(rows) > query.limit, facets=facets)

    # -- indexing ------------------------------------------------------------------------------

    def apply_changes(self, session, shop_ids: Iterable[int], product_ids: Iterable[int]) -> None:
        shop_ids, product_ids = sorted(set(shop_ids)), sorted(set(product_ids))
        try:
            self.ensure_index()
            actions: list[dict] = []
            if product_ids:
                docs, gone = documents_for_products(session, product_ids)
                actions += [self._index_action(d) for d in docs]
                actions += [{"_op_type": "delete", "_index": self.alias, "_id": f"product-{i}"} for i in sorted(gone)]
            kept_by_shop: list[str] = []
            if shop_ids:
                for doc in documents_for_shops(session, shop_ids):
                    actions.append(self._index_action(doc))
                    kept_by_shop.append(es_id(doc))
            if actions:
                helpers.bulk(self.client, actions, refresh=self.refresh_after_writes, raise_on_error=False,
                             raise_on_exception=True)
            if shop_ids:
                # Products archived or a shop gone since: whatever of these shops was not just written.
                self.client.delete_by_query(
                    index=self.alias, refresh=self.refresh_after_writes, conflicts="proceed",
                    query={"bool": {"filter": [{"terms": {"shop_id": shop_ids}}],
                                    "must_not": [{"ids": {"values": kept_by_shop}}]}})
        except (TransportError, ApiError, helpers.BulkIndexError) as exc:
            raise SearchUnavailable(f"Elasticsearch did not take the changes: {exc}") from exc

    def rebuild(self, session, progress: Progress | None = None) -> int:
        """Write a new concrete index, then move the alias to it atomically and drop the old ones."""
        new_index = f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
        try:
            self.client.indices.create(index=new_index, settings={**SETTINGS, "refresh_interval": "-1"},
                                       mappings=MAPPING)
            shop_ids = all_shop_ids(session)
            count = 0

            def actions() -> Iterator[dict]:
                nonlocal count
                for start in range(0, len(shop_ids), 500):
                    chunk = shop_ids[start:start + 500]
                    for doc in documents_for_shops(session, chunk):
                        count += 1
                        yield self._index_action(doc, index=new_index)
                    session.expunge_all()
                    if progress:
                        progress(len(chunk))

            for ok, item in helpers.streaming_bulk(self.client, actions(), chunk_size=2000, raise_on_error=True):
                pass
            self.client.indices.put_settings(index=new_index, settings={"refresh_interval": None})
            self.client.indices.refresh(index=new_index)
            old = self._indices_behind_alias()
            swap = [{"remove": {"index": name, "alias": self.alias}} for name in old]
            swap.append({"add": {"index": new_index, "alias": self.alias}})
            self.client.indices.update_aliases(actions=swap)
            for name in old:
                self.client.indices.delete(index=name)
            return count
        except (TransportError, ApiError, helpers.BulkIndexError) as exc:
            raise SearchUnavailable(f"Elasticsearch reindex failed: {exc}") from exc

    # -- helpers -------------------------------------------------------------------------------

    def _index_action(self, doc: dict, index: str | None = None) -> dict:
        return {"_op_type": "index", "_index": index or self.alias, "_id": es_id(doc), "_source": es_source(doc)}

    def _indices_behind_alias(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def ensure_index(self) -> None:
        """Create a first index behind the alias when there is none (a fresh cluster)."""
        if self._indices_behind_alias():
            return
        first = f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
        self.client.indices.create(index=first, settings=SETTINGS, mappings=MAPPING, aliases={self.alias: {}})

    def delete_all_indices(self) -> None:
        """Drop the alias's indices (the test suite starts each test from nothing)."""
        for name in self._indices_behind_alias():
            self.client.indices.delete(index=name)
