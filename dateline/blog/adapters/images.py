"""The one wrapper around Pillow: reads an uploaded picture and makes its card-sized copy.

Plain bytes in, plain records out; storage and models are the services' business.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from dateline.blog.exceptions import InvalidImage

# Formats a browser shows everywhere; anything else is refused rather than stored unseen.
_WEB_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# A decompression bomb is a small file that opens as billions of pixels: refuse it unread.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True, slots=True)
class Picture:
    width: int
    height: int
    # The file name extension of its format: "jpg", "png", "gif", "webp".
    extension: str


@dataclass(frozen=True, slots=True)
class Card:
    """The copy sized for post cards and social previews."""

    data: bytes
    width: int
    height: int
    extension: str


def read(data: bytes) -> Picture:
    with _open(data) as image:
        return Picture(image.width, image.height, _WEB_FORMATS[image.format or ""])


def card_copy(data: bytes, *, max_width: int) -> Card:
    """A copy at most `max_width` wide (never enlarged), turned upright per its EXIF tag and
    stripped of metadata (a phone photo's EXIF carries where it was taken)."""
    with _open(data) as image:
        upright = ImageOps.exif_transpose(image)
        if upright.width > max_width:
            height = max(1, round(upright.height * max_width / upright.width))
            upright = upright.resize((max_width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if upright.mode in ("RGBA", "LA", "P") and image.format != "JPEG":
            upright.save(out, format="PNG", optimize=True)
            extension = "png"
        else:
            upright.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
            extension = "jpg"
        return Card(out.getvalue(), upright.width, upright.height, extension)


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as error:
        raise InvalidImage("the file is not a picture this site can show") from error
    if image.format not in _WEB_FORMATS:
        image.close()
        raise InvalidImage(f"{image.format} pictures are not shown by browsers; use JPEG or PNG")
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise InvalidImage(f"the picture is {image.width}x{image.height}, too large to resize")
    try:
        image.load()
    except (OSError, Image.DecompressionBombError) as error:
        image.close()
        raise InvalidImage("the picture is damaged or truncated") from error
    return image
