"""The back office in zh_CN, the demo town's default: every page, form error, refusal and flash message is
Chinese, so a merchant who reads no English can run the shop.

Each page is rendered and its visible text (and the attributes people read: placeholders, titles,
labels for screen readers, alt texts) searched for English words. What may stay: the name of the
language switch's other language, file formats, and the CSV file's own column names and status codes,
which the merchant types into the file. Panels other features add to the dashboard are tested by those
features; here the dashboard shows the back office's own figures only.
"""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from merchants.backoffice.csvio import COLUMNS
from tests.factories import make_product, make_user

from .conftest import image_bytes

ALLOWED = {"English", "CSV", "PNG", "SVG", "JPEG", "GIF", "WebP", "MB", "UTF", "GBK"}
CSV_VOCABULARY = {word for column in COLUMNS for word in column.split("_")} | {"active", "archived"}
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-error")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        attrs = dict(attrs)
        self.parts.extend(attrs[name] for name in READ_ATTRIBUTES if attrs.get(name))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_words(html: str, allowed: set[str] = frozenset()) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = re.sub(r"https?://\S+", " ", " ".join(parser.parts))
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED | allowed})


def test_the_checker_finds_english_it_should_refuse():
    html = ('<p>库存 <b>Stock</b> 不足</p><input placeholder="Name or SKU"><script>var English = 1;</script>'
            '<a href="/x" title="下载">http://localhost/shops/shop_AbC</a><img alt="Current logo">')
    assert english_words(html) == ["Current", "Name", "SKU", "Stock", "logo", "or"]
    assert english_words("<p>下载 PNG 或 CSV</p>") == []


@pytest.fixture
def chinese(logged_in, merchant, monkeypatch):
    from marketplace import web

    merchant.name = "林小梅"  # shown as who moved stock; a name, not a word to translate
    db.session.commit()
    monkeypatch.setattr(web, "DASHBOARD_PANELS", [])
    logged_in.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return logged_in


@pytest.fixture
def stocked(shop):
    shop.name = "林记杂货"
    db.session.commit()
    # SKUs are the merchant's own codes: digits here, as on a barcode, so only the page's words are checked
    eggs = make_product(shop, sku="69010", name="土鸡蛋", stock=3, low_stock_threshold=5, unit="box")
    rice = make_product(shop, sku="69050", name="东北大米", stock=0, unit="bag")
    return eggs, rice


def _page(client, path, method="get", allowed=frozenset(), status=None, **kwargs):
    resp = getattr(client, method)(path, **kwargs)
    html = resp.get_data(as_text=True)
    assert status is None or resp.status_code == status, (path, resp.status_code, html[:1500])
    assert "<html lang=\"zh-CN\">" in html, path
    words = english_words(html, allowed)
    assert not words, f"English on {method.upper()} {path}: {words}"
    return html


def test_every_back_office_page_is_in_chinese(chinese, stocked):
    eggs, rice = stocked
    chinese.post(f"/merchant/products/{eggs.public_id}/stock/adjust", data={"quantity": "-1", "reason": "damaged"})
    for path in ("/merchant/", "/merchant/?days=90", "/merchant/shop", "/merchant/shop/poster",
                 "/merchant/products", "/merchant/products?status=archived&q=none", "/merchant/products/new",
                 f"/merchant/products/{eggs.public_id}", f"/merchant/products/{eggs.public_id}/stock",
                 "/merchant/low-stock", "/merchant/products/bulk"):
        _page(chinese, path, status=200)
    _page(chinese, "/merchant/products/csv", allowed=CSV_VOCABULARY, status=200)
    stock_page = _page(chinese, f"/merchant/products/{eggs.public_id}/stock")
    assert "损坏" in stock_page and "期初库存" in stock_page and "盒" in stock_page


def test_a_new_merchant_sets_up_the_shop_in_chinese(client):
    from tests.factories import PASSWORD

    merchant = make_user("merchant")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    client.post("/account/login", data={"email": merchant.email, "password": PASSWORD})
    html = _page(client, "/merchant/shop", status=200)
    assert "开设店铺" in html and "周一" in html


def test_refusals_and_form_errors_are_in_chinese(chinese, stocked):
    eggs, _rice = stocked
    shop_form = {"name": "林记杂货", "kind": "retail", "category": "grocery", "latitude": "28.656",
                 "longitude": "121.421", "delivery_enabled": "y", "delivery_radius_km": "2", "pickup_enabled": "y",
                 "is_open": "y", "mon": "08:00-20:00"}
    html = _page(chinese, "/merchant/shop", "post", status=400,
                 data={**shop_form, "latitude": "123", "mon": "8 till late", "delivery_fee": "x"})
    assert "请按 08:00-12:00, 14:00-20:00 的格式填写" in html
    html = _page(chinese, "/merchant/shop", "post", status=400,
                 data={k: v for k, v in shop_form.items() if k not in ("delivery_enabled", "pickup_enabled")})
    assert "请至少提供送货或自提其中一种方式" in html
    html = _page(chinese, "/merchant/shop", "post", status=400, data={**shop_form, "mon": "08:00-12:00, 11:00-13:00"})
    assert "周一的营业时段有重叠" in html

    product = {"sku": "69099", "name": "酱油", "category": "grocery", "unit": "bottle", "price": "6.50"}
    html = _page(chinese, "/merchant/products/new", "post", status=400, data={**product, "sku": "69010"})
    assert "货号“69010”已被本店另一个商品使用" in html
    _page(chinese, "/merchant/products/new", "post", status=400, data={**product, "price": "1.234"})
    html = _page(chinese, "/merchant/products/new", "post", status=400, data={**product, "sku": "!!"})
    assert "货号只能包含" in html
    html = _page(chinese, "/merchant/products/new", "post", status=400, content_type="multipart/form-data",
                 data={**product, "photo": (io.BytesIO(b"not a picture"), "a.png")})
    assert "无法识别该图片" in html

    html = _page(chinese, f"/merchant/products/{eggs.public_id}/stock/adjust", "post", status=400,
                 data={"quantity": "-50", "reason": "damaged"})
    assert "库存不足" in html
    _page(chinese, f"/merchant/products/{eggs.public_id}/stock/adjust", "post", status=400,
          data={"quantity": "abc", "reason": "damaged"})

    html = _page(chinese, "/merchant/products/bulk", "post", status=400,
                 data={f"was-price-{eggs.public_id}": "10.00", f"price-{eggs.public_id}": "abc",
                       f"was-count-{eggs.public_id}": "3", f"count-{eggs.public_id}": "-3"})
    assert "请输入价格，例如 12.50" in html and "请输入货架上的整数数量" in html

    bad_header = "sku,name,price,colour\n69010,土鸡蛋,1.00,red\n".encode()
    html = _page(chinese, "/merchant/products/csv", "post", status=400, allowed=CSV_VOCABULARY | {"colour"},
                 content_type="multipart/form-data", data={"file": (io.BytesIO(bad_header), "products.csv")})
    assert "未知的列" in html
    bad_rows = "sku,name,price,stock_on_hand,status\n69010,,abc,-1,gone\n!!,香醋,1,1,active\n".encode()
    html = _page(chinese, "/merchant/products/csv", "post", status=400, allowed=CSV_VOCABULARY | {"abc", "gone"},
                 content_type="multipart/form-data", data={"file": (io.BytesIO(bad_rows), "products.csv")})
    assert "“abc”不是有效价格" in html and "“名称”不能为空" in html and "货号只能包含" in html
    assert "“状态”只能是以下之一：active, archived" in html and "“现有库存”必须是 0 到" in html
    for data in (b"", "sku,name,price\n".encode(), b"\xff\xfe\x00bad"):
        _page(chinese, "/merchant/products/csv", "post", status=400, allowed=CSV_VOCABULARY,
              content_type="multipart/form-data", data={"file": (io.BytesIO(data), "products.csv")})
    _page(chinese, "/merchant/products/csv", "post", status=400, allowed=CSV_VOCABULARY,
          content_type="multipart/form-data", data={})
    assert db.session.execute(select(Product).where(Product.sku == "69099")).first() is None


def test_what_the_merchant_is_told_after_each_change_is_in_chinese(chinese, stocked):
    eggs, rice = stocked
    shop_form = {"name": "林记杂货", "kind": "retail", "category": "grocery", "latitude": "28.656",
                 "longitude": "121.421", "pickup_enabled": "y", "is_open": "y", "mon": "08:00-20:00"}
    assert "店铺信息已保存" in _page(chinese, "/merchant/shop", "post", data=shop_form, follow_redirects=True)
    html = _page(chinese, "/merchant/products/new", "post", follow_redirects=True, content_type="multipart/form-data",
                 data={"sku": "69077", "name": "酱油", "category": "grocery", "unit": "bottle", "price": "6.50",
                       "initial_stock": "4", "photo": (io.BytesIO(image_bytes()), "soy.png")})
    assert "商品已添加" in html
    assert "商品已保存" in _page(chinese, f"/merchant/products/{eggs.public_id}", "post", follow_redirects=True,
                               data={"sku": "69010", "name": "土鸡蛋", "category": "grocery", "unit": "box",
                                     "price": "12.80"})
    assert "商品已下架" in _page(chinese, f"/merchant/products/{rice.public_id}/archive", "post",
                                follow_redirects=True)
    assert "商品已重新上架" in _page(chinese, f"/merchant/products/{rice.public_id}/archive", "post",
                                  follow_redirects=True)
    assert "库存已更新" in _page(chinese, f"/merchant/products/{eggs.public_id}/stock/adjust", "post",
                               follow_redirects=True, data={"quantity": "5", "reason": "found"})
    assert "盘点已记录" in _page(chinese, f"/merchant/products/{eggs.public_id}/stock/count", "post",
                               follow_redirects=True, data={"counted": "7"})
    assert "盘点数与库存一致" in _page(chinese, f"/merchant/products/{eggs.public_id}/stock/count", "post",
                                   follow_redirects=True, data={"counted": "7"})
    assert "已保存：1 个价格" in _page(chinese, "/merchant/products/bulk", "post", follow_redirects=True,
                                   data={f"was-price-{eggs.public_id}": "12.80", f"price-{eggs.public_id}": "13.00"})
    csv = "sku,name,price,stock_on_hand\n69088,香醋,5.00,3\n69010,土鸡蛋,13.00,9\n".encode("utf-8")
    assert "已导入：新增 1 个，更新 1 个" in _page(chinese, "/merchant/products/csv", "post", follow_redirects=True,
                                           content_type="multipart/form-data",
                                           data={"file": (io.BytesIO(csv), "products.csv")})
    stock_page = _page(chinese, f"/merchant/products/{eggs.public_id}/stock")
    assert "CSV 导入" in stock_page and "批量修改" not in stock_page  # a price change is no stock movement


def test_api_errors_speak_the_callers_language_and_keep_json_names(client, shop):
    """As the rest of the API: the message in the caller's language; `param` and `code` never change."""
    from tests.factories import api_token, bearer

    token = api_token(client, shop.owner)
    for language, message in (
            ("en", "'price' must be a whole number from 0 to 1000000000."),
            ("zh-CN", "“price”必须是 0 到 1000000000 之间的整数。")):
        resp = client.post(f"/api/v1/shops/{shop.public_id}/products", json={"sku": "X-1", "name": "醋", "price": -5},
                           headers={**bearer(token), "Accept-Language": language})
        assert resp.status_code == 400
        assert resp.get_json()["error"] == {"type": "invalid_request_error", "code": "invalid_field",
                                            "message": message, "param": "price"}
    resp = client.post(f"/api/v1/shops/{shop.public_id}/products", json={"sku": "X-1", "name": "醋", "price": 100},
                       headers={**bearer(token), "Accept-Language": "zh-CN"})
    assert resp.status_code == 201
    resp = client.post(f"/api/v1/products/{resp.get_json()['id']}/stock-movements",
                       json={"quantity": -1, "reason": "damaged"}, headers={**bearer(token), "Accept-Language": "zh-CN"})
    assert resp.status_code == 409 and resp.get_json()["error"]["message"] == "库存不足。"
