"""Catalog rules: what is for sale and how it is shown. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses

from sqlmodel import Session, select

from . import availability
from .models import Product
from .money import format_money


@dataclasses.dataclass
class ProductCard:
    """What a page shows of a product (no delivery url: that is only for buyers)."""

    id: int = 0
    slug: str = ""
    name: str = ""
    description: str = ""
    price: str = ""
    image: str = ""
    available: bool = True
    problem: str = ""  # why it can't be bought, e.g. "Sold out"
    stock_note: str = ""


def to_card(product: Product, currency: str | None = None) -> ProductCard:
    verdict = availability.check(product, 1, currency)
    return ProductCard(
        id=product.id or 0,
        slug=product.slug,
        name=product.name,
        description=product.description,
        price=format_money(product.price_cents, product.currency),
        image=product.image,
        available=verdict.ok,
        problem=verdict.problem,
        stock_note=availability.stock_note(product, currency),
    )


def list_active(session: Session) -> list[Product]:
    return list(session.exec(select(Product).where(Product.active == True).order_by(Product.id)))  # noqa: E712


def get_active_by_slug(session: Session, slug: str) -> Product | None:
    if not isinstance(slug, str) or not slug or len(slug) > 80:
        return None
    return session.exec(select(Product).where(Product.slug == slug, Product.active == True)).first()  # noqa: E712


def catalog_cards(session: Session) -> list[ProductCard]:
    return [to_card(p) for p in list_active(session)]
