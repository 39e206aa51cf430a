"""Orders: creation from the cart (prices copied from the database), lookup, and the one idempotent fulfil
function that both the confirmation page and the webhook call. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses
import hmac
import logging
import re
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from . import availability, carts
from .carts import CartError
from .catalog import get_active_by_slug
from .models import CartItem, Order, OrderLine, Payment, PaymentStatusChange, Product
from .models.base import utcnow
from .money import format_money
from .payments.types import OrderLineRef, OrderRef, PaymentResult

log = logging.getLogger("rxshop.orders")

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_NUMBER_RE = re.compile(r"^RX-[2-9A-HJ-NP-Z]{6}$")
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class OrderError(ValueError):
    """A problem the shopper should read; nothing was changed."""


def valid_email(email: object) -> str:
    if not isinstance(email, str) or len(email.strip()) > 254 or not _EMAIL_RE.match(email.strip()):
        raise OrderError("Please enter a valid email address.")
    return email.strip()


def _new_number() -> str:
    return "RX-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def _create(session: Session, flow: str, currency: str, items: list[tuple[Product, int]], cart_id: int | None,
            email: str = "") -> Order:
    if not items:
        raise OrderError("Your cart is empty.")
    total = sum(p.price_cents * q for p, q in items)
    for attempt in range(5):
        order = Order(number=_new_number(), access_token=secrets.token_urlsafe(24), flow=flow, email=email,
                      currency=currency, total_cents=total, cart_id=cart_id)
        session.add(order)
        try:
            session.flush()
            break
        except IntegrityError:  # order number taken: draw another
            session.rollback()
            if attempt == 4:
                raise
    for product, qty in items:
        session.add(OrderLine(order_id=order.id, product_id=product.id, name=product.name,
                              unit_price_cents=product.price_cents, quantity=qty,
                              delivery_url=product.delivery_url))
    session.commit()
    session.refresh(order)
    return order


def create_from_cart(session: Session, cart_token: object, flow: str, currency: str, email: str = "") -> Order:
    """A pending order with the cart's lines, re-priced from the database. The cart stays until payment."""
    cart = carts.find_cart(session, cart_token)
    if cart is None:
        raise OrderError("Your cart is empty.")
    view = carts.view(session, cart_token, currency)
    if not view.lines:
        raise OrderError("Your cart is empty.")
    if not view.can_checkout:
        raise OrderError("Some items in your cart can't be bought right now. Please review your cart.")
    items = [(p, i.quantity) for i, p in carts.priced_items(session, cart)]
    return _create(session, flow, currency, items, cart.id, email)


def create_for_product(session: Session, product_slug: object, quantity: object, flow: str, currency: str,
                       email: str = "") -> Order:
    """A pending order for one product ("Buy now"), without touching the cart."""
    try:
        qty = carts.parse_quantity(quantity)
    except CartError as exc:
        raise OrderError(str(exc)) from exc
    product = get_active_by_slug(session, product_slug)
    verdict = availability.check(product, qty, currency)
    if not verdict.ok:
        raise OrderError(verdict.message)
    return _create(session, flow, currency, [(product, qty)], None, email)


def lines_of(session: Session, order: Order) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)))


def order_ref(session: Session, order: Order, base_url: str = "") -> OrderRef:
    lines = []
    for ln in lines_of(session, order):
        product = session.get(Product, ln.product_id) if ln.product_id else None
        image = f"{base_url}{product.image}" if product and product.image and base_url.startswith("https://") else ""
        lines.append(OrderLineRef(ln.name, ln.unit_price_cents, ln.quantity, image))
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


def attach(session: Session, order: Order, **stripe_ids: str) -> None:
    for key, value in stripe_ids.items():
        setattr(order, key, value)
    order.updated_at = utcnow()
    session.add(order)
    session.commit()


def watch(session: Session, order: Order, client_token: str) -> None:
    """Remember which browser tab shows this order, so a webhook can push the change to it."""
    if client_token and order.watch_token != client_token:
        order.watch_token = client_token[:80]
        session.add(order)
        session.commit()


# --- payments and fulfilment -------------------------------------------------------------------------------


def _payment(session: Session, order: Order, result: PaymentResult) -> Payment:
    kind = "charge" if result.kind == "charge" else "payment_intent"
    payment = session.exec(select(Payment).where(Payment.provider_id == result.provider_id)).first()
    if payment is None:
        payment = Payment(order_id=order.id, kind=kind, provider_id=result.provider_id, amount_cents=result.amount,
                          currency=result.currency, status="created")
        session.add(payment)
        try:
            session.flush()
        except IntegrityError:  # recorded concurrently
            session.rollback()
            payment = session.exec(select(Payment).where(Payment.provider_id == result.provider_id)).one()
    return payment


def _set_status(session: Session, payment: Payment, status: str, source: str, detail: str = "") -> None:
    if payment.status != status:
        payment.status = status
        payment.updated_at = utcnow()
        session.add(payment)
        session.add(PaymentStatusChange(payment_id=payment.id, status=status, source=source[:64], detail=detail))


@dataclasses.dataclass
class FulfilOutcome:
    order_id: int
    paid: bool  # the order is paid (now or before)
    newly_paid: bool  # this call marked it paid
    email_due: bool  # the receipt still has to be sent
    watch_token: str = ""


def fulfil(session: Session, result: PaymentResult, source: str) -> FulfilOutcome | None:
    """Idempotent: mark the order paid, record the payment, decrement stock, empty the cart. Safe to call from the
    webhook and the confirmation page at the same time, and again after a crash. Only for a payment Stripe itself
    reported (`result` is retrieved server-side or comes from a signed webhook)."""
    if result.order_id is None:
        return None
    order = session.get(Order, result.order_id)
    if order is None:
        log.warning("payment %s names unknown order %s", result.provider_id, result.order_id)
        return None
    if not result.paid:
        return FulfilOutcome(order.id, order.status == "paid", False, False, order.watch_token)
    if result.amount != order.total_cents or result.currency.lower() != order.currency.lower():
        log.error("order %s: paid %s %s but total is %s %s", order.number, result.amount, result.currency,
                  order.total_cents, order.currency)
        order.note = f"Paid {result.amount} {result.currency} does not match the order total: check manually."
        session.add(order)
        session.commit()
        return FulfilOutcome(order.id, False, False, False, order.watch_token)

    if result.provider_id:
        payment = _payment(session, order, result)
        _set_status(session, payment, "succeeded", source)
    if result.email:  # Checkout collects the email; any event that carries it fills it in
        session.execute(update(Order).where(Order.id == order.id, Order.email == "").values(email=result.email))
    now = utcnow()
    won = session.execute(
        update(Order).where(Order.id == order.id, Order.status == "pending")
        .values(status="paid", paid_at=now, updated_at=now,
                stripe_payment_intent_id=result.provider_id if result.kind != "charge" else None,
                stripe_charge_id=result.charge_id or (result.provider_id if result.kind == "charge" else None),
                stripe_checkout_session_id=result.checkout_session_id or order.stripe_checkout_session_id)
    ).rowcount == 1
    if won:
        problems = []
        for line in lines_of(session, order):
            if line.product_id is None:
                continue
            done = session.execute(
                update(Product).where(Product.id == line.product_id, Product.stock.is_not(None),
                                      Product.stock >= line.quantity)
                .values(stock=Product.stock - line.quantity)
            ).rowcount
            if not done:
                product = session.get(Product, line.product_id)
                if product is not None and product.stock is not None:  # paid for more than is left: flag it
                    problems.append(f"{line.name}: {line.quantity} paid, {product.stock} in stock")
                    session.execute(update(Product).where(Product.id == product.id).values(stock=0))
        if problems:
            session.execute(update(Order).where(Order.id == order.id).values(note="Oversold: " + "; ".join(problems)))
        if order.cart_id is not None:
            for item in session.exec(select(CartItem).where(CartItem.cart_id == order.cart_id)):
                session.delete(item)
    session.commit()
    session.refresh(order)
    if order.status != "paid":  # canceled or refunded meanwhile
        return FulfilOutcome(order.id, False, False, False, order.watch_token)
    return FulfilOutcome(order.id, True, won, order.email_sent_at is None and bool(order.email), order.watch_token)


def claim_email(session: Session, order_id: int) -> bool:
    """Take the right to send the receipt (one sender at a time; a claim older than 2 minutes is stale)."""
    now = utcnow()
    stale = now - timedelta(minutes=2)
    won = session.execute(
        update(Order).where(Order.id == order_id, Order.email_sent_at.is_(None),
                            (Order.email_claimed_at.is_(None)) | (Order.email_claimed_at < stale))
        .values(email_claimed_at=now)
    ).rowcount == 1
    session.commit()
    return won


def email_sent(session: Session, order_id: int, ok: bool) -> None:
    values = {"email_sent_at": utcnow()} if ok else {"email_claimed_at": None}
    session.execute(update(Order).where(Order.id == order_id).values(**values))
    session.commit()


def record_failure(session: Session, result: PaymentResult, source: str) -> Order | None:
    order = session.get(Order, result.order_id) if result.order_id else None
    if order is None or not result.provider_id:
        return None
    payment = _payment(session, order, result)
    if payment.status != "succeeded":
        _set_status(session, payment, "failed", source, result.failure_message)
    session.commit()
    return order


def record_refund(session: Session, result: PaymentResult, source: str) -> Order | None:
    payment = session.exec(select(Payment).where(
        Payment.provider_id.in_([x for x in (result.provider_id, result.charge_id) if x]))).first()
    order = session.get(Order, payment.order_id) if payment else (
        session.get(Order, result.order_id) if result.order_id else None)
    if order is None:
        return None
    refunded = max(result.amount_refunded, order.refunded_cents)
    if payment is not None:
        payment.refunded_cents = max(payment.refunded_cents, result.amount_refunded)
        _set_status(session, payment, "refunded" if refunded >= payment.amount_cents else "partially_refunded",
                    source, f"{refunded} refunded")
    order.refunded_cents = refunded
    if order.status in ("paid", "partially_refunded", "refunded"):
        order.status = "refunded" if refunded >= order.total_cents else "partially_refunded"
    order.updated_at = utcnow()
    session.add(order)
    session.commit()
    return order


# --- what pages and emails show ------------------------------------------------------------------------------


@dataclasses.dataclass
class OrderLineView:
    name: str = ""
    quantity: int = 0
    unit_price: str = ""
    line_total: str = ""
    delivery_url: str = ""


def line_views(session: Session, order: Order, with_links: bool) -> list[OrderLineView]:
    return [OrderLineView(ln.name, ln.quantity, format_money(ln.unit_price_cents, order.currency),
                          format_money(ln.unit_price_cents * ln.quantity, order.currency),
                          ln.delivery_url if with_links else "")
            for ln in lines_of(session, order)]


def payment_id(order: Order) -> str:
    return order.stripe_payment_intent_id or order.stripe_charge_id or ""


def order_url(base_url: str, order: Order) -> str:
    return f"{base_url.rstrip('/')}/orders/{order.number}?token={order.access_token}"


def receipt_email(session: Session, order: Order, base_url: str, shop_name: str):
    from email.message import EmailMessage

    total = format_money(order.total_cents, order.currency)
    lines = line_views(session, order, with_links=True)
    from email.utils import formatdate, make_msgid

    msg = EmailMessage()
    msg["To"] = order.email
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="rxshop.localhost")
    msg["Subject"] = f"Your {shop_name} order {order.number}: receipt and downloads"
    body = ["Thank you for your order!", "", f"Order number: {order.number}",
            f"Payment of {total} succeeded (Stripe payment {payment_id(order)}).", "", "Items:"]
    for ln in lines:
        body.append(f"  {ln.quantity} x {ln.name} at {ln.unit_price} = {ln.line_total}")
    body += ["", f"Total paid: {total}", "", "Your downloads:"]
    body += [f"  {ln.name}: {ln.delivery_url}" for ln in lines if ln.delivery_url]
    body += ["", f"View your order any time: {order_url(base_url, order)}", "", f"— {shop_name}"]
    msg.set_content("\n".join(body))
    return msg
