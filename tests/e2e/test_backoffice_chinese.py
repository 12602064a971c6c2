"""In Chromium on a phone set to Chinese (the demo town's language): a merchant with a week of real orders
reads the dashboard and its chart, the products, a refused stock change, a refused CSV file and the QR
poster, all in Chinese; each page is kept as a screenshot."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.services import Checkout
from tests.factories import make_product, make_shop, make_user

# The back office's own text on the page (panels other features add are theirs to test).
OWN_TEXT = """() => { const copy = document.body.cloneNode(true);
  copy.querySelectorAll('.panel, script, style').forEach(e => e.remove()); return copy.innerText; }"""
ALLOWED = {"English", "CSV", "PNG", "SVG", "JPEG", "GIF", "WebP", "MB", "sku", "name", "price", "stock", "on", "hand", "status", "active",
           "archived", "category", "unit", "low", "threshold", "description", "en", "colour",
           "OpenStreetMap"}  # the map tiles' credit, a name


@pytest.fixture
def zh_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _english(page) -> list[str]:
    text = re.sub(r"https?://\S+", " ", page.evaluate(OWN_TEXT))
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED})


def test_a_chinese_merchant_runs_the_shop_without_meeting_english(zh_page, live_server, log_in, screenshot, tmp_path):
    page = zh_page
    merchant = make_user("merchant", name="林小梅")
    shop = make_shop(merchant, name="林记杂货铺", delivery_radius_km=3.0)
    goods = [make_product(shop, sku=f"6901{n:03d}", name=name, price=price, stock=stock, unit=unit,
                          low_stock_threshold=5)
             for n, (name, price, stock, unit) in enumerate((
                 ("土鸡蛋 10 枚", 1280, 80, "box"), ("东北大米 5 斤", 3290, 3, "bag"), ("老抽酱油", 890, 25, "bottle"),
                 ("手工面条", 650, 0, "pack"), ("嫩豆腐", 350, 100, "piece")))]
    residents = [make_user("resident", name=f"居民{i}") for i in range(4)]
    for day in range(8):
        for i, resident in enumerate(residents[: 1 + day % 4]):
            lines = [(goods[(0, 2)[(day + i) % 2]].id, 1 + i), (goods[4].id, 2)]  # rice stays low: never sold
            order = orders.place_order(resident.id, shop.id, lines,
                                       Checkout(fulfilment="pickup", payment_method="cash"))
            orders.accept_order(merchant.id, order.id)
            orders.mark_order_ready(merchant.id, order.id)
            orders.complete_order(merchant.id, order.id)
            order.placed_at = order.placed_at - timedelta(days=day)
            db.session.commit()

    log_in(page, live_server, merchant)
    page.goto(f"{live_server}/merchant/")
    page.wait_for_function("document.getElementById('sales-chart').dataset.points === '30'")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "今日销售额" in page.inner_text("#figures") and "库存不足" in page.inner_text("#low-stock")
    assert _english(page) == []
    screenshot(page, "backoffice-zh-1-dashboard")

    page.goto(f"{live_server}/merchant/products")
    assert "盒" in page.inner_text("#products") and _english(page) == []
    screenshot(page, "backoffice-zh-2-products")

    page.goto(f"{live_server}/merchant/products/{goods[1].public_id}/stock")
    page.fill("#adjust-form input[name=quantity]", "-9")
    page.select_option("#adjust-form select[name=reason]", "damaged")
    page.locator("#adjust-form button[type=submit]").click()
    assert "库存不足" in page.inner_text("#adjust-form") and page.inner_text("#on-hand") == "3"
    assert _english(page) == []
    screenshot(page, "backoffice-zh-3-stock-refused")

    bad = tmp_path / "products.csv"
    bad.write_text("sku,name,price,stock_on_hand\n6901000,,12.8.0,-2\n", encoding="utf-8")
    page.goto(f"{live_server}/merchant/products/csv")
    page.set_input_files("input[name=file]", str(bad))
    page.locator("#import-form button[type=submit]").click()
    errors = page.inner_text("#csv-errors")
    assert "“名称”不能为空" in errors and "不是有效价格" in errors and "未导入任何内容" in page.inner_text(".flash")
    assert _english(page) == []
    screenshot(page, "backoffice-zh-4-csv-errors")

    page.goto(f"{live_server}/merchant/shop/poster")
    assert "扫码到本店下单" in page.inner_text("#poster") and _english(page) == []
    screenshot(page, "backoffice-zh-5-poster")

    page.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=404))
    page.goto(f"{live_server}/merchant/shop")
    page.wait_for_selector("#map-picker .leaflet-marker-icon")
    assert page.get_attribute(".leaflet-control-zoom-in", "title") == "放大"
    assert "周一" in page.inner_text("#shop-form") and _english(page) == []
    screenshot(page, "backoffice-zh-6-shop")
