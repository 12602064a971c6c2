"""The search behaviour suite runs on every backend: SQL always, Elasticsearch when ELASTICSEARCH_URL is set."""
from __future__ import annotations

import os

import pytest

from .town import build_town

BACKENDS = ["sql", "elasticsearch"]


@pytest.fixture(params=BACKENDS)
def search_backend(request, app):
    """Points the app at one backend (before any data is written, so the outbox feeds that backend)."""
    if request.param == "elasticsearch":
        url = os.environ.get("ELASTICSEARCH_URL")
        if not url:
            pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch cluster to run the suite against")
        app.config["ELASTICSEARCH_URL"] = url
        app.config["ELASTICSEARCH_INDEX"] = "marketplace-search-test"
    else:
        app.config["ELASTICSEARCH_URL"] = None
    app.extensions.pop("search_backend", None)
    from marketplace.search.backend import get_backend

    backend = get_backend(app)
    if request.param == "elasticsearch":
        backend.delete_all_indices()
        backend.refresh_after_writes = True
    yield backend
    app.extensions.pop("search_backend", None)


@pytest.fixture
def town(search_backend):
    return build_town()
