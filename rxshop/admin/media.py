"""Uploaded product images and product files. Images are checked with Pillow (a real PNG/JPEG/GIF/WebP, size- and
pixel-limited) and served at /api/images/<name>; files go to RXSHOP_FILES_DIR under a random name, outside
everything that is served, and reach buyers only through signed download links."""
from __future__ import annotations

import io
import re
import secrets
from pathlib import Path
from typing import BinaryIO

from .. import delivery, images, routes
from ..settings import get_settings

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
MAX_PIXELS = 40_000_000
IMAGE_URL_PREFIX = routes.IMAGE_PREFIX


class MediaError(ValueError):
    """A message the operator may see."""


def images_dir() -> Path:
    return images.uploads_dir()


def files_dir() -> Path:
    return delivery.files_dir()


def _read_limited(src: BinaryIO, limit: int) -> bytes:
    data = src.read(limit + 1)
    if len(data) > limit:
        raise MediaError(f"The file is larger than {limit // 1_000_000} MB.")
    return data


def check_image(data: bytes) -> str:
    """The file extension for an image we accept, or MediaError."""
    from PIL import Image, UnidentifiedImageError  # operators only: not at every start

    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            width, height = img.size
            img.verify()  # decodes the structure: a renamed text file or a truncated image fails here
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise MediaError("That file is not an image (PNG, JPEG, GIF or WebP).") from None
    if fmt not in IMAGE_FORMATS:
        raise MediaError("Images are PNG, JPEG, GIF or WebP.")
    if width * height > MAX_PIXELS:
        raise MediaError("That image has too many pixels.")
    return IMAGE_FORMATS[fmt]


def save_image(src: BinaryIO) -> str:
    """Check and store an uploaded image; returns its URL path for Product.image."""
    data = _read_limited(src, get_settings().rxshop_image_max_bytes)
    ext = check_image(data)
    name = f"{secrets.token_hex(16)}.{ext}"
    url = IMAGE_URL_PREFIX + name
    images.save_copies(url, data)  # first: a page that finds the picture finds its copies too (rxshop/images.py)
    (images_dir() / name).write_bytes(data)
    return url


def image_path(name: str) -> Path | None:
    """The stored image for /api/images/<name>, if the name is one we made and the file exists."""
    if not isinstance(name, str) or not images.UPLOAD_NAME.match(name):
        return None
    path = images_dir() / name
    return path if path.is_file() else None


def clean_filename(name: object) -> str:
    text = Path(name).name if isinstance(name, str) else ""
    text = re.sub(r"[^A-Za-z0-9._ -]+", "_", text).strip(" .")[:200]
    return text or "download"


def save_file(src: BinaryIO) -> tuple[str, int]:
    """Store a product file under a random name; returns (stored name, size)."""
    limit = get_settings().rxshop_file_max_bytes
    stored = secrets.token_hex(16)
    target = files_dir() / stored
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := src.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise MediaError(f"The file is larger than {limit // 1_000_000} MB.")
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if size == 0:
        target.unlink(missing_ok=True)
        raise MediaError("The file is empty.")
    return stored, size


def remove_file(stored_name: str) -> None:
    if (path := delivery.file_path(stored_name)) is not None:
        path.unlink(missing_ok=True)


