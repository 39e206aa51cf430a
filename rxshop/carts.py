"""Cart rules. The cart lives in the database under an opaque random token the browser keeps; every view is
re-priced from the database. Inputs come from the browser, so everything is validated here.
Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses
import re
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from . import availability
from .availability import MAX_QUANTITY
from .catalog import get_active_by_slug
from .models import Cart, CartItem, Product
from .models.base import utcnow
from .money import format_money

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


class CartError(ValueError):
    """A problem the shopper should read; nothing was changed."""


@dataclasses.dataclass
class CartLine:
    product_id: int = 0
    slug: str = ""
    name: str = ""
    image: str = ""
    unit_price: str = ""
    quantity: int = 0
    line_total: str = ""
    available: bool = True
    problem: str = ""


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


def ensure_cart(session: Session, token: object) -> Cart:
    """The cart for this token, or a new cart with a fresh server-made token."""
    cart = find_cart(session, token)
    if cart is None:
        cart = Cart(token=new_token())
        session.add(cart)
        session.flush()
    return cart


def _require(product: Product | None, quantity: int, currency: str | None) -> Product:
    verdict = availability.check(product, quantity, currency)
    if not verdict.ok:
        raise CartError(verdict.message)
    return product


def _item(session: Session, cart: Cart, product_id: int, lock: bool = False) -> CartItem | None:
    query = select(CartItem).where(CartItem.cart_id == cart.id, CartItem.product_id == product_id)
    # lock: the row stays ours until commit, so two tabs adding at once on PostgreSQL can't lose an update
    return session.exec(query.with_for_update() if lock else query).first()


def add_item(session: Session, token: object, product_id: object, quantity: object = 1,
             currency: str | None = None) -> tuple[Cart, Product]:
    """Add `quantity` of a product; returns the (possibly new) cart. Raises CartError and changes nothing on bad input."""
    pid, qty = parse_id(product_id), parse_quantity(quantity)
    for attempt in range(2):
        try:
            product = _require(session.get(Product, pid), qty, currency)
            cart = ensure_cart(session, token)
            item = _item(session, cart, pid, lock=True)
            if item:
                _require(product, qty + item.quantity, currency)
            if item:
                item.quantity += qty
                session.add(item)
            else:
                session.add(CartItem(cart_id=cart.id, product_id=pid, quantity=qty))
            cart.updated_at = utcnow()
            session.add(cart)
            session.commit()
            return cart, product
        except IntegrityError:  # the same add raced in from another tab: retry once on fresh rows
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def set_quantity(session: Session, token: object, product_id: object, quantity: object,
                 currency: str | None = None) -> Cart:
    pid, qty = parse_id(product_id), parse_quantity(quantity)
    cart = find_cart(session, token)
    item = _item(session, cart, pid) if cart else None
    if cart is None or item is None:
        raise CartError("That product is not in your cart.")
    _require(session.get(Product, pid), qty, currency)
    item.quantity = qty
    cart.updated_at = utcnow()
    session.add_all([item, cart])
    session.commit()
    return cart


def remove_item(session: Session, token: object, product_id: object) -> Cart | None:
    pid = parse_id(product_id)
    cart = find_cart(session, token)
    item = _item(session, cart, pid) if cart else None
    if item is None:
        raise CartError("That product is not in your cart.")
    session.delete(item)
    session.commit()
    return cart


def clear(session: Session, cart_id: int) -> None:
    for item in session.exec(select(CartItem).where(CartItem.cart_id == cart_id)):
        session.delete(item)


def priced_items(session: Session, cart: Cart) -> list[tuple[CartItem, Product]]:
    rows = session.exec(
        select(CartItem, Product)
        .where(CartItem.cart_id == cart.id, CartItem.product_id == Product.id)
        .order_by(CartItem.id)
    )
    return list(rows)


def line(product: Product, quantity: int, currency: str | None = None) -> CartLine:
    """One cart or order-summary line, priced from the database and flagged when it can't be sold."""
    verdict = availability.check(product, quantity, currency)
    return CartLine(
        product_id=product.id or 0,
        slug=product.slug,
        name=product.name,
        image=product.image,
        unit_price=format_money(product.price_cents, product.currency),
        quantity=quantity,
        line_total=format_money(product.price_cents * quantity, product.currency),
        available=verdict.ok,
        problem=verdict.problem,
    )


def summary(items: list[tuple[Product, int]], currency: str | None = None) -> CartView:
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


def view(session: Session, token: object, currency: str | None = None) -> CartView:
    """The cart re-priced from the database. Lines whose product is gone or short of stock are flagged."""
    cart = find_cart(session, token)
    items = [(product, item.quantity) for item, product in priced_items(session, cart)] if cart else []
    return summary(items, currency)


def buy_now(session: Session, product_slug: object, quantity: int,
            currency: str | None = None) -> tuple[CartView, str]:
    """The summary of a "Buy now" of one product, and why it can't be paid ("" when it can)."""
    product = get_active_by_slug(session, product_slug)
    items = [(product, quantity)] if product is not None else []
    return summary(items, currency), availability.check(product, quantity, currency).message
