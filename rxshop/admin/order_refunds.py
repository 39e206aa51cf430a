"""Refunds from the console: how much may still be refunded, the Stripe payment to refund, and an idempotency key
that makes a repeated click the same refund. The order itself changes when Stripe's `charge.refunded` arrives."""
from __future__ import annotations

import dataclasses

from sqlmodel import Session, col, select

from ..models import Order, OrderStatus, Payment, PaymentStatus
from ..money import format_money
from .audit import record
from .products import ProductError, parse_money


class RefundError(ValueError):
    """A message the operator may see."""


@dataclasses.dataclass(frozen=True)
class RefundPlan:
    order_number: str
    payment_id: str  # pi_… or ch_…
    amount: int
    currency: str
    idempotency_key: str


def refundable(db: Session, order: Order) -> tuple[Payment | None, int]:
    """The order's successful payment and what is left of it to refund (0 when nothing can be)."""
    if not OrderStatus(order.status).was_paid:
        return None, 0
    payment = db.exec(select(Payment).where(
        Payment.order_id == order.id,
        col(Payment.status).in_([PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED,
                                 PaymentStatus.REFUNDED])).order_by(col(Payment.id).desc())).first()
    if payment is None:
        return None, 0
    already = max(order.refunded_cents, payment.refunded_cents)
    return payment, max(0, min(order.total_cents, payment.amount_cents) - already)


def plan(db: Session, order_id: int, amount_text: object) -> RefundPlan:
    order = db.get(Order, order_id) if isinstance(order_id, int) and order_id > 0 else None
    if order is None:
        raise RefundError("Choose an order first.")
    payment, left = refundable(db, order)
    if payment is None or left <= 0:
        raise RefundError("Nothing is left to refund on this order.")
    try:
        amount = parse_money(amount_text, order.currency)
    except ProductError as exc:
        raise RefundError(str(exc).replace("A price", "A refund").replace("a price", "a refund amount")) from None
    if amount <= 0:
        raise RefundError("A refund is more than zero.")
    if amount > left:
        raise RefundError(f"At most {format_money(left, order.currency)} is left to refund on this order "
                          f"(you asked for {format_money(amount, order.currency)}).")
    already = max(order.refunded_cents, payment.refunded_cents)
    return RefundPlan(order.number, payment.provider_id, amount, order.currency,
                      f"refund-{order.number}-after-{already}-amount-{amount}")


def requested(db: Session, who, p: RefundPlan, refund_id: str, status: str) -> None:
    record(db, who, "refund.create", f"order:{p.order_number}",
           f"{format_money(p.amount, p.currency)} of {p.payment_id}: Stripe refund {refund_id} ({status})")
    db.commit()
