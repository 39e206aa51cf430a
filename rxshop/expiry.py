"""Pending orders don't live forever: past `expires_at` the sweeper cancels what is still unpaid at Stripe (the
PaymentIntent canceled, the Checkout Session expired), marks the order canceled and gives its stock back. An order
found paid meanwhile is fulfilled instead. Runs as a lifespan task of the app."""
from __future__ import annotations

import asyncio
import logging

from sqlmodel import select

from . import payments, reservations
from .db import one_writer, session
from .fulfilment import fulfil
from .models import Order, OrderStatus
from .models.base import utcnow
from .payments import PaymentError

log = logging.getLogger("rxshop.expiry")
SWEEP_SECONDS = 60.0


def _expired(limit: int = 50) -> list[Order]:
    now = utcnow()
    with session() as db:
        return list(db.exec(select(Order).where(Order.status == OrderStatus.PENDING, Order.expires_at.is_not(None),
                                                Order.expires_at < now).limit(limit)))


async def _close_at_stripe(order: Order):
    """Stop the order's Stripe object from being paid; returns a PaymentResult when Stripe says it was paid."""
    if order.stripe_checkout_session_id:
        return await payments.expire_checkout_session(order.stripe_checkout_session_id)
    if order.stripe_payment_intent_id:
        return await payments.cancel_payment_intent(order.stripe_payment_intent_id)
    return None


async def sweep_once() -> int:
    """Cancel every expired pending order; returns how many were canceled."""
    canceled = 0
    for order in _expired():
        if order.charging_until is not None and order.charging_until > utcnow():
            continue  # a charge is running right now: next sweep
        try:
            result = await _close_at_stripe(order)
        except PaymentError as exc:
            log.warning("order %s: could not close its payment at Stripe: %s", order.number, exc.message)
            continue
        if result is not None and (result.paid or result.status == "processing"):
            if result.paid:
                await asyncio.to_thread(fulfil, result, "expiry sweep")
            continue
        canceled += await asyncio.to_thread(_cancel, order.id)
    return canceled


def _cancel(order_id: int) -> int:
    """In a worker thread, with the process's writing turn (db.one_writer): the order canceled, its stock back."""
    with one_writer(), session() as db:
        return reservations.cancel(db, db.get(Order, order_id), "expired unpaid")


async def run_sweeper() -> None:
    while True:
        try:
            await sweep_once()
        except Exception:  # the database or Stripe is away: try again next time
            log.exception("expiry sweep failed")
        await asyncio.sleep(SWEEP_SECONDS)
