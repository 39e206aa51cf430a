"""Digital delivery through the shop: per-order-line signed links (itsdangerous) that expire, are limited in count
and stop working once the order is fully refunded. A link names an order line, never the file or the external URL
behind it. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from . import routes
from .models import DownloadGrant, Order, OrderLine, OrderStatus, ProductFile
from .models.base import utcnow
from .settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
SALT = "rxshop-download"
STORED_NAME = re.compile(r"^[0-9a-f]{32}$")  # product files are stored under random names (rxshop/admin/media.py)


def files_dir() -> Path:
    """RXSHOP_FILES_DIR (relative to the project): product files, outside everything that is served."""
    path = Path(get_settings().rxshop_files_dir)
    path = path if path.is_absolute() else ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(stored_name: str) -> Path | None:
    if not isinstance(stored_name, str) or not STORED_NAME.match(stored_name):
        return None
    path = files_dir() / stored_name
    return path if path.is_file() else None


@dataclasses.dataclass(frozen=True)
class Delivery:
    """What a valid link delivers: a stored file (path, name, type) or a redirect to an external URL."""

    path: Path | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    redirect: str = ""


class DownloadRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@lru_cache
def _secret() -> str:
    """RXSHOP_SECRET_KEY, else a random key kept in var/secret-key (set the variable when running several hosts)."""
    if key := get_settings().rxshop_secret_key:
        return key
    path = ROOT / "var" / "secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    except FileExistsError:
        pass
    return path.read_text().strip()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt=SALT)


def may_deliver(order: Order | None) -> bool:
    """Downloads work for a paid order, also after a partial refund; never before payment or after a full one."""
    return order is not None and order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


def _deliverable(db: Session, lines: list[OrderLine]) -> list[OrderLine]:
    ids = [ln.product_id for ln in lines if ln.product_id]
    with_file = set(db.exec(select(ProductFile.product_id).where(col(ProductFile.product_id).in_(ids)))) if ids \
        else set()
    return [ln for ln in lines if ln.delivery_url or ln.product_id in with_file]


def links_for(db: Session, order: Order, lines: list[OrderLine]) -> dict[int, str]:
    """Fresh signed links {order line id: absolute URL} for the lines that have something to deliver.
    Read-only: the confirmation page and the receipt email may make links at the same moment."""
    if not may_deliver(order):
        return {}
    signer = _serializer()
    return {ln.id: routes.absolute(routes.download(signer.dumps({"l": ln.id}))) for ln in _deliverable(db, lines)}


def _count(db: Session, order: Order, line: OrderLine) -> bool:
    """Count one download of the line; False when it reached the limit (atomic: concurrent clicks can't pass it)."""
    limit = get_settings().rxshop_download_limit
    for _ in range(2):
        counted = db.execute(update(DownloadGrant)
                             .where(col(DownloadGrant.order_line_id) == line.id,
                                    col(DownloadGrant.downloads) < limit)
                             .values(downloads=DownloadGrant.downloads + 1, last_download_at=utcnow()))
        db.commit()
        if counted.rowcount == 1:
            return True
        if db.exec(select(DownloadGrant.id).where(DownloadGrant.order_line_id == line.id)).first() is not None:
            return False  # the row exists: the limit is reached
        if limit < 1:
            return False
        db.add(DownloadGrant(order_id=order.id, order_line_id=line.id, downloads=1, last_download_at=utcnow()))
        try:
            db.commit()
            return True
        except IntegrityError:  # a concurrent first download made the row: count against it
            db.rollback()
    return False


def reset_counts(db: Session, order: Order) -> None:
    """The operator re-sends the links: the buyer may download each line the full number of times again."""
    db.execute(update(DownloadGrant).where(col(DownloadGrant.order_id) == order.id).values(downloads=0))
    db.commit()


def open_download(db: Session, token: object) -> Delivery:
    """Check a link and count the download (atomically: concurrent clicks can't exceed the limit)."""
    settings = get_settings()
    if not isinstance(token, str) or len(token) > 500:
        raise DownloadRefused(404, "This download link is not valid.")
    try:
        data = _serializer().loads(token, max_age=int(settings.rxshop_download_days * 86400))
        line_id = int(data["l"])
    except SignatureExpired:
        raise DownloadRefused(410, "This download link has expired. Open your order page (link in your receipt) "
                                   "to get a fresh one.") from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise DownloadRefused(404, "This download link is not valid.") from None
    line = db.get(OrderLine, line_id)
    order = db.get(Order, line.order_id) if line else None
    if order is None or line is None:
        raise DownloadRefused(404, "This download link is not valid.")
    if not may_deliver(order):
        raise DownloadRefused(403, "Downloads for this order are no longer available (the order was refunded).")
    stored = db.exec(select(ProductFile).where(ProductFile.product_id == line.product_id)).first() \
        if line.product_id else None
    if stored is None and not line.delivery_url:
        raise DownloadRefused(404, "There is nothing to download for this item.")
    if not _count(db, order, line):
        raise DownloadRefused(429, f"This item was downloaded {settings.rxshop_download_limit} times already, "
                                   "the most one purchase allows. Contact the shop if you need it again.")
    if stored is not None:
        path = file_path(stored.stored_name)
        if path is None:
            raise DownloadRefused(404, "The file is missing. Contact the shop.")
        return Delivery(path=path, filename=stored.filename, content_type=stored.content_type)
    return Delivery(redirect=line.delivery_url)
