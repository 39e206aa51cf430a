"""Cart rules. The cart lives in the database under an opaque random token the browser keeps; every view is
re-priced from the database. Inputs come from the browser, so everything is validated here.
Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses
import re
import secrets
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, select

from . import availability, catalog, images
from .availability import MAX_QUANTITY
from .catalog import ProductRow, get_active_by_slug
from .db import DB, Statement, connection_of, relax_durability
from .models import Cart, CartItem, Product
from .models.base import utcnow
from .money import format_money

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


class CartError(ValueError):
    """A problem the shopper should read; nothing was changed."""


@dataclasses.dataclass(frozen=True)  # shared: `line` hands out the same instance for the same inputs
class CartLine:
    """One line of a cart or of the express page's summary (made by `line`)."""

    product_id: int
    slug: str
    name: str
    image: str
    unit_price: str
    quantity: int
    line_total: str
    available: bool
    problem: str
    srcset: str = ""  # the picture's smaller copies (rxshop/images.py)


@dataclasses.dataclass
class CartView:
    lines: list[CartLine]
    count: int
    subtotal_cents: int
    currency: str
    subtotal: str
    can_checkout: bool


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_valid_token(token: object) -> bool:
    return isinstance(token, str) and bool(_TOKEN_RE.match(token))


def parse_id(value: object) -> int:
    """A positive database id from untrusted input."""
    if isinstance(value, bool):
        raise CartError("That product doesn't exist.")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value <= 0:
        raise CartError("That product doesn't exist.")
    return value


def parse_quantity(value: object) -> int:
    """A quantity 1..MAX_QUANTITY from untrusted input (int or digits)."""
    if isinstance(value, bool):
        raise CartError(availability.quantity_message())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        v = value.strip()
        value = int(v) if v.isdigit() and len(v) <= 6 else None
    if not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise CartError(availability.quantity_message())
    return value


def find_cart(session: Session, token: object) -> Cart | None:
    if not is_valid_token(token):
        return None
    return session.exec(select(Cart).where(Cart.token == token)).first()


@dataclasses.dataclass(frozen=True)
class CartRef:
    id: int
    token: str


# The hot path in plain SQL (same text on SQLite and PostgreSQL): no ORM objects, one statement per step, run on
# the DBAPI cursor (db.Statement).
_NOW = sa.DateTime()
_CART_ID = Statement("SELECT id FROM cart WHERE token = :token")
_NEW_CART = Statement("INSERT INTO cart (token, created_at, updated_at) VALUES (:token, :now, :now) RETURNING id",
                      now=_NOW)
_TOUCH = Statement("UPDATE cart SET updated_at = :now WHERE token = :token RETURNING id", now=_NOW)
# One statement adds a line or raises its quantity, and only while the result stays within the limit.
_ADD = Statement(
    "INSERT INTO cartitem (cart_id, product_id, quantity, added_at) VALUES (:cart, :product, :qty, :now) "
    "ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cartitem.quantity + excluded.quantity "
    "WHERE cartitem.quantity + excluded.quantity <= :limit RETURNING quantity", now=_NOW)
_QUANTITY = Statement("SELECT quantity FROM cartitem WHERE cart_id = :cart AND product_id = :product")
_SET = Statement("UPDATE cartitem SET quantity = :qty WHERE cart_id = :cart AND product_id = :product")
_REMOVE = Statement("DELETE FROM cartitem WHERE cart_id = :cart AND product_id = :product")
_ITEMS = Statement("SELECT c.id, i.product_id, i.quantity FROM cart c LEFT JOIN cartitem i ON i.cart_id = c.id "
                   "WHERE c.token = :token ORDER BY i.id")


def _cart_id(db, token: object) -> int | None:
    if not is_valid_token(token):
        return None
    return _CART_ID.scalar(db, {"token": token})


def _require(product: ProductRow | None, quantity: int, currency: str | None) -> ProductRow:
    verdict = availability.check(product, quantity, currency)
    if not verdict.ok:
        raise CartError(verdict.message)
    return product


def _limit(product: ProductRow) -> int:
    return MAX_QUANTITY if product.stock is None else min(MAX_QUANTITY, product.stock)


def add_item(session: DB, token: object, product_id: object, quantity: object = 1,
             currency: str | None = None) -> tuple[CartRef, ProductRow]:
    """Add `quantity` of a product; returns the (possibly new) cart. Raises CartError and changes nothing on bad input."""
    pid, qty = parse_id(product_id), parse_quantity(quantity)
    product = _require(catalog.get(session, pid), qty, currency)
    relax_durability(session)
    conn, now = connection_of(session), utcnow()
    # An existing cart is touched and found in one statement; an unknown or missing token gets a new cart.
    cart_id = _TOUCH.scalar(conn, {"token": token, "now": now}) if is_valid_token(token) else None
    if cart_id is None:
        token = new_token()
        cart_id = _NEW_CART.scalar(conn, {"token": token, "now": now})
    added = _ADD.scalar(conn, {"cart": cart_id, "product": pid, "qty": qty, "now": now, "limit": _limit(product)})
    if added is None:  # the line would pass the limit: nothing changed
        held = _QUANTITY.scalar(conn, {"cart": cart_id, "product": pid}) or 0
        session.rollback()
        _require(product, held + qty, currency)
        raise CartError(f"Only {_limit(product)} of {product.name} fit in your cart.")
    session.commit()
    return CartRef(cart_id, token), product


def set_quantity(session: DB, token: object, product_id: object, quantity: object,
                 currency: str | None = None) -> CartRef:
    pid, qty = parse_id(product_id), parse_quantity(quantity)
    relax_durability(session)
    conn = connection_of(session)
    cart_id = _cart_id(conn, token)
    held = _QUANTITY.scalar(conn, {"cart": cart_id, "product": pid}) if cart_id else None
    if held is None:
        raise CartError("That product is not in your cart.")
    _require(catalog.get(session, pid), qty, currency)
    _SET.run(conn, {"cart": cart_id, "product": pid, "qty": qty})
    _TOUCH.scalar(conn, {"token": token, "now": utcnow()})  # reads its RETURNING row: no statement left open
    session.commit()
    return CartRef(cart_id, token)


def remove_item(session: DB, token: object, product_id: object) -> CartRef:
    pid = parse_id(product_id)
    relax_durability(session)
    cart_id = _cart_id(session, token)
    if cart_id is None or _REMOVE.run(session, {"cart": cart_id, "product": pid}).rowcount != 1:
        session.rollback()
        raise CartError("That product is not in your cart.")
    session.commit()
    return CartRef(cart_id, token)


def remove_ordered(session: Session, cart_id: int, ordered: list[tuple[int | None, int]]) -> None:
    """Take the paid (product id, quantity) pairs out of the cart; what was added after the order stays."""
    for product_id, qty in ordered:
        item = session.exec(select(CartItem).where(CartItem.cart_id == cart_id,
                                                   CartItem.product_id == product_id)).first()
        if item is None:
            continue
        if item.quantity <= qty:
            session.delete(item)
        else:
            item.quantity -= qty
            session.add(item)


def cart_items(session: DB, token: object) -> tuple[int | None, list[tuple[ProductRow, int]]]:
    """The cart's id and its (product, quantity) lines in the order they were added; (None, []) without a cart."""
    if not is_valid_token(token):
        return None, []
    products = catalog.snapshot(session).by_id
    cart_id, items = None, []
    for cid, pid, qty in _ITEMS.run(session, {"token": token}).fetchall():
        cart_id = cid
        if pid is not None and pid in products:
            items.append((products[pid], qty))
    return cart_id, items


def line(product: ProductRow | Product, quantity: int, currency: str | None = None) -> CartLine:
    """One cart or order-summary line, priced from the database and flagged when it can't be sold."""
    currency = currency or availability.shop_currency()
    if isinstance(product, ProductRow):  # immutable (a product change makes new rows): same inputs, same line
        return _cached_line(product, quantity, currency)
    return _make_line(product, quantity, currency)


@lru_cache(maxsize=4096)  # every cart change re-renders every line of the cart; most are unchanged
def _cached_line(product: ProductRow, quantity: int, currency: str) -> CartLine:
    return _make_line(product, quantity, currency)


def _make_line(product: ProductRow | Product, quantity: int, currency: str) -> CartLine:
    verdict = availability.check(product, quantity, currency)
    price = format_money(product.price_cents, product.currency)
    total = format_money(product.price_cents * quantity, product.currency)
    return CartLine(product.id or 0, product.slug, product.name, product.image, price, quantity, total, verdict.ok,
                    verdict.problem, images.srcset(product.image))


def summary(items: list[tuple[ProductRow, int]], currency: str | None = None) -> CartView:
    """Lines and totals for products and quantities; only sellable lines count towards the subtotal."""
    currency = currency or availability.shop_currency()
    lines = [line(product, quantity, currency) for product, quantity in items]
    sellable = [(product, quantity) for (product, quantity), ln in zip(items, lines) if ln.available]
    subtotal = sum(product.price_cents * quantity for product, quantity in sellable)
    return CartView(
        lines=lines,
        count=sum(quantity for _, quantity in sellable),
        subtotal_cents=subtotal,
        currency=currency,
        subtotal=format_money(subtotal, currency),
        can_checkout=bool(lines) and all(ln.available for ln in lines),
    )


def view(session: DB, token: object, currency: str | None = None) -> CartView:
    """The cart re-priced from the database. Lines whose product is gone or short of stock are flagged."""
    return summary(cart_items(session, token)[1], currency)


def buy_now(session: Session, product_slug: object, quantity: int,
            currency: str | None = None) -> tuple[CartView, str]:
    """The summary of a "Buy now" of one product, and why it can't be paid ("" when it can)."""
    product = get_active_by_slug(session, product_slug)
    items = [(product, quantity)] if product is not None else []
    return summary(items, currency), availability.check(product, quantity, currency).message
