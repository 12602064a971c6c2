"""The QR poster scans: a real decoder (zxing-cpp) reads the shop's storefront address from the PNG and
the SVG, and that address opens the shop's storefront."""
from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from markupsafe import escape
from PIL import Image, ImageDraw


def _decode(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def _rasterise_svg(svg: bytes, scale: int = 8) -> Image.Image:
    """Draw the poster's SVG (qrcode's path of unit squares, `M x,y H x V y H x z`) on white, with no SVG
    library: what a print shop's software would draw."""
    text = svg.decode("utf-8")
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', text)
    assert box, text[:300]
    width, height = int(box.group(1)), int(box.group(2))
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path d="([^"]+)"', text).group(1)
    squares = re.findall(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z", path)
    assert squares, path[:200]
    for x0, y0, x1, y1, _x2 in squares:
        draw.rectangle((int(x0) * scale, int(y0) * scale, int(x1) * scale - 1, int(y1) * scale - 1), fill=0)
    return image


def test_the_decoder_reads_nothing_from_a_blank_page():
    assert _decode(Image.new("L", (400, 400), 255)) == []


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_png_poster_scans_to_the_shops_storefront(app, logged_in, shop, language):
    app.config["PUBLIC_BASE_URL"] = "https://market.example.cn"
    resp = logged_in.get("/merchant/shop/poster.png", headers={"Accept-Language": language})
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    poster = Image.open(io.BytesIO(resp.data))
    assert poster.size == (1240, 1748)
    assert _decode(poster) == [f"https://market.example.cn/shops/{shop.public_id}"]


def test_the_svg_poster_scans_to_the_same_address_and_that_address_opens_the_shop(logged_in, shop):
    svg = logged_in.get("/merchant/shop/poster.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    (url,) = _decode(_rasterise_svg(svg.data))
    assert url == f"http://localhost/shops/{shop.public_id}"
    png_urls = _decode(Image.open(io.BytesIO(logged_in.get("/merchant/shop/poster.png").data)))
    assert png_urls == [url]
    storefront = logged_in.get(url.removeprefix("http://localhost"))
    assert storefront.status_code == 200 and str(escape(shop.name)) in storefront.get_data(as_text=True)


def test_the_poster_page_shows_the_code_it_prints(logged_in, shop):
    page = logged_in.get("/merchant/shop/poster").get_data(as_text=True)
    inline = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert _decode(_rasterise_svg(inline.encode())) == [f"http://localhost/shops/{shop.public_id}"]


def test_the_poster_prints_chinese_names_in_a_font_that_has_them():
    """A font without Chinese draws every character as the same empty box: two characters would match."""
    from merchants.backoffice import poster

    font = poster._font(60)
    shapes = {bytes(font.getmask(char)) for char in "林记杂货扫码"}
    assert len(shapes) == 6
