"""What a payment Stripe reported does to its order: the one idempotent fulfil (paid, stock, cart) that the
confirmation page and the webhook both call, failures and refunds.
Plain Python: no Reflex, no Stripe; the caller passes the session."""
from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from . import carts, reservations
from .models import Order, OrderStatus, PaymentKind, PaymentStatus, Payment, PaymentStatusChange
from .models.base import utcnow
from .orders import lines_of
from .payments.types import PaymentResult
from .delivery import may_deliver

log = logging.getLogger("rxshop.order_payments")


def _payment(session: Session, order: Order, result: PaymentResult) -> Payment:
    kind = PaymentKind.CHARGE if result.kind == PaymentKind.CHARGE else PaymentKind.PAYMENT_INTENT
    payment = session.exec(select(Payment).where(Payment.provider_id == result.provider_id)).first()
    if payment is None:
        payment = Payment(order_id=order.id, kind=kind, provider_id=result.provider_id, amount_cents=result.amount,
                          currency=result.currency, status=PaymentStatus.CREATED)
        session.add(payment)
        try:
            session.flush()
        except IntegrityError:  # recorded concurrently
            session.rollback()
            payment = session.exec(select(Payment).where(Payment.provider_id == result.provider_id)).one()
    return payment


def _set_status(session: Session, payment: Payment, status: PaymentStatus, source: str, detail: str = "") -> None:
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


def binding_problem(order: Order, result: PaymentResult) -> str:
    """Why this payment does not belong to the order it names ('' when it does): the order number in its metadata
    must be the order's, and every Stripe id the order already stored must be the payment's."""
    if result.order_number != order.number:
        return f"names order number {result.order_number or '(none)'}"
    pairs = ((order.stripe_checkout_session_id, result.checkout_session_id, "Checkout Session"),
             (order.stripe_payment_intent_id, result.provider_id if result.kind != PaymentKind.CHARGE else "",
              "PaymentIntent"),
             (order.stripe_charge_id, result.charge_id, "Charge"))
    for stored, got, name in pairs:
        if stored and got and stored != got:
            return f"{name} {got} is not the order's {stored}"
    return ""


def fulfil(session: Session, result: PaymentResult, source: str) -> FulfilOutcome | None:
    """Idempotent: mark the order paid, record the payment, settle its stock, take the ordered lines out of the
    cart. Safe to call from the webhook and the confirmation page at the same time, and again after a crash. Only
    for a payment Stripe itself reported (`result` is retrieved server-side or comes from a signed webhook)."""
    if result.order_id is None:
        return None
    order = session.get(Order, result.order_id)
    if order is None:
        log.warning("payment %s names unknown order %s", result.provider_id, result.order_id)
        return None
    if not result.paid:
        return FulfilOutcome(order.id, order.status == OrderStatus.PAID, False, False, order.watch_token)
    problem = binding_problem(order, result) or (
        f"paid {result.amount} {result.currency}, the total is {order.total_cents} {order.currency}"
        if result.amount != order.total_cents or result.currency.lower() != order.currency.lower() else "")
    if problem:
        log.error("order %s: payment %s refused: %s", order.number, result.provider_id, problem)
        order.note = f"Payment {result.provider_id} does not belong to this order or does not match the order " \
                     f"total ({problem}): check manually."
        session.add(order)
        session.commit()
        return FulfilOutcome(order.id, False, False, False, order.watch_token)

    if result.provider_id:
        payment = _payment(session, order, result)
        _set_status(session, payment, PaymentStatus.SUCCEEDED, source)
    if result.email:  # Checkout collects the email; any event that carries it fills it in
        session.execute(update(Order).where(Order.id == order.id, Order.email == "").values(email=result.email))
    now = utcnow()
    # A refund may have arrived before any success event: the order then goes straight to (partially) refunded.
    status = case((Order.refunded_cents >= Order.total_cents, OrderStatus.REFUNDED.value),
                  (Order.refunded_cents > 0, OrderStatus.PARTIALLY_REFUNDED.value), else_=OrderStatus.PAID.value)
    won = session.execute(
        # canceled too: an order that expired while the shopper was paying is still theirs once Stripe took the money
        update(Order).where(Order.id == order.id, Order.status.in_([OrderStatus.PENDING, OrderStatus.CANCELED]))
        .values(status=status, paid_at=now, updated_at=now,
                stripe_payment_intent_id=result.provider_id if result.kind != PaymentKind.CHARGE else None,
                stripe_charge_id=result.charge_id or (result.provider_id if result.kind == PaymentKind.CHARGE else None),
                stripe_checkout_session_id=result.checkout_session_id or order.stripe_checkout_session_id)
    ).rowcount == 1
    if won:
        lines = lines_of(session, order)
        session.refresh(order)
        if not order.stock_reserved:  # its reservation was given back (expired) or it predates reservations
            short = reservations.take_again(session, order, lines)
            if short:  # paid for more than is left: the operator refunds (see order.note)
                log.error("order %s oversold: %s", order.number, "; ".join(short))
                session.execute(update(Order).where(Order.id == order.id).values(note="Oversold: " + "; ".join(short)))
        if order.cart_id is not None:
            carts.remove_ordered(session, order.cart_id, [(ln.product_id, ln.quantity) for ln in lines])
    session.commit()
    session.refresh(order)
    if not may_deliver(order):  # refunded in full (before or after)
        return FulfilOutcome(order.id, False, False, False, order.watch_token)
    return FulfilOutcome(order.id, True, won, order.email_sent_at is None and bool(order.email), order.watch_token)


def record_failure(session: Session, result: PaymentResult, source: str) -> Order | None:
    order = session.get(Order, result.order_id) if result.order_id else None
    if order is None or not result.provider_id:
        return None
    payment = _payment(session, order, result)
    if payment.status != PaymentStatus.SUCCEEDED:
        _set_status(session, payment, PaymentStatus.FAILED, source, result.failure_message)
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
        _set_status(session, payment, PaymentStatus.REFUNDED if refunded >= payment.amount_cents
                    else PaymentStatus.PARTIALLY_REFUNDED,
                    source, f"{refunded} refunded")
    order.refunded_cents = refunded
    if OrderStatus(order.status).was_paid:
        order.status = OrderStatus.REFUNDED if refunded >= order.total_cents else OrderStatus.PARTIALLY_REFUNDED
    order.updated_at = utcnow()
    session.add(order)
    session.commit()
    return order
