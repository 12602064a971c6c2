"""The shop's printable QR poster: its storefront address as a QR code, in PNG (print shops) and SVG (any size)."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

POSTER_WIDTH = 1240  # A6 at 300 dpi is 1240 x 1748: fits a counter or a notice board
POSTER_HEIGHT = 1748


def storefront_url(base_url: str, shop_public_id: str) -> str:
    return f"{base_url.rstrip('/')}/shops/{shop_public_id}"


def _qr(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_svg(url: str) -> bytes:
    """A standalone SVG of the code alone, which scales to any print size without blurring."""
    image = _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def _font(size: int):
    for name in ("NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                 "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def poster_png(url: str, shop_name: str, caption: str) -> bytes:
    """An A6 poster: the shop's name, the code, a line telling people to scan it, and the address in text."""
    code = _qr(url).make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    side = POSTER_WIDTH - 200
    code = code.resize((side, side), Image.Resampling.NEAREST)
    poster = Image.new("RGB", (POSTER_WIDTH, POSTER_HEIGHT), "white")
    draw = ImageDraw.Draw(poster)
    draw.rectangle((0, 0, POSTER_WIDTH, 200), fill=(15, 123, 95))
    _centred(draw, shop_name, 100, _font(84), fill="white")
    poster.paste(code, (100, 260))
    _centred(draw, caption, 260 + side + 90, _font(60), fill=(29, 35, 32))
    _centred(draw, url, 260 + side + 190, _font(34), fill=(102, 112, 107))
    out = io.BytesIO()
    poster.save(out, "PNG", optimize=True, dpi=(300, 300))
    return out.getvalue()


def _centred(draw: ImageDraw.ImageDraw, text: str, y: int, font, *, fill) -> None:
    while True:
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= POSTER_WIDTH - 80 or len(text) < 4:
            break
        text = text[:-2] + "…"
    draw.text(((POSTER_WIDTH - (right - left)) / 2, y - (bottom - top) / 2 - top), text, font=font, fill=fill)
