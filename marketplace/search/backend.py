"""The SearchBackend interface: what a search asks, what it answers, and which backend the app uses."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app

from .text import QueryTerms

SORTS = ("relevance", "distance", "price")
TYPES = ("all", "product", "shop")
MAX_RADIUS_KM = 20.0
DEFAULT_RADIUS_KM = 3.0


@dataclass(frozen=True)
class SearchQuery:
    """A checked search: the services build it, every backend answers it the same way."""

    lat: float
    lon: float
    radius_km: float = DEFAULT_RADIUS_KM
    terms: QueryTerms = QueryTerms()
    category: str | None = None
    type: str = "all"
    open_now: bool = False
    delivers: bool = False
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0
    minute_of_week: int = 0  # "now" in the shops' local time, for open_now
    facets: bool = False


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "shop" or "product"
    shop_id: int
    product_id: int | None
    distance_km: float
    score: float | None = None


@dataclass
class SearchPage:
    hits: list[SearchHit]
    has_more: bool
    # category slug -> number of matching documents, when the query asked for facets
    facets: dict[str, int] = field(default_factory=dict)


Progress = Callable[[int], None]


class SearchBackend(ABC):
    """Where documents are indexed and searched. Implementations: sql.SqlBackend, elastic.ElasticsearchBackend."""

    name: str

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchPage:
        """Hits ordered as `query.sort` asks, `query.limit` of them from `query.offset`."""

    @abstractmethod
    def apply_changes(self, session, shop_ids: Iterable[int], product_ids: Iterable[int]) -> None:
        """Bring these shops (with all their products) and products up to date with the database as
        `session` sees it, removing those that no longer exist or are no longer searchable."""

    @abstractmethod
    def rebuild(self, session, progress: Progress | None = None) -> int:
        """Index everything afresh without interrupting searches; returns the number of documents."""


def get_backend(app: Flask | None = None) -> SearchBackend:
    """The app's backend: Elasticsearch when ELASTICSEARCH_URL is set, else the SQL backend."""
    app = app or current_app
    backend = app.extensions.get("search_backend")
    if backend is None:
        if app.config.get("ELASTICSEARCH_URL"):
            from .elastic import ElasticsearchBackend

            backend = ElasticsearchBackend.from_config(app.config)
        else:
            from .sql import SqlBackend

            backend = SqlBackend()
        app.extensions["search_backend"] = backend
    return backend
