"""Shop profile and products through the services: fields validated, SKUs unique per shop, photos checked."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product, ProductStatus, Shop
from marketplace.errors import ValidationError
from marketplace.extensions import db
from merchants.backoffice import services
from merchants.backoffice.errors import BadFile, DuplicateSku, NotFound
from tests.factories import make_shop, make_user

from .conftest import image_bytes, noise_png

GOOD_SHOP = {"name": "Wang's Fruit", "category": "fruit", "latitude": 28.66, "longitude": 121.42,
             "address": "12 Baiyun Road", "delivery_radius_km": 2.5, "delivery_fee_amount": 300,
             "opening_hours": {"mon": [["08:00", "12:00"], ["14:00", "20:00"]], "sun": [["22:00", "02:00"]]}}


def test_a_merchant_opens_a_shop_with_hours_and_delivery_terms(app):
    merchant = make_user("merchant")
    shop = services.create_shop(merchant.id, GOOD_SHOP)
    stored = db.session.get(Shop, shop.id)
    assert stored.owner_id == merchant.id
    assert stored.kind.value == "retail"
    assert stored.delivery_fee.amount == 300
    assert stored.opening_hours["mon"] == [["08:00", "12:00"], ["14:00", "20:00"]]
    assert "tue" not in stored.opening_hours


@pytest.mark.parametrize("field, value", [
    ("latitude", 91), ("latitude", -90.5), ("longitude", 180.01), ("latitude", "28.6"), ("latitude", True),
    ("latitude", float("nan")), ("delivery_radius_km", 51), ("delivery_fee_amount", -1), ("delivery_fee_amount", 2.5),
    ("category", "casino"), ("kind", "bank"), ("name", "  "),
    ("opening_hours", {"mon": [["8am", "noon"]]}), ("opening_hours", {"funday": []}),
    ("opening_hours", {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}), ("opening_hours", {"mon": [["09:00", "09:00"]]}),
    ("surprise", 1),
])
def test_a_shop_with_a_bad_field_is_refused_and_not_written(app, field, value):
    merchant = make_user("merchant")
    with pytest.raises(ValidationError) as refused:
        services.create_shop(merchant.id, {**GOOD_SHOP, field: value})
    assert refused.value.param in (field, field.removesuffix("_amount"))
    assert db.session.execute(select(Shop)).first() is None


def test_a_shop_must_offer_delivery_or_pickup(app):
    shop = make_shop()
    with pytest.raises(ValidationError):
        services.update_shop(shop.owner_id, shop.public_id, {"delivery_enabled": False, "pickup_enabled": False})
    db.session.refresh(shop)
    assert shop.delivery_enabled and shop.pickup_enabled


def test_a_resident_cannot_open_a_shop(app):
    from marketplace.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_shop(make_user("resident").id, GOOD_SHOP)


def test_another_merchants_shop_is_not_found(app):
    shop = make_shop()
    with pytest.raises(NotFound):
        services.update_shop(make_user("merchant").id, shop.public_id, {"name": "Mine now"})
    db.session.refresh(shop)
    assert shop.name != "Mine now"


def test_a_product_with_opening_stock_starts_its_ledger(app):
    shop = make_shop()
    product = services.create_product(shop.owner_id, shop.public_id,
                                      {"sku": "RICE-5", "name": "Rice 5 kg", "price_amount": 3990, "unit": "bag"},
                                      initial_stock=12)
    assert product.stock_on_hand == 12
    assert product.category == shop.category
    from merchants.backoffice.inventory import movements_sum

    assert movements_sum(product.id) == 12


def test_a_sku_is_unique_within_a_shop_but_not_across_shops(app):
    shop, other = make_shop(), make_shop()
    services.create_product(shop.owner_id, shop.id, {"sku": "TEA-1", "name": "Green tea", "price_amount": 1500})
    with pytest.raises(DuplicateSku):
        services.create_product(shop.owner_id, shop.id, {"sku": "TEA-1", "name": "Black tea", "price_amount": 1500})
    services.create_product(other.owner_id, other.id, {"sku": "TEA-1", "name": "Green tea", "price_amount": 1400})
    second = services.create_product(shop.owner_id, shop.id, {"sku": "TEA-2", "name": "Oolong", "price_amount": 2500})
    with pytest.raises(DuplicateSku):
        services.update_product(shop.owner_id, second.id, {"sku": "TEA-1"})
    assert db.session.get(Product, second.id).sku == "TEA-2"


@pytest.mark.parametrize("fields", [
    {"price_amount": -1}, {"price_amount": 12.5}, {"price_amount": "12.50"}, {"sku": "has space"}, {"sku": ""},
    {"name": "x" * 161}, {"low_stock_threshold": -2}, {"status": "deleted"},
])
def test_a_product_with_a_bad_field_is_refused(app, fields):
    shop = make_shop()
    with pytest.raises(ValidationError):
        services.create_product(shop.owner_id, shop.id, {"sku": "A-1", "name": "Soap", "price_amount": 500, **fields})
    assert db.session.execute(select(Product)).first() is None


def test_archiving_hides_a_product_and_restoring_brings_it_back(app):
    shop = make_shop()
    product = services.create_product(shop.owner_id, shop.id, {"sku": "S1", "name": "Soap", "price_amount": 500})
    assert services.archive_product(shop.owner_id, product.public_id).status == ProductStatus.archived
    assert services.restore_product(shop.owner_id, product.public_id).status == ProductStatus.active


def test_a_photo_is_stored_with_a_thumbnail(app):
    shop = make_shop()
    product = services.create_product(shop.owner_id, shop.id, {"sku": "S1", "name": "Soap", "price_amount": 500},
                                      photo=image_bytes("JPEG", size=(3000, 2000)))
    root = app.config["UPLOAD_FOLDER"]
    from PIL import Image

    from merchants.backoffice.media import thumbnail_path

    with Image.open(os.path.join(root, product.photo_path)) as full:
        assert max(full.size) == 1600
    with Image.open(os.path.join(root, thumbnail_path(product.photo_path))) as thumb:
        assert thumb.size == (400, 400)


@pytest.mark.parametrize("data", [b"", b"GIF89a not really", b"%PDF-1.4 a document", b"<svg onload=alert(1)>"])
def test_a_file_that_is_not_an_image_is_refused_and_changes_nothing(app, data):
    shop = make_shop()
    with pytest.raises(BadFile):
        services.create_product(shop.owner_id, shop.id, {"sku": "S1", "name": "Soap", "price_amount": 500},
                                photo=data)
    assert db.session.execute(select(Product)).first() is None


def test_an_image_over_the_size_limit_is_refused(app):
    app.config["BACKOFFICE_MAX_IMAGE_BYTES"] = 1000
    shop = make_shop()
    with pytest.raises(BadFile, match="larger"):
        services.set_shop_logo(shop.owner_id, shop.id, noise_png())
    db.session.refresh(shop)
    assert shop.logo_path is None


def test_bulk_prices_are_all_or_nothing(app):
    shop = make_shop()
    a = services.create_product(shop.owner_id, shop.id, {"sku": "A", "name": "A", "price_amount": 100})
    b = services.create_product(shop.owner_id, shop.id, {"sku": "B", "name": "B", "price_amount": 200})
    with pytest.raises(ValidationError):
        services.bulk_set_prices(shop.owner_id, shop.id, [(a.public_id, 150), (b.public_id, -5)])
    assert [db.session.get(Product, p.id).price_amount for p in (a, b)] == [100, 200]
    services.bulk_set_prices(shop.owner_id, shop.id, [(a.public_id, 150), (b.public_id, 250)])
    assert [db.session.get(Product, p.id).price_amount for p in (a, b)] == [150, 250]
