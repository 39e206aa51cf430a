"""Product pictures in the catalog's cards: beside each picture wider than a card needs, a copy CARD_WIDTH pixels
wide (`x.jpg` → `x.card.jpg`, same folder and format), made when the picture is uploaded and committed for the
demo pictures. The card offers both with `srcset`, so a browser that draws the card at most CARD_WIDTH device pixels
wide decodes and draws a quarter of the pixels. Plain Python: no Reflex."""
from __future__ import annotations

import io
import re
from pathlib import Path

from . import routes
from .settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"  # served at the site's root by the frontend build (the demo pictures)
CARD_WIDTH = 400
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}(\.card)?\.(png|jpg|gif|webp)$")


def uploads_dir() -> Path:
    path = Path(get_settings().rxshop_images_dir)
    path = path if path.is_absolute() else ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def card_url(url: str) -> str:
    """Where a picture's card copy is (or would be): `/products/x.jpg` → `/products/x.card.jpg`."""
    stem, dot, ext = url.rpartition(".")
    return f"{stem}.card.{ext}" if dot and "/" not in ext else url


def stored_file(url: str) -> Path | None:
    """The file behind a picture's URL: an upload, or a file under assets/; None for anything else."""
    if not isinstance(url, str):
        return None
    if url.startswith(routes.IMAGE_PREFIX):
        name = url[len(routes.IMAGE_PREFIX):]
        return uploads_dir() / name if UPLOAD_NAME.match(name) else None
    if url.startswith("/") and not url.startswith("//") and ".." not in url:
        return ASSETS / url.lstrip("/")
    return None


_found: dict[str, str] = {}  # picture URL -> its srcset, once its copy exists (a URL never gets another file)


def card_srcset(url: str) -> str:
    """`srcset` for a card's picture: the card copy and the picture itself when the copy exists, else "" (the
    picture alone). A copy exists only for pictures wider than CARD_WIDTH, so the browser takes the copy exactly
    when the card needs at most CARD_WIDTH device pixels; the picture's own descriptor (twice the copy's) only ranks
    it above the copy (the card's box, not the file, sets the size on the page). A copy made later (the
    `card-images` command) is found at the next look."""
    found = _found.get(url)
    if found is not None:
        return found
    copy = stored_file(card_url(url)) if url else None
    if copy is None or not copy.is_file():
        return ""
    if len(_found) > 10_000:
        _found.clear()
    found = _found[url] = f"{card_url(url)} {CARD_WIDTH}w, {url} {CARD_WIDTH * 2}w"
    return found


def make_card_copy(data: bytes) -> bytes | None:
    """A CARD_WIDTH-wide copy of an image in its own format, turned upright as browsers show the picture (a
    camera's EXIF orientation) and with its colour profile; None when there's nothing to gain (the image is no
    wider, or animated)."""
    from PIL import Image, ImageOps  # operators only: not at every start

    with Image.open(io.BytesIO(data)) as img:
        if getattr(img, "is_animated", False):
            return None
        fmt, profile = img.format, img.info.get("icc_profile")
        upright = ImageOps.exif_transpose(img)
        if upright.width <= CARD_WIDTH:
            return None
        height = max(1, round(upright.height * CARD_WIDTH / upright.width))
        copy = upright.resize((CARD_WIDTH, height), Image.LANCZOS)
    if fmt == "JPEG" and copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
    if profile:
        options["icc_profile"] = profile
    out = io.BytesIO()
    copy.save(out, fmt, optimize=True, **options)
    return out.getvalue()


def make_missing_copies(urls) -> int:
    """Card copies for pictures that lack one (uploaded before copies were made). Returns how many were made."""
    made = 0
    for url in urls:
        picture, copy = stored_file(url), stored_file(card_url(url))
        if picture is None or copy is None or copy == picture or copy.exists() or not picture.is_file():
            continue
        data = make_card_copy(picture.read_bytes())
        if data is not None:
            copy.write_bytes(data)
            made += 1
    return made
