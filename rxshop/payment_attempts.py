"""Guards around paying for an order, whatever the browser sends: one open pending order per cart (or per tab for
"Buy now") and flow, reused while it still matches; one charge attempt in flight per order; a bounded number of
failed attempts; never a second payment for an order that was paid. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy import or_, update
from sqlmodel import Session, select

from .db import Statement
from .models import Order, OrderStatus
from .models.base import utcnow
from . import carts, orders
from .catalog import get_active_by_slug
from .orders import OrderError, lines_of
from .reservations import cancel
from .settings import get_settings

TOO_MANY = "You've started too many orders in a short time. Please wait a few minutes and try again."
CHARGE_LEASE = timedelta(minutes=2)  # a charge attempt that never reported back frees the order after this
WAS_PAID = ("succeeded", "partially_refunded", "refunded")


class AlreadyPaid(OrderError):
    """The order was paid (or its payment is processing): show its confirmation page, never charge again."""

    def __init__(self, order: Order):
        super().__init__("This order is already paid.")
        self.order = order


def max_failed() -> int:
    return get_settings().rxshop_max_failed_payments


# Asked on every payment attempt: plain statements (db.Statement).
_ANY_OPEN = Statement('SELECT 1 FROM "order" WHERE status = :pending AND flow = :flow AND cart_id = :cart LIMIT 1')
_PAID = Statement("SELECT 1 FROM payment WHERE order_id = :order AND status IN ("
                  + ", ".join(f"'{s}'" for s in WAS_PAID) + ") LIMIT 1")


def was_paid(session: Session, order: Order) -> bool:
    """Stripe reported a successful payment for this order (now or before a refund)."""
    if order.paid_at is not None or order.stripe_charge_id:
        return True
    return _PAID.run(session, {"order": order.id}).fetchone() is not None


def _signature(lines: list[tuple[int | None, int, int]]) -> list[tuple[int | None, int, int]]:
    return sorted(lines, key=lambda x: (x[0] or 0, x[1], x[2]))


def open_order(session: Session, flow: str, wanted: list[tuple[int, int, int]], cart_id: int | None = None,
               opener: str = "") -> Order | None:
    """The open pending order of this cart (or of this tab's "Buy now", by `opener`) and flow, if it holds exactly
    `wanted` [(product id, quantity, unit price)] and has not expired. A stale one (the cart changed) is canceled,
    so each cart and flow has at most one open order."""
    query = select(Order).where(Order.status == "pending", Order.flow == flow)
    query = query.where(Order.cart_id == cart_id) if cart_id is not None else query.where(
        Order.cart_id.is_(None), Order.opener == opener)
    found = None
    now = utcnow()
    for order in session.exec(query.order_by(Order.id.desc())).all():
        have = [(ln.product_id, ln.quantity, ln.unit_price_cents) for ln in lines_of(session, order)]
        fresh = order.expires_at is None or order.expires_at > now
        if found is None and fresh and _signature(have) == _signature(wanted) and not was_paid(session, order):
            found = order
        elif order.charging_until is None or order.charging_until < now:  # never cancel under a running charge
            cancel(session, order, "replaced by a newer order for the same cart")
    return found


def _reused(session: Session, order: Order, email: str) -> Order:
    """An open order taken up again (on reload, or Pay pressed again), with the address typed this time; never one
    already paid or out of attempts (a new order is neither)."""
    check_payable(session, order)
    if email:
        orders.set_email(session, order, email)
    return order


def _spend(may_create: Callable[[], bool]) -> None:
    """Count one new order against the caller's limits, or refuse it."""
    if not may_create():
        raise OrderError(TOO_MANY)


def open_or_create_from_cart(session: Session, cart_token: object, flow: str, currency: str, email: str,
                             may_create: Callable[[], bool] = lambda: True) -> Order:
    """The cart's open order for this flow (same lines and prices), or a new one if `may_create()` allows it; raises
    AlreadyPaid or OrderError rather than return one that may not be paid (`check_payable`)."""
    cart = carts.cart_items(session, cart_token)
    cart_id, items = cart
    if cart_id is not None and _ANY_OPEN.run(session, {"pending": OrderStatus.PENDING.value, "flow": str(flow),
                                                               "cart": cart_id}).fetchone():
        wanted = [(p.id, qty, p.price_cents) for p, qty in items]
        found = open_order(session, flow, wanted, cart_id=cart_id)
        if found is not None:
            return _reused(session, found, email)
    _spend(may_create)
    return orders.create_from_cart(session, cart_token, flow, currency, email, cart=cart)


def open_or_create_for_product(session: Session, opener: str, product_slug: object, quantity: object, flow: str,
                               currency: str, email: str, may_create: Callable[[], bool] = lambda: True) -> Order:
    """This tab's open "Buy now" order of the same product and quantity, or a new one if `may_create()` allows (as
    payable as `open_or_create_from_cart`'s)."""
    product = get_active_by_slug(session, product_slug)
    if product is not None and opener and isinstance(quantity, int):
        found = open_order(session, flow, [(product.id, quantity, product.price_cents)], opener=opener)
        if found is not None:
            return _reused(session, found, email)
    _spend(may_create)
    return orders.create_for_product(session, product_slug, quantity, flow, currency, email, opener)


def check_payable(session: Session, order: Order) -> None:
    """Before asking Stripe for money: the order is pending, never paid, and not out of attempts."""
    if order.status != "pending" or was_paid(session, order):
        raise AlreadyPaid(order)
    if order.failed_attempts >= max_failed():
        raise OrderError("This order had too many failed payment attempts. Please start again from your cart.")


def begin_charge(session: Session, order_id: int) -> int:
    """Take the order's one charge slot; returns the attempt number (for the idempotency key)."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderError("Please press Pay again.")
    session.refresh(order)
    check_payable(session, order)
    now = utcnow()
    won = session.execute(
        update(Order).where(Order.id == order_id, Order.status == "pending", Order.failed_attempts < max_failed(),
                            or_(Order.charging_until.is_(None), Order.charging_until < now))
        .values(charging_until=now + CHARGE_LEASE)
    ).rowcount == 1
    session.commit()
    if not won:
        raise OrderError("A payment for this order is already being processed.")
    return order.failed_attempts + 1


def end_charge(session: Session, order_id: int, failed: bool) -> None:
    values = {"charging_until": None}
    if failed:
        values["failed_attempts"] = Order.failed_attempts + 1
    session.execute(update(Order).where(Order.id == order_id).values(**values))
    session.commit()


def count_failure(session: Session, order_id: int) -> None:
    """A declined card confirmed in the browser (the server saw the failure on the PaymentIntent)."""
    end_charge(session, order_id, failed=True)
