"""Upgrading a SQLite database whose search index was built before documents were numbered by grid cell."""
from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db
from marketplace.search import services
from marketplace.search.documents import documents_for_shops
from tests.factories import NEARBY, TOWN_CENTRE, make_product, make_shop

BEFORE_NUMBERING = "3f1d7c2a9e51"


def test_an_index_built_before_the_grid_numbering_is_still_searched_after_the_upgrade(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "old.db"),
                      "SECRET_KEY": "test-secret", "SEARCH_INDEX_ON_COMMIT": False})
    with app.app_context(), app.test_request_context():
        upgrade(revision=BEFORE_NUMBERING)
        shop = make_shop(name="老街粮油", lat=NEARBY[0], lon=NEARBY[1])
        make_product(shop, name="东北大米", name_en="Northeast rice")
        db.session.commit()
        # Indexed as the earlier code did: autoincrement ids and an empty cells column.
        for doc in documents_for_shops(db.session, [shop.id]):
            db.session.execute(text(
                "INSERT INTO search_documents (kind, shop_id, product_id, words, cells, latitude, longitude, cell) "
                "VALUES (:kind, :shop_id, :product_id, :words, '', :latitude, :longitude, :cell)"),
                {**doc, "words": " ".join(doc["words"])})
        db.session.commit()
        assert db.session.execute(text("SELECT MAX(id) FROM search_documents")).scalar() == 2

        upgrade()

        def names(q):
            results = services.search_nearby(services.build_query(q=q, lat=TOWN_CENTRE[0], lon=TOWN_CENTRE[1]))
            return [(h["product"] or h["shop"])["name"] for h in results.hits]

        assert names("大米") == ["东北大米"]
        assert names("rice") == ["东北大米"]
        assert "老街粮油" in names("粮油")
        db.session.remove()
        db.engine.dispose()
