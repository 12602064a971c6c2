"""In Chromium on a phone: a new merchant sets up the shop, adds a product with a photo, adjusts and
counts its stock, and sees the history with a running count; the dashboard draws its sales chart."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from marketplace.catalog.models import Product, Shop
from marketplace.extensions import db
from tests.factories import make_user


def _photo(tmp_path) -> str:
    image = Image.new("RGB", (900, 700), (250, 236, 200))
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate(((240, 200, 120), (230, 180, 100), (250, 215, 150))):
        draw.ellipse((120 + i * 220, 220, 320 + i * 220, 480), fill=colour, outline=(180, 140, 80), width=6)
    path = tmp_path / "eggs.jpg"
    image.save(path, "JPEG")
    return str(path)


def test_a_merchant_sets_up_the_shop_adds_a_product_and_adjusts_its_stock(page, live_server, log_in, screenshot,
                                                                         tmp_path):
    merchant = make_user("merchant", name="Lin Mei")
    log_in(page, live_server, merchant)
    page.goto(f"{live_server}/merchant/")
    assert page.url.endswith("/merchant/shop")

    # The profile: a bad latitude is refused on the form, then corrected.
    page.fill("input[name=name]", "Lin's Corner Grocery")
    page.select_option("select[name=category]", "grocery")
    page.fill("textarea[name=description]", "Rice, oil, eggs and fresh noodles every morning.")
    page.fill("input[name=address]", "18 Baiyun Road, Jiaojiang")
    page.fill("input[name=latitude]", "128.656")
    page.fill("input[name=longitude]", "121.421")
    page.fill("input[name=delivery_fee]", "3")
    page.fill("input[name=minimum_order]", "20")
    page.fill("input[name=sun]", "09:00-12:00")
    page.get_by_role("button", name="Save shop").click()
    assert "between -90 and 90" in page.locator(".has-error").inner_text()
    screenshot(page, "backoffice-1-profile-error")
    page.fill("input[name=latitude]", "28.656")
    page.get_by_role("button", name="Save shop").click()
    assert "Shop saved." in page.locator(".flash").inner_text()
    screenshot(page, "backoffice-2-profile")

    # A product with a photo and opening stock.
    page.goto(f"{live_server}/merchant/products/new")
    page.fill("input[name=name]", "Free-range eggs, 10")
    page.fill("input[name=sku]", "EGG-10")
    page.fill("input[name=price]", "12.80")
    page.select_option("select[name=unit]", "box")
    page.fill("input[name=initial_stock]", "24")
    page.fill("input[name=low_stock_threshold]", "6")
    page.set_input_files("input[name=photo]", _photo(tmp_path))
    screenshot(page, "backoffice-3-new-product")
    page.get_by_role("button", name="Add product").click()
    assert page.locator("#on-hand").inner_text() == "24"

    # Three broken: an adjustment with a reason; taking too many is refused; then a count.
    page.fill("#adjust-form input[name=quantity]", "-3")
    page.select_option("#adjust-form select[name=reason]", "damaged")
    page.fill("#adjust-form input[name=note]", "dropped crate")
    page.get_by_role("button", name="Save adjustment").click()
    assert page.locator("#on-hand").inner_text() == "21"
    page.fill("#adjust-form input[name=quantity]", "-50")
    page.get_by_role("button", name="Save adjustment").click()
    assert "Not enough stock" in page.locator("#adjust-form").inner_text()
    assert page.locator("#on-hand").inner_text() == "21"
    page.fill("#count-form input[name=counted]", "20")
    page.get_by_role("button", name="Record count").click()
    assert page.locator("#on-hand").inner_text() == "20"
    running = page.locator("#ledger td.running").all_inner_texts()
    assert running == ["20", "21", "24"]
    assert "Damaged" in page.locator("#ledger").inner_text()
    screenshot(page, "backoffice-4-stock-ledger")

    # The list and the dashboard.
    page.goto(f"{live_server}/merchant/products")
    assert page.locator(".product-row img.thumb").count() == 1
    screenshot(page, "backoffice-5-products")
    page.goto(f"{live_server}/merchant/")
    page.wait_for_function("document.getElementById('sales-chart').dataset.points === '30'")
    screenshot(page, "backoffice-6-dashboard")

    db.session.expire_all()
    shop = db.session.execute(select(Shop)).scalar_one()
    product = db.session.execute(select(Product)).scalar_one()
    assert (shop.latitude, shop.delivery_fee_amount, shop.opening_hours["sun"]) == (28.656, 300, [["09:00", "12:00"]])
    assert (product.stock_on_hand, product.price_amount, product.shop_id) == (20, 1280, shop.id)
    assert product.photo_path
