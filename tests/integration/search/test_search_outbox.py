"""Catalog changes reach the index after commit through the outbox, and survive an index outage."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import ProductStatus
from marketplace.catalog.stock import move_stock
from marketplace.catalog.models import StockReason
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.search import services
from marketplace.search.backend import get_backend
from marketplace.search.models import SearchDocument, SearchOutbox
from marketplace.search.outbox import drain_outbox, pending_count
from marketplace.signals import catalog_changed
from tests.factories import make_product, make_shop

from .town import CENTRE, north_of_centre


def names(**kw):
    kw.setdefault("lat", CENTRE[0])
    kw.setdefault("lon", CENTRE[1])
    results = services.search_nearby(services.build_query(**kw))
    return [(h["product"] or h["shop"])["name"] for h in results.hits]


def outbox_rows():
    return db.session.execute(select(SearchOutbox.entity, SearchOutbox.entity_id).order_by(SearchOutbox.id)).all()


def test_a_new_product_is_found_right_after_its_commit(app):
    shop = make_shop(name="Corner shop")
    make_product(shop, name="酸奶", name_en="Yoghurt")
    assert names(q="酸奶") == ["酸奶"]
    assert pending_count() == 0


def test_renaming_a_product_changes_what_finds_it(app):
    product = make_product(make_shop(), name="牛奶", name_en="Milk")
    product.name, product.name_en = "豆浆", "Soy milk"
    db.session.commit()
    assert names(q="豆浆") == ["豆浆"]
    assert names(q="牛奶") == []


def test_archiving_a_product_takes_it_out_of_the_index(app):
    product = make_product(make_shop(), name="月饼", name_en="Mooncake")
    product.status = ProductStatus.archived
    db.session.commit()
    assert names(q="月饼") == []
    assert db.session.execute(select(func.count()).select_from(SearchDocument)
                              .where(SearchDocument.product_id == product.id)).scalar() == 0


def test_moving_a_shop_moves_its_products_in_search(app):
    shop = make_shop(name="Moving shop")
    make_product(shop, name="饺子", name_en="Dumplings")
    shop.latitude = north_of_centre(8.0)[0]
    db.session.commit()
    assert names(q="饺子") == []
    assert names(q="饺子", radius_km="10") == ["饺子"]


def test_a_price_change_through_the_money_composite_is_written_to_the_outbox(app):
    app.config["SEARCH_INDEX_ON_COMMIT"] = False
    product = make_product(make_shop(), name="鸡蛋", name_en="Eggs")
    db.session.execute(SearchOutbox.__table__.delete())
    db.session.commit()
    product.price = Money(1999, "CNY")
    db.session.commit()
    assert outbox_rows() == [("product", product.id)]


def test_a_stock_movement_alone_does_not_touch_the_index(app):
    product = make_product(make_shop(), name="面粉")
    app.config["SEARCH_INDEX_ON_COMMIT"] = False
    move_stock(product.id, -1, StockReason.adjustment)
    db.session.commit()
    assert outbox_rows() == []


def test_a_rolled_back_change_leaves_nothing_in_the_outbox(app):
    product = make_product(make_shop(), name="白菜")
    product.name = "大白菜"
    db.session.flush()
    assert outbox_rows() == [("product", product.id)]
    db.session.rollback()
    assert outbox_rows() == []
    assert names(q="白菜") == ["白菜"]


def test_the_change_commits_and_waits_in_the_outbox_while_the_index_is_down(app, monkeypatch):
    product = make_product(make_shop(), name="咖啡", name_en="Coffee")
    backend = get_backend()

    def down(*_a, **_kw):
        raise ConnectionError("index unreachable")

    monkeypatch.setattr(backend, "apply_changes", down)
    product.name = "拿铁咖啡"
    db.session.commit()  # the merchant's change is not lost and does not fail
    db.session.expire_all()
    assert db.session.get(type(product), product.id).name == "拿铁咖啡"
    row = db.session.execute(select(SearchOutbox)).scalar_one()
    assert row.attempts == 1 and "unreachable" in row.last_error
    assert names(q="拿铁") == []

    monkeypatch.undo()
    assert drain_outbox() == 1
    assert pending_count() == 0
    assert names(q="拿铁") == ["拿铁咖啡"]


def test_catalog_changed_signal_reindexes_rows_changed_without_the_orm(app):
    product = make_product(make_shop(), name="馒头")
    db.session.execute(type(product).__table__.update().where(type(product).__table__.c.id == product.id)
                       .values(name="花卷"))
    db.session.commit()
    assert names(q="花卷") == []
    catalog_changed.send(app, shop_id=None, product_ids=[product.id])
    assert names(q="花卷") == ["花卷"]


def test_reindex_command_rebuilds_the_index_from_the_database(app, runner):
    make_product(make_shop(name="Rebuilt shop"), name="汤圆")
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    assert names(q="汤圆") == []
    result = runner.invoke(args=["search", "reindex", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 documents" in result.output
    assert names(q="汤圆") == ["汤圆"]


def test_changes_after_a_reindex_still_reach_the_index(app, runner):
    product = make_product(make_shop(), name="汤圆")
    assert runner.invoke(args=["search", "reindex", "--quiet"]).exit_code == 0
    product.name = "元宵"
    db.session.commit()
    make_product(product.shop, name="月饼")
    assert names(q="汤圆") == []
    assert names(q="元宵") == ["元宵"] and names(q="月饼") == ["月饼"]


def test_drain_outbox_command_reports_what_it_applied(app, runner):
    app.config["SEARCH_INDEX_ON_COMMIT"] = False
    make_product(make_shop(), name="粽子")
    result = runner.invoke(args=["search", "drain-outbox"])
    assert result.exit_code == 0, result.output
    assert "left" in result.output and pending_count() == 0
    assert names(q="粽子") == ["粽子"]


@pytest.mark.parametrize("field", ["description", "category"])
def test_any_searchable_shop_field_queues_the_shop(app, field):
    shop = make_shop()
    app.config["SEARCH_INDEX_ON_COMMIT"] = False
    setattr(shop, field, "fruit" if field == "category" else "新的介绍")
    db.session.commit()
    assert outbox_rows() == [("shop", shop.id)]


def test_catalog_changed_for_products_queues_only_those_products(app):
    shop = make_shop()
    product = make_product(shop, name="酱油")
    app.config["SEARCH_INDEX_ON_COMMIT"] = False
    catalog_changed.send(app, shop_id=shop.id, product_ids=[product.id])
    assert outbox_rows() == [("product", product.id)]


def test_catalog_changed_inside_a_transaction_joins_it(app):
    product = make_product(make_shop(), name="米醋")
    db.session.execute(type(product).__table__.update().where(type(product).__table__.c.id == product.id)
                       .values(name="陈醋"))
    catalog_changed.send(app, shop_id=product.shop_id, product_ids=[product.id])
    assert names(q="陈醋") == []  # not before the commit
    db.session.commit()
    assert names(q="陈醋") == ["陈醋"]
