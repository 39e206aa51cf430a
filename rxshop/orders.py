"""Orders: creation from the cart or one product (prices copied from the database), lookup by its holder, and
the Stripe ids attached while paying. What a payment then does to an order is in `order_payments.py`.
Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import hmac
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from . import availability, carts, catalog, reservations, routes
from .carts import CartError
from .catalog import get_active_by_slug
from .db import DB, Statement, as_loaded, db_integrity_error, new_row, relax_durability, row_insert, row_values
from .models import Flow, Order, OrderLine, Product
from .models.base import utcnow
from .payments.types import OrderLineRef, OrderRef
from .settings import get_settings

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_NUMBER_RE = re.compile(r"^RX-[2-9A-HJ-NP-Z]{6}$")


class OrderError(ValueError):
    """A problem the shopper should read; nothing was changed."""


def valid_email(email: object) -> str:
    """One plain address (email-validator's rules, no DNS lookup), normalized; else OrderError."""
    if not isinstance(email, str) or len(email.strip()) > 254:
        raise OrderError("Please enter a valid email address.")
    import email_validator  # here, not at start: compiling its patterns costs ~20 ms of every start

    try:
        return email_validator.validate_email(email.strip(), check_deliverability=False).normalized
    except email_validator.EmailNotValidError as exc:
        raise OrderError("Please enter a valid email address.") from exc


def _new_number() -> str:
    return "RX-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


# Order creation is on the checkout path: plain statements from the models' tables (db.Statement), no ORM session work.
_INSERT_ORDER = row_insert(Order.__table__)
_INSERT_LINE = Statement(sa.insert(OrderLine.__table__).values(
    {c: sa.bindparam(c) for c in ("order_id", "product_id", "name", "unit_price_cents", "quantity", "delivery_url")}))
_LINES = Statement("SELECT product_id, name, unit_price_cents, quantity FROM orderline WHERE order_id = :order "
                   "ORDER BY id")


def _create(session: Session, flow: Flow, currency: str, items: list[tuple[Product, int]], cart_id: int | None,
            email: str = "", opener: str = "") -> Order:
    if not items:
        raise OrderError("Your cart is empty.")
    total = sum(p.price_cents * q for p, q in items)
    for attempt in range(5):
        row = new_row(Order, number=_new_number(), access_token=secrets.token_urlsafe(24), flow=flow, email=email,
                      currency=currency, total_cents=total, cart_id=cart_id, opener=opener[:80], stock_reserved=True,
                      expires_at=utcnow() + timedelta(minutes=max(30, get_settings().rxshop_checkout_expiry_minutes)))
        try:
            row["id"] = _INSERT_ORDER.scalar(session, row_values(row, Order.__table__))
            break
        except (IntegrityError, db_integrity_error(session)):  # order number taken: draw another
            session.rollback()
            if attempt == 4:
                raise
    conn = session.connection()
    _INSERT_LINE.run_many(conn, [
        {"order_id": row["id"], "product_id": product.id, "name": product.name, "unit_price_cents": product.price_cents,
         "quantity": qty, "delivery_url": product.delivery_url} for product, qty in items])
    try:
        reservations.reserve(conn, [(product.id, qty) for product, qty in items])  # the last unit: one order
    except reservations.OutOfStock as exc:
        session.rollback()
        raise OrderError(str(exc)) from exc
    session.commit()
    return as_loaded(Order, row)  # a later session.add(order) updates it


def create_from_cart(session: Session, cart_token: object, flow: Flow, currency: str, email: str = "",
                     opener: str = "", cart: tuple[int | None, list] | None = None) -> Order:
    """A pending order with the cart's lines, re-priced from the database (`cart`: `carts.cart_items` already read
    in this transaction). The cart stays until payment."""
    cart_id, items = cart if cart is not None else carts.cart_items(session, cart_token)
    if cart_id is None or not items:
        raise OrderError("Your cart is empty.")
    if not carts.summary(items, currency).can_checkout:
        raise OrderError("Some items in your cart can't be bought right now. Please review your cart.")
    return _create(session, flow, currency, items, cart_id, email, opener)


def create_for_product(session: Session, product_slug: object, quantity: object, flow: Flow, currency: str,
                       email: str = "", opener: str = "") -> Order:
    """A pending order for one product ("Buy now"), without touching the cart."""
    try:
        qty = carts.parse_quantity(quantity)
    except CartError as exc:
        raise OrderError(str(exc)) from exc
    product = get_active_by_slug(session, product_slug)
    verdict = availability.check(product, qty, currency)
    if not verdict.ok:
        raise OrderError(verdict.message)
    return _create(session, flow, currency, [(product, qty)], None, email, opener)


def lines_of(session: Session, order: Order) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)))


def order_ref(session: Session, order: Order, with_images: bool = False) -> OrderRef:
    """What Stripe needs of the order; product images only when the shop is public over https (Stripe fetches them)."""
    lines = []
    for product_id, name, unit_price, quantity in _LINES.run(session, {"order": order.id}).fetchall():
        image = ""
        if with_images and product_id:
            product = catalog.get(session, product_id)
            image = routes.absolute(product.image) if product and product.image else ""
            image = image if image.startswith("https://") else ""
        lines.append(OrderLineRef(name, unit_price, quantity, image))
    return OrderRef(order.id, order.number, order.currency, order.total_cents, order.email, lines)


def find_for_viewer(session: Session, number: object, token: object) -> Order | None:
    """The order only for whoever holds its access token (constant-time comparison)."""
    if not isinstance(number, str) or not _NUMBER_RE.match(number) or not isinstance(token, str) or not token:
        return None
    order = session.exec(select(Order).where(Order.number == number)).first()
    if order is None or not hmac.compare_digest(order.access_token.encode(), token.encode()):
        return None
    return order


def set_email(session: Session, order: Order, email: str) -> None:
    if order.email != email:
        order.email = email
        order.updated_at = utcnow()
        session.add(order)
        session.commit()


_ATTACH: dict[tuple[str, ...], Statement] = {}


def attach(session: DB, order: Order, **stripe_ids: str) -> None:
    """Record Stripe ids on the order (one UPDATE; `order` may come from another session). Not worth a wait for the
    disk: the payment's webhook and the confirmation page write the same ids again."""
    relax_durability(session)
    values = {**stripe_ids, "updated_at": utcnow()}
    keys = tuple(sorted(values))
    statement = _ATTACH.get(keys)
    if statement is None:
        table = Order.__table__
        statement = _ATTACH[keys] = Statement(sa.update(table).where(table.c.id == sa.bindparam("order_id")).values(
            {k: sa.bindparam(k, type_=table.c[k].type) for k in keys}))
    statement.run(session, {**values, "order_id": order.id})
    session.commit()
    for key, value in values.items():
        setattr(order, key, value)


def watch(session: Session, order: Order, client_token: str) -> None:
    """Remember which browser tab shows this order, so a webhook can push the change to it."""
    if client_token and order.watch_token != client_token:
        order.watch_token = client_token[:80]
        session.add(order)
        session.commit()
