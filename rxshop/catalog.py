"""Catalog rules: what is for sale and how it is shown. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses

from sqlmodel import Session, select

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
    stock_note: str = ""


def stock_note(product: Product) -> str:
    if product.stock is None:
        return ""
    if product.stock <= 0:
        return "Sold out"
    if product.stock <= 5:
        return f"Only {product.stock} left"
    return ""


def to_card(product: Product) -> ProductCard:
    return ProductCard(
        id=product.id or 0,
        slug=product.slug,
        name=product.name,
        description=product.description,
        price=format_money(product.price_cents, product.currency),
        image=product.image,
        available=product.active and (product.stock is None or product.stock > 0),
        stock_note=stock_note(product),
    )


def list_active(session: Session) -> list[Product]:
    return list(session.exec(select(Product).where(Product.active == True).order_by(Product.id)))  # noqa: E712


def get_active_by_slug(session: Session, slug: str) -> Product | None:
    if not isinstance(slug, str) or not slug or len(slug) > 80:
        return None
    return session.exec(select(Product).where(Product.slug == slug, Product.active == True)).first()  # noqa: E712


def catalog_cards(session: Session) -> list[ProductCard]:
    return [to_card(p) for p in list_active(session)]
