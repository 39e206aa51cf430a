"""Smaller copies of product pictures: beside each picture, one copy for each width in WIDTHS that the picture is
wider than (`x.jpg` → `x.w400.jpg`, `x.w800.jpg`; same folder and format), made when the picture is uploaded and
committed for the demo pictures. Pages offer them with `srcset` and say in `sizes` how wide they draw the picture,
so the browser fetches and draws the smallest copy that is sharp enough: a catalog card on a wide screen takes
the 400 px one, a product page the 800 px one, a phone's high-density screen the picture itself. Plain Python:
no Reflex."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

from . import routes
from .settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"  # served at the site's root by the frontend build (the demo pictures)
WIDTHS = (400, 800)
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}(\.w[0-9]+)?\.(png|jpg|gif|webp)$")


def uploads_dir() -> Path:
    path = Path(get_settings().rxshop_images_dir)
    path = path if path.is_absolute() else ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def copy_url(url: str, width: int) -> str:
    """Where a picture's copy of this width is (or would be): `/products/x.jpg` → `/products/x.w400.jpg`."""
    stem, dot, ext = url.rpartition(".")
    return f"{stem}.w{width}.{ext}" if dot and "/" not in ext else url


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


def _copies(url: str) -> list[int]:
    """The widths of the copies this picture has."""
    found = []
    for width in WIDTHS:
        copy = stored_file(copy_url(url, width)) if url else None
        if copy is None or copy == stored_file(url) or not copy.is_file():
            break  # a picture too narrow for a copy is too narrow for the wider ones
        found.append(width)
    return found


RECHECK_SECONDS = 60.0  # how long a picture that may still get copies (image-copies) is taken as it was
_seen: dict[str, tuple[float, str]] = {}  # picture URL -> (when to look again, its srcset)
_clock = time.monotonic


def srcset(url: str) -> str:
    """`srcset` for a picture: its copies and the picture itself, or "" when it has none (the picture alone). A
    copy of width W exists only when the picture is wider, so the browser takes a copy exactly when the place needs
    at most W device pixels; the picture's own descriptor (twice its largest copy's) only ranks it above them (the
    page's box, not the file, sets its size). Remembered (a URL never gets another file; looking costs about
    8 µs per copy, on every catalog refresh): for good once the picture has every copy, else for RECHECK_SECONDS,
    so copies made later (`python -m rxshop.admin image-copies`) are offered within a minute."""
    now = _clock()
    seen = _seen.get(url)
    if seen is not None and now < seen[0]:
        return seen[1]
    widths = _copies(url)
    found = ", ".join([f"{copy_url(url, w)} {w}w" for w in widths] + [f"{url} {2 * widths[-1]}w"]) if widths else ""
    if len(_seen) > 10_000:
        _seen.clear()
    _seen[url] = (float("inf") if len(widths) == len(WIDTHS) else now + RECHECK_SECONDS, found)
    return found


def make_copies(data: bytes) -> dict[int, bytes]:
    """The copies of an image, by width, in its own format, turned upright as browsers show the picture (a
    camera's EXIF orientation) and with its colour profile; none for widths it isn't wider than, nor when it is
    animated."""
    from PIL import Image, ImageOps  # operators only: not at every start

    copies: dict[int, bytes] = {}
    with Image.open(io.BytesIO(data)) as img:
        if getattr(img, "is_animated", False):
            return copies
        fmt, profile = img.format, img.info.get("icc_profile")
        upright = ImageOps.exif_transpose(img)
        for width in WIDTHS:
            if upright.width <= width:
                break
            copy = upright.resize((width, max(1, round(upright.height * width / upright.width))), Image.LANCZOS)
            if fmt == "JPEG" and copy.mode not in ("RGB", "L"):
                copy = copy.convert("RGB")
            options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
            if profile:
                options["icc_profile"] = profile
            out = io.BytesIO()
            copy.save(out, fmt, optimize=True, **options)
            copies[width] = out.getvalue()
    return copies


def save_copies(url: str, data: bytes) -> int:
    """Write the copies of the picture at `url` (its bytes `data`) beside it; how many were written."""
    copies = make_copies(data)
    for width, copy in copies.items():
        stored_file(copy_url(url, width)).write_bytes(copy)
    return len(copies)


def make_missing_copies(urls) -> int:
    """Copies for pictures that lack them (uploaded before copies were made). Returns how many were written."""
    made = 0
    for url in urls:
        picture = stored_file(url)
        if picture is None or not picture.is_file():
            continue
        have = _copies(url)
        for width, copy in make_copies(picture.read_bytes()).items():
            if width not in have:
                stored_file(copy_url(url, width)).write_bytes(copy)
                made += 1
    return made
