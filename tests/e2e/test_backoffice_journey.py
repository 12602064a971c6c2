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


def test_a_merchant_picks_the_shop_on_the_map_and_the_coordinates_follow(page, live_server, log_in, screenshot):
    tile = io.BytesIO()
    Image.new("RGB", (256, 256), (236, 240, 232)).save(tile, "PNG")
    page.route("https://tile.openstreetmap.org/**",
               lambda route: route.fulfill(status=200, content_type="image/png", body=tile.getvalue()))
    merchant = make_user("merchant", name="Wang Fang")
    log_in(page, live_server, merchant)
    page.goto(f"{live_server}/merchant/shop")
    page.wait_for_selector("#map-picker .leaflet-marker-icon")
    assert page.input_value("input[name=latitude]") == ""

    page.locator("#map-picker").scroll_into_view_if_needed()
    box = page.locator("#map-picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)  # north-east of the centre
    lat, lon = float(page.input_value("input[name=latitude]")), float(page.input_value("input[name=longitude]"))
    assert 28.656 < lat < 28.70 and 121.421 < lon < 121.47
    screenshot(page, "backoffice-7-map-picker")

    def pin_at_centre() -> bool:  # the pin's tip (the middle of its bottom edge) on the map's centre
        pin = page.locator("#map-picker .leaflet-marker-icon").bounding_box()
        frame = page.locator("#map-picker").bounding_box()
        return (abs(pin["x"] + pin["width"] / 2 - (frame["x"] + frame["width"] / 2)) < 3
                and abs(pin["y"] + pin["height"] - (frame["y"] + frame["height"] / 2)) < 3)

    assert not pin_at_centre()  # where it was tapped
    page.fill("input[name=latitude]", "28.650000")  # typing moves the pin, and the map centres on it
    page.locator("input[name=latitude]").dispatch_event("change")
    page.wait_for_timeout(300)
    assert pin_at_centre()

    page.fill("input[name=name]", "Wang's Fruit")
    page.get_by_role("button", name="Save shop").click()
    assert "Shop saved." in page.locator(".flash").inner_text()
    shop = db.session.execute(select(Shop)).scalar_one()
    assert (round(shop.latitude, 6), round(shop.longitude, 6)) == (28.65, round(lon, 6))
