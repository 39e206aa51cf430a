"""Catalog rules: what is for sale and how it is shown. Plain Python: no Reflex, no Stripe.

The products live in memory between changes: `snapshot()` reads one integer (`catalogversion.version`, bumped by
database triggers on any change to a product, from any process) and re-reads the product table only when it moved.
So a cart, a page or an order sees exactly what the database holds, at the cost of one tiny query."""
from __future__ import annotations

import dataclasses
import datetime
import weakref

import sqlalchemy as sa
from sqlmodel import Session

from . import availability, images
from .db import BLOCK, DB, Statement, connection_of
from .models import Product
from .money import format_money


@dataclasses.dataclass(frozen=True, slots=True)
class ProductRow:
    """A product as the database holds it (what pages, carts, orders and the sitemap read). Immutable: shared."""

    id: int
    slug: str
    name: str
    description: str
    price_cents: int
    currency: str
    image: str
    delivery_url: str
    stock: int | None
    active: bool
    updated_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class Snapshot:
    version: int
    by_id: dict[int, ProductRow]
    by_slug: dict[str, ProductRow]
    active: tuple[ProductRow, ...]  # by id


_FIELDS = [f.name for f in dataclasses.fields(ProductRow)]
_PRODUCTS = sa.select(*(getattr(Product.__table__.c, name) for name in _FIELDS)).order_by(Product.__table__.c.id)
_VERSION = Statement("SELECT version FROM catalogversion WHERE id = 1")
_snapshots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> Snapshot
_SEEN = "rxshop_catalog_seen"  # conn.info key: (connect block, the snapshot it read)


def snapshot(session: DB) -> Snapshot:
    """The whole catalog as of now: cached per database, re-read when a product changed. Within one `db.connect()`
    block (a cart change and its view) the version is read once: the block sees the catalog as it began."""
    conn = connection_of(session)
    block = conn.info.get(BLOCK)
    seen = conn.info.get(_SEEN)
    if block is not None and seen is not None and seen[0] == block:
        return seen[1]
    version = _VERSION.scalar(session)
    cached = _snapshots.get(conn.engine)
    if cached is not None and cached.version == version:
        if block is not None:
            conn.info[_SEEN] = (block, cached)
        return cached
    # Read after the version: a change in between shows up as a newer version at the next call.
    rows = [ProductRow(*row) for row in conn.execute(_PRODUCTS)]
    snap = Snapshot(version, {p.id: p for p in rows}, {p.slug: p for p in rows}, tuple(p for p in rows if p.active))
    if version is not None:  # no version row: never cache
        _snapshots[conn.engine] = snap
        if block is not None:
            conn.info[_SEEN] = (block, snap)
    return snap


@dataclasses.dataclass
class ProductCard:
    """What a page shows of a product (no delivery url: that is only for buyers)."""

    id: int = 0
    slug: str = ""
    name: str = ""
    description: str = ""
    price: str = ""
    image: str = ""
    srcset: str = ""  # the picture and its smaller copies, when it has them (rxshop/images.py)
    available: bool = True
    problem: str = ""  # why it can't be bought, e.g. "Sold out"
    stock_note: str = ""


def to_card(product: Product | ProductRow, currency: str | None = None) -> ProductCard:
    verdict = availability.check(product, 1, currency)
    return ProductCard(
        id=product.id or 0,
        slug=product.slug,
        name=product.name,
        description=product.description,
        price=format_money(product.price_cents, product.currency),
        image=product.image,
        srcset=images.srcset(product.image),
        available=verdict.ok,
        problem=verdict.problem,
        stock_note=availability.stock_note(product, currency),
    )


def get(session: DB, product_id: int) -> ProductRow | None:
    return snapshot(session).by_id.get(product_id)


def list_active(session: Session) -> list[ProductRow]:
    return list(snapshot(session).active)


def get_active_by_slug(session: Session, slug: object) -> ProductRow | None:
    if not isinstance(slug, str) or not slug or len(slug) > 80:
        return None
    product = snapshot(session).by_slug.get(slug)
    return product if product is not None and product.active else None


def catalog_cards(session: Session) -> list[ProductCard]:
    return [to_card(p) for p in list_active(session)]
