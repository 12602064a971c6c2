"""The Elasticsearch backend without a cluster: the mapping and request bodies the official client sends,
indexing through the outbox, the alias swap, and what happens when the cluster is down."""
from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch
from sqlalchemy import select

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.search import services
from marketplace.search.backend import get_backend
from marketplace.search.elastic import ElasticsearchBackend, build_search
from marketplace.search.models import SearchOutbox
from marketplace.search.outbox import drain_outbox, pending_count
from tests.conftest import free_port
from tests.factories import make_product, make_shop

from .fake_elasticsearch import FakeCluster, FakeNode
from .town import CENTRE

ALIAS = "test-search"


@pytest.fixture
def cluster(app):
    cluster = FakeCluster()
    FakeNode.cluster = cluster
    app.config["ELASTICSEARCH_URL"] = "http://es.test:9200"
    app.extensions["search_backend"] = ElasticsearchBackend(
        Elasticsearch("http://es.test:9200", node_class=FakeNode), ALIAS)
    yield cluster
    app.extensions.pop("search_backend", None)


@pytest.fixture
def down(app):
    """The real client pointed at a loopback port where nothing listens: a cluster that is down."""
    url = f"http://127.0.0.1:{free_port()}"
    app.config["ELASTICSEARCH_URL"] = url
    app.extensions.pop("search_backend", None)
    yield get_backend(app)
    app.extensions.pop("search_backend", None)


def query(**kw):
    kw.setdefault("lat", CENTRE[0])
    kw.setdefault("lon", CENTRE[1])
    return services.build_query(**kw)


def test_elasticsearch_url_selects_the_elasticsearch_backend(app):
    app.config["ELASTICSEARCH_URL"] = "http://es.test:9200"
    app.extensions.pop("search_backend", None)
    assert isinstance(get_backend(app), ElasticsearchBackend)
    app.extensions.pop("search_backend", None)


def test_the_index_is_created_with_an_explicit_mapping_behind_the_alias(app, cluster):
    make_shop(name="First shop")
    (index_name,) = cluster.indices
    created = cluster.indices[index_name]
    assert created["aliases"] == {ALIAS}
    props = created["mappings"]["properties"]
    assert created["mappings"]["dynamic"] == "strict"
    assert props["location"] == {"type": "geo_point"}
    assert props["words"] == {"type": "keyword"}
    assert props["hours"] == {"type": "integer_range"}
    assert props["name"]["analyzer"] == "zh_en" and props["name_en"]["analyzer"] == "english"
    analysis = created["settings"]["analysis"]
    assert analysis["filter"]["cjk_pairs"] == {"type": "cjk_bigram", "output_unigrams": True}
    assert analysis["analyzer"]["zh_en"]["filter"] == ["cjk_width", "lowercase", "cjk_pairs"]


def test_a_committed_product_is_sent_as_a_document_with_its_shop(app, cluster):
    shop = make_shop(name="王记水果店", category="fruit")
    product = make_product(shop, name="红富士苹果", name_en="Fuji apples", price=899)
    source = cluster.docs(ALIAS)[f"product-{product.id}"]
    assert source["location"] == {"lat": shop.latitude, "lon": shop.longitude}
    assert {"苹果", "苹", "fuji", "apples", "水果"} <= set(source["words"])
    assert source["price_amount"] == 899 and source["shop_kind"] == "retail"
    assert source["hours"][0]["gte"] == 0
    assert f"shop-{shop.id}" in cluster.docs(ALIAS)
    assert pending_count() == 0


def test_archiving_a_product_deletes_its_document(app, cluster):
    product = make_product(make_shop(), name="月饼")
    product.status = ProductStatus.archived
    db.session.commit()
    assert f"product-{product.id}" not in cluster.docs(ALIAS)
    assert {"_id": f"product-{product.id}", "_index": ALIAS} in [
        line["delete"] for lines in cluster.requests_to("POST", "/_bulk") for line in lines if "delete" in line]


def test_the_query_body_filters_by_distance_hours_delivery_and_category(app, cluster):
    body = build_search(query(q="苹果 Apple", category="fruit", open_now="1", delivers="1", sort="distance",
                              radius_km="2.5", limit="10", page=services.encode_page(20)), ALIAS).to_dict()
    boolean = body["query"]["bool"]
    assert {"term": {"words": "苹果"}} in boolean["must"] and {"prefix": {"words": "apple"}} in boolean["must"]
    filters = boolean["filter"]
    assert {"geo_distance": {"distance": "2.5km", "distance_type": "plane",
                             "location": {"lat": CENTRE[0], "lon": CENTRE[1]}}} in filters
    assert {"term": {"category": "fruit"}} in filters and {"term": {"is_open": True}} in filters
    assert any("hours" in f.get("term", {}) for f in filters)
    assert any("script" in f for f in filters)
    assert list(body["sort"][0]) == ["_geo_distance"]
    assert body["from"] == 20 and body["size"] == 11


def test_relevance_and_price_orders(app, cluster):
    by_relevance = build_search(query(q="milk"), ALIAS).to_dict()
    assert by_relevance["sort"][0] == "_score" and by_relevance["query"]["bool"]["should"]
    by_price = build_search(query(q="milk", sort="price"), ALIAS).to_dict()
    assert by_price["sort"][0] == {"price_amount": {"order": "asc", "missing": "_last"}}
    no_words = build_search(query(), ALIAS).to_dict()
    assert list(no_words["sort"][0]) == ["_geo_distance"] and "must" not in no_words["query"]["bool"]


def test_hits_come_back_with_live_details_distance_and_facets(app, cluster):
    shop = make_shop(name="Dairy", lat=CENTRE[0] + 0.01)
    milk = make_product(shop, name="牛奶", price=650)
    hit = {"_id": f"product-{milk.id}", "_score": 2.0,
           "_source": {"kind": "product", "shop_id": shop.id, "product_id": milk.id,
                       "location": {"lat": shop.latitude, "lon": shop.longitude}}}
    cluster.respond_to_search([hit, hit], aggregations={"category": {"buckets": [{"key": "grocery", "doc_count": 7}]}})
    results = services.search_nearby(query(q="牛奶", limit="1", facets=True))
    assert [h["product"]["id"] for h in results.hits] == [milk.public_id]
    assert results.hits[0]["distance_km"] == pytest.approx(1.112, abs=0.001)
    assert results.has_more and results.facets == {"grocery": 7}
    (sent,) = cluster.requests_to("POST", f"/{ALIAS}/_search")
    assert sent["size"] == 2 and sent["aggs"]["category"]["terms"]["field"] == "category"


def test_reindex_builds_a_new_index_and_swaps_the_alias_atomically(app, cluster, runner):
    make_product(make_shop(), name="汤圆")
    (old_index,) = cluster.indices
    result = runner.invoke(args=["search", "reindex", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 documents with the elasticsearch backend" in result.output
    (new_index,) = cluster.indices
    assert new_index != old_index and cluster.indices[new_index]["aliases"] == {ALIAS}
    (swap,) = cluster.requests_to("POST", "/_aliases")
    assert swap["actions"] == [{"remove": {"index": old_index, "alias": ALIAS}},
                               {"add": {"index": new_index, "alias": ALIAS}}]
    assert len(cluster.docs(ALIAS)) == 2


def test_search_answers_503_when_the_cluster_is_down_and_the_site_keeps_working(app, client, down):
    resp = client.get("/api/v1/search", query_string={"q": "milk", "lat": CENTRE[0], "lon": CENTRE[1]})
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "search_unavailable"
    page = client.get("/search?q=milk", headers={"Accept-Language": "en"})
    assert page.status_code == 503 and "Search is not available right now" in page.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_changes_wait_in_the_outbox_during_an_outage_and_catch_up_after(app, down, runner):
    product = make_product(make_shop(), name="咖啡")  # commits although the cluster is down
    assert db.session.get(type(product), product.id) is not None
    rows = db.session.execute(select(SearchOutbox)).scalars().all()
    assert rows and all(r.attempts >= 1 and r.last_error for r in rows)
    failed = runner.invoke(args=["search", "drain-outbox"])
    assert failed.exit_code != 0 and "changes wait in the outbox" in failed.output

    cluster = FakeCluster()
    FakeNode.cluster = cluster
    app.extensions["search_backend"] = ElasticsearchBackend(
        Elasticsearch("http://es.test:9200", node_class=FakeNode), ALIAS)
    assert drain_outbox() == len(rows)
    assert pending_count() == 0
    assert f"product-{product.id}" in cluster.docs(ALIAS)
