"""One behavioural suite for every search backend: fixture town, queries, expected hits in order."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from marketplace.search import services

from .town import CENTRE


def names(results) -> list[str]:
    return [(h["product"] or h["shop"])["name"] for h in results.hits]


def find(**kw):
    kw.setdefault("lat", CENTRE[0])
    kw.setdefault("lon", CENTRE[1])
    return services.search_nearby(services.build_query(**kw))


def test_chinese_words_match_inside_longer_names_nearest_first(town):
    assert names(find(q="苹果", sort="distance")) == ["红富士苹果", "苹果派", "青苹果"]


def test_english_words_match_as_prefixes_and_price_sort_puts_cheapest_first(town):
    assert names(find(q="appl", sort="price")) == ["青苹果", "红富士苹果", "苹果派"]


def test_archived_products_suppliers_and_shops_outside_the_radius_never_show(town):
    shown = names(find(q="苹果", radius_km="20"))
    assert "旧苹果" not in shown and "批发苹果" not in shown and "批发苹果行" not in shown
    assert "苹果汁" in shown


def test_radius_limits_the_hits(town):
    assert "苹果汁" not in names(find(q="apple"))
    assert "苹果汁" in names(find(q="apple", radius_km="6"))


def test_open_now_leaves_out_shops_without_hours_and_shops_switched_off(town):
    assert names(find(q="苹果", open_now="1", sort="distance")) == ["红富士苹果"]


def test_delivers_keeps_only_shops_whose_radius_reaches_the_resident(town):
    assert names(find(q="苹果", delivers="1", sort="distance")) == ["红富士苹果", "青苹果"]


def test_every_word_must_match_across_languages(town):
    assert names(find(q="面包 bread")) == ["全麦面包"]
    assert names(find(q="apple pie")) == ["苹果派"]


def test_full_width_letters_match_like_ascii(town):
    assert names(find(q="ＡＰＰＬＥ ＰＩＥ")) == ["苹果派"]


def test_shops_are_found_by_name_and_by_category_name(town):
    assert names(find(q="水果", type="shop", sort="distance")) == ["王记水果店", "街角水果"]
    assert names(find(q="bakery", type="shop")) == ["Fresh Bakery 面包坊"]


def test_category_filter_without_words_lists_nearest_first(town):
    assert names(find(category="bakery", sort="distance")) == ["Fresh Bakery 面包坊", "全麦面包", "苹果派"]


def test_category_filter_uses_the_product_category(town):
    assert names(find(q="苹果", category="fruit", type="product", sort="distance")) == ["红富士苹果", "青苹果"]


def test_relevance_puts_the_better_match_first(town):
    # "苹果" in the name (counted twice) outranks a shop that only sells fruit in general
    hits = find(q="苹果", sort="relevance").hits
    assert hits[0]["type"] == "product"


def test_distance_is_reported_in_km(town):
    hits = find(q="Fuji").hits
    assert hits[0]["distance_km"] == pytest.approx(0.3, abs=0.01)


def test_pages_walk_through_all_hits_without_repeats(town):
    seen, page = [], None
    for _ in range(5):
        results = find(q="苹果", sort="distance", limit="1", page=page)
        seen += names(results)
        if not results.has_more:
            break
        page = results.next_page
    assert seen == ["红富士苹果", "苹果派", "青苹果"]


def test_facets_count_hits_per_category(town):
    results = find(q="苹果", facets=True)
    assert results.facets == {"fruit": 2, "bakery": 1}


def test_open_now_follows_the_clock(town):
    from marketplace.extensions import db

    bakery = town.shops["bakery"]
    bakery.opening_hours = {"mon": [["08:00", "12:00"]]}
    db.session.commit()
    monday_9_local = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
    monday_13_local = datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)
    open_q = dict(lat=CENTRE[0], lon=CENTRE[1], q="全麦", open_now="1")
    assert names(services.search_nearby(services.build_query(**open_q, now=monday_9_local))) == ["全麦面包"]
    assert names(services.search_nearby(services.build_query(**open_q, now=monday_13_local))) == []


def test_a_search_with_no_match_is_empty_not_an_error(town):
    results = find(q="zzzz")
    assert results.hits == [] and not results.has_more


def test_words_find_matches_in_every_direction_across_grid_cells_and_none_beyond_the_radius(search_backend):
    import math

    from marketplace.extensions import db
    from marketplace.search.geo import KM_PER_DEGREE, km_per_degree_lon
    from tests.factories import make_shop, make_user

    owner = make_user("merchant")
    kx = km_per_degree_lon(CENTRE[0])
    inside = []
    for bearing in range(0, 360, 30):  # a ring 2.9 km out crosses several rows and columns of grid cells
        north, east = 2.9 * math.cos(math.radians(bearing)), 2.9 * math.sin(math.radians(bearing))
        inside.append(make_shop(owner, name=f"蘑菇{bearing}号", lat=CENTRE[0] + north / KM_PER_DEGREE,
                                lon=CENTRE[1] + east / kx).name)
    make_shop(owner, name="蘑菇远店", lat=CENTRE[0], lon=CENTRE[1] + 3.2 / kx)
    db.session.commit()
    for sort in ("relevance", "distance", "price"):
        assert sorted(names(find(q="蘑菇", sort=sort, limit="50"))) == sorted(inside)
