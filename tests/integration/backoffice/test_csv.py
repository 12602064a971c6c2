"""CSV export and import: every row checked, every error with its line and column, nothing written unless all good."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product, StockMovement
from marketplace.extensions import db
from merchants.backoffice import csvio
from tests.factories import make_product, make_shop


def _counts():
    return (db.session.execute(select(func.count()).select_from(Product)).scalar(),
            db.session.execute(select(func.count()).select_from(StockMovement)).scalar())


def test_export_then_import_round_trips_and_counts_stock(app):
    shop = make_shop()
    make_product(shop, sku="EGG-10", name="Eggs, 10", price=1280, stock=7, low_stock_threshold=2)
    text = csvio.export_products(shop.owner_id, shop.id)
    assert text.splitlines()[0] == ",".join(csvio.COLUMNS)
    assert "EGG-10,\"Eggs, 10\",,grocery,piece,12.80,7,2,active," in text
    edited = text.replace("12.80,7,", "13.50,5,") + "SOAP-1,Soap,,household,piece,4.50,12,3,active,Lavender\r\n"
    result = csvio.import_products(shop.owner_id, shop.id, edited.encode("utf-8"))
    assert (result.created, result.updated, result.counted) == (1, 1, 1)
    eggs = db.session.execute(select(Product).where(Product.sku == "EGG-10")).scalar_one()
    soap = db.session.execute(select(Product).where(Product.sku == "SOAP-1")).scalar_one()
    assert (eggs.price_amount, eggs.stock_on_hand, soap.stock_on_hand, soap.category) == (1350, 5, 12, "household")


def test_every_error_is_reported_with_line_and_column_and_nothing_is_written(app):
    shop = make_shop()
    make_product(shop, sku="KEEP", price=500, stock=3)
    before = _counts()
    data = ("sku,name,price,stock_on_hand,status\n"
            "KEEP,Kept,6.00,4,active\n"           # good, but must not be written either
            "BAD SKU,Thing,1.00,,active\n"        # line 3: sku
            "OK-2,,2.00,,active\n"                # line 4: name
            "OK-3,Thing,1.005,-2,gone\n"          # line 5: price, stock_on_hand, status
            "OK-4,Dup,1.00,,\n"
            "OK-4,Dup again,1.00,,\n")            # line 7: duplicate SKU
    with pytest.raises(csvio.CsvRejected) as rejected:
        csvio.import_products(shop.owner_id, shop.id, data.encode())
    found = {(e.line, e.column) for e in rejected.value.errors}
    assert found == {(3, "sku"), (4, "name"), (5, "price"), (5, "stock_on_hand"), (5, "status"), (7, "sku")}
    assert _counts() == before
    assert db.session.execute(select(Product.price_amount).where(Product.sku == "KEEP")).scalar() == 500


@pytest.mark.parametrize("data, line, column", [
    (b"sku,name\nA,B\n", 1, "price"),
    (b"sku,name,price,colour\nA,B,1.00,red\n", 1, "colour"),
    (b"sku,name,price\nA,B,1.00,extra\n", 2, "price"),
    (b"sku,name,price\n", 2, "sku"),
])
def test_a_file_of_the_wrong_shape_is_refused(app, data, line, column):
    shop = make_shop()
    with pytest.raises(csvio.CsvRejected) as rejected:
        csvio.import_products(shop.owner_id, shop.id, data)
    assert (rejected.value.errors[0].line, rejected.value.errors[0].column) == (line, column)


@pytest.mark.parametrize("data", [b"", b"\x00\xff\xfe binary \x81\x00" * 10, b"x" * (3 * 1024 * 1024)])
def test_empty_binary_or_huge_files_are_refused(app, data):
    shop = make_shop()
    with pytest.raises(csvio.BadFile):
        csvio.import_products(shop.owner_id, shop.id, data)
    assert _counts() == (0, 0)


def test_a_file_saved_by_excel_in_chinese_imports(app):
    shop = make_shop()
    data = "sku,name,price,stock_on_hand\nRICE-5,东北大米 5kg,39.90,6\n".encode("gb18030")
    csvio.import_products(shop.owner_id, shop.id, data)
    assert db.session.execute(select(Product.name)).scalar() == "东北大米 5kg"


def test_a_formula_in_a_description_is_neutralised_on_export(app):
    shop = make_shop()
    make_product(shop, sku="F", description="=HYPERLINK(\"http://evil\")")
    assert "'=HYPERLINK" in csvio.export_products(shop.owner_id, shop.id)


def test_the_csv_page_shows_errors_and_imports_a_good_file(logged_in, shop):
    bad = logged_in.post("/merchant/products/csv", data={"file": (io.BytesIO(b"sku,name,price\nA,,1\n"), "p.csv")},
                         content_type="multipart/form-data")
    assert bad.status_code == 400 and "csv-errors" in bad.get_data(as_text=True)
    good = logged_in.post("/merchant/products/csv",
                          data={"file": (io.BytesIO(b"sku,name,price,stock_on_hand\nA,Apple,1.50,4\n"), "p.csv")},
                          content_type="multipart/form-data")
    assert good.status_code == 302
    export = logged_in.get("/merchant/products/export.csv")
    assert export.mimetype == "text/csv" and "A,Apple,,grocery,piece,1.50,4" in export.get_data(as_text=True)
