"""Shop logos and product photos: checked with Pillow, re-encoded, thumbnailed, stored under UPLOAD_FOLDER.

Re-encoding drops whatever else the upload carried (metadata, trailing bytes, a script dressed as an
image), so only pixels we produced are ever served back.
"""
from __future__ import annotations

import hashlib
import io
import os

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import BadFile
from .wording import N_

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is a decompression bomb, not a picture
FULL_SIZE = 1600
THUMB_SIZE = 400


def max_bytes() -> int:
    return int(current_app.config.get("BACKOFFICE_MAX_IMAGE_BYTES", 5 * 1024 * 1024))


def upload_root() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def thumbnail_path(path: str | None) -> str | None:
    """Where the thumbnail of a stored image lives, next to it."""
    if not path:
        return None
    folder, name = os.path.split(path)
    return f"{folder}/thumb_{name}" if folder else f"thumb_{name}"


def store_image(data: bytes, folder: str) -> str:
    """Check an uploaded image and store it (at most FULL_SIZE px) with a THUMB_SIZE thumbnail.

    Returns the path under UPLOAD_FOLDER, named by the content's hash so the same photo twice is stored once.
    """
    if not data:
        raise BadFile(N_("The file is empty."), param="photo")
    limit = max_bytes()
    if len(data) > limit:
        raise BadFile(N_("The image is larger than %(n)d MB.", n=limit // (1024 * 1024)), param="photo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadFile(N_("That file is not an image we can read; send a JPEG, PNG, WebP or GIF."),
                      param="photo") from None
    if fmt not in ACCEPTED_FORMATS:
        raise BadFile(N_("Send a JPEG, PNG, WebP or GIF image."), param="photo")
    if width * height > MAX_PIXELS:
        raise BadFile(N_("The image has too many pixels; send a smaller one."), param="photo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
            full = _shrunk(image, FULL_SIZE)
            thumb = ImageOps.fit(image, (THUMB_SIZE, THUMB_SIZE), method=Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise BadFile(N_("The image is damaged; send another one."), param="photo") from None
    keep_alpha = full.mode == "RGBA"
    ext, save_format = ("png", "PNG") if keep_alpha else ("jpg", "JPEG")
    name = hashlib.sha256(data).hexdigest()[:24] + "." + ext
    relative = f"{folder}/{name}"
    target = os.path.join(upload_root(), folder)
    os.makedirs(target, exist_ok=True)
    options = {} if keep_alpha else {"quality": 85, "optimize": True}
    full.save(os.path.join(target, name), save_format, **options)
    thumb.save(os.path.join(target, f"thumb_{name}"), save_format, **options)
    return relative


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)


def _shrunk(image: Image.Image, size: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    return copy
