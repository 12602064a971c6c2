"""The back-office pages through the test client: forms save, bad input answers 400 and saves nothing."""
from __future__ import annotations

import io

from sqlalchemy import select

from marketplace.catalog.models import Product, Shop, StockMovement
from marketplace.extensions import db
from tests.factories import PASSWORD, make_product, make_user

from .conftest import image_bytes

SHOP_FORM = {"name": "Lin's Grocery", "kind": "retail", "category": "grocery", "description": "Rice, oil, eggs",
             "address": "3 Qingnian Road", "latitude": "28.656", "longitude": "121.421", "delivery_enabled": "y",
             "delivery_radius_km": "2.5", "delivery_fee": "3.00", "minimum_order": "20", "pickup_enabled": "y",
             "is_open": "y", "mon": "08:00-12:00, 14:00-20:00", "tue": "08:00-20:00", "wed": "", "thu": "",
             "fri": "", "sat": "", "sun": "22:00-02:00"}


def _log_in(client, user):
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    return client


def test_a_new_merchant_is_sent_to_set_up_the_shop_and_saves_it(client):
    merchant = make_user("merchant")
    _log_in(client, merchant)
    assert client.get("/").headers["Location"].endswith("/merchant/")
    assert client.get("/merchant/").headers["Location"].endswith("/merchant/shop")
    resp = client.post("/merchant/shop", data={**SHOP_FORM, "logo": (io.BytesIO(image_bytes()), "logo.png")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302, resp.data.decode()[:2000]
    shop = db.session.execute(select(Shop).where(Shop.owner_id == merchant.id)).scalar_one()
    assert (shop.delivery_fee_amount, shop.minimum_order_amount) == (300, 2000)
    assert shop.opening_hours["sun"] == [["22:00", "02:00"]] and "wed" not in shop.opening_hours
    assert shop.logo_path and client.get(f"/media/{shop.logo_path}").status_code == 200
    page = client.get("/merchant/shop").data.decode()
    assert "08:00-12:00, 14:00-20:00" in page
    assert client.get("/merchant/").status_code == 200


def test_bad_coordinates_and_hours_are_shown_on_the_form_and_nothing_is_saved(client):
    _log_in(client, make_user("merchant"))
    resp = client.post("/merchant/shop", data={**SHOP_FORM, "latitude": "123", "mon": "8 till late"})
    assert resp.status_code == 400
    page = resp.data.decode()
    assert "Number must be between -90 and 90" in page and "Write hours like" in page
    assert db.session.execute(select(Shop)).first() is None


def test_adding_a_product_then_adjusting_its_stock_shows_in_the_history(logged_in, shop):
    resp = logged_in.post("/merchant/products/new", data={
        "sku": "EGG-10", "name": "Eggs, 10", "category": "grocery", "unit": "box", "price": "12.80",
        "initial_stock": "20", "low_stock_threshold": "5",
        "photo": (io.BytesIO(image_bytes("JPEG")), "eggs.jpg")}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.data.decode()[:2000]
    product = db.session.execute(select(Product).where(Product.sku == "EGG-10")).scalar_one()
    assert product.price_amount == 1280 and product.stock_on_hand == 20 and product.photo_path
    resp = logged_in.post(f"/merchant/products/{product.public_id}/stock/adjust",
                          data={"quantity": "-3", "reason": "damaged", "note": "dropped"})
    assert resp.status_code == 302
    resp = logged_in.post(f"/merchant/products/{product.public_id}/stock/count", data={"counted": "15"})
    assert resp.status_code == 302
    page = logged_in.get(f"/merchant/products/{product.public_id}/stock").data.decode()
    assert "Damaged" in page and "dropped" in page and "Counted" in page
    db.session.refresh(product)
    assert product.stock_on_hand == 15


def test_taking_more_than_is_on_hand_is_refused_on_the_form(logged_in, shop):
    product = make_product(shop, stock=2)
    resp = logged_in.post(f"/merchant/products/{product.public_id}/stock/adjust",
                          data={"quantity": "-5", "reason": "lost"})
    assert resp.status_code == 400 and "Not enough stock" in resp.data.decode()
    assert db.session.execute(select(StockMovement).where(StockMovement.product_id == product.id)).scalars().all()[-1].quantity == 2


def test_a_duplicate_sku_is_shown_next_to_the_field(logged_in, shop):
    make_product(shop, sku="DUP-1")
    resp = logged_in.post("/merchant/products/new", data={"sku": "DUP-1", "name": "Other", "category": "grocery",
                                                          "unit": "piece", "price": "1.00"})
    assert resp.status_code == 400 and "already used" in resp.data.decode()


def test_a_price_with_three_decimals_is_refused(logged_in, shop):
    resp = logged_in.post("/merchant/products/new", data={"sku": "X-1", "name": "X", "category": "grocery",
                                                          "unit": "piece", "price": "1.005"})
    assert resp.status_code == 400
    assert db.session.execute(select(Product)).first() is None


def test_the_product_list_searches_filters_and_sorts(logged_in, shop):
    make_product(shop, sku="A-1", name="Apple", price=500, stock=1, low_stock_threshold=3)
    make_product(shop, sku="B-1", name="Banana", price=300, stock=50)
    make_product(shop, sku="C-1", name="Cherry", price=900, stock=8, category="fruit")
    page = logged_in.get("/merchant/products?sort=-price").data.decode()
    assert page.index("Cherry") < page.index("Apple") < page.index("Banana")
    page = logged_in.get("/merchant/products?q=ban").data.decode()
    assert "Banana" in page and "Apple" not in page
    page = logged_in.get("/merchant/products?status=low").data.decode()
    assert "Apple" in page and "Banana" not in page
    page = logged_in.get("/merchant/products?category=fruit").data.decode()
    assert "Cherry" in page and "Banana" not in page
    assert logged_in.get("/merchant/products?sort=evil&page=-3&status=x").status_code == 200


def test_bulk_edit_saves_prices_and_counts_together_or_not_at_all(logged_in, shop):
    a, b = make_product(shop, price=500, stock=4), make_product(shop, price=700, stock=9)
    form = {f"was-price-{a.public_id}": "5.00", f"price-{a.public_id}": "5.50",
            f"was-count-{a.public_id}": "4", f"count-{a.public_id}": "4",
            f"was-price-{b.public_id}": "7.00", f"price-{b.public_id}": "7.00",
            f"was-count-{b.public_id}": "8", f"count-{b.public_id}": "6"}  # b sold one since the page loaded
    resp = logged_in.post("/merchant/products/bulk", data=form)
    assert resp.status_code == 400 and "Sold or changed while you typed" in resp.data.decode()
    db.session.refresh(a)
    assert a.price_amount == 500
    form[f"was-count-{b.public_id}"] = "9"
    assert logged_in.post("/merchant/products/bulk", data=form).status_code == 302
    db.session.refresh(a), db.session.refresh(b)
    assert (a.price_amount, b.stock_on_hand) == (550, 6)


def test_archiving_from_the_product_page(logged_in, shop):
    product = make_product(shop)
    assert logged_in.post(f"/merchant/products/{product.public_id}/archive").status_code == 302
    db.session.refresh(product)
    assert product.status.value == "archived"
    assert "Archived" in logged_in.get("/merchant/products?status=archived").data.decode()


def test_the_qr_poster_is_a_png_and_an_svg_of_the_storefront_address(logged_in, shop):
    png = logged_in.get("/merchant/shop/poster.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    svg = logged_in.get("/merchant/shop/poster.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data and svg.mimetype == "image/svg+xml"
    page = logged_in.get("/merchant/shop/poster").data.decode()
    assert f"http://localhost/shops/{shop.public_id}" in page and "<svg" in page
