"""Running fulfilment: the idempotent order update plus queueing the receipt email, and webhook event handling.
Synchronous (database only; the outbox worker sends the email): async callers run these in a thread, where they
take the process's writing turn (db.one_writer), so the event loop's cart changes queue behind them in Python
rather than sleeping in SQLite's busy handler."""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from . import order_payments, outbox, receipts, reservations
from .db import one_writer, session as db_session
from .models import Order, WebhookEvent
from .models.base import utcnow
from .order_payments import FulfilOutcome
from .payments.types import PaymentResult, WebhookNotice
from .settings import get_settings

log = logging.getLogger("rxshop.fulfilment")


def queue_receipt_if_due(s: Session, out: FulfilOutcome) -> None:
    """Queue the receipt in the outbox (once per order); the outbox worker sends it, retrying until it goes out."""
    if not out.paid or not out.email_due:
        return
    order = s.get(Order, out.order_id)
    outbox.enqueue(s, order.id, "receipt", receipts.receipt_email(s, order, get_settings().rxshop_name))


def fulfil(result: PaymentResult, source: str) -> FulfilOutcome | None:
    """Fulfil the order of a payment Stripe reported as paid (idempotent), then queue the receipt once."""
    with one_writer(), db_session() as s:  # the process's writing turn (db.one_writer), from any thread
        out = order_payments.fulfil(s, result, source)
        if out is not None:
            queue_receipt_if_due(s, out)
        return out


# --- webhook events: each type the shop acts on, and what it does (returns the tab token to push to) -----------


def _paid(s: Session, result: PaymentResult, source: str) -> str | None:
    out = order_payments.fulfil(s, result, source)
    if out is None:
        return None
    queue_receipt_if_due(s, out)
    return out.watch_token or None


def _failed(s: Session, result: PaymentResult, source: str) -> str | None:
    order = order_payments.record_failure(s, result, source)
    return order.watch_token if order else None


def _refunded(s: Session, result: PaymentResult, source: str) -> str | None:
    order = order_payments.record_refund(s, result, source)
    return order.watch_token if order else None


def _expired(s: Session, result: PaymentResult, source: str) -> str | None:
    """The Checkout Session expired unpaid: cancel its order (if it is still the order's session) and free its stock."""
    order = s.get(Order, result.order_id) if result.order_id else None
    if order is None or order_payments.binding_problem(order, result):
        return None
    reservations.cancel(s, order, f"Checkout Session expired ({source})")
    return order.watch_token or None


HANDLERS: dict[str, Callable[[Session, PaymentResult, str], str | None]] = {
    "checkout.session.completed": _paid,
    "checkout.session.async_payment_succeeded": _paid,
    "payment_intent.succeeded": _paid,
    "charge.succeeded": _paid,
    "payment_intent.payment_failed": _failed,
    "charge.failed": _failed,
    "checkout.session.async_payment_failed": _failed,
    "charge.refunded": _refunded,
    "charge.refund.updated": _refunded,
    "checkout.session.expired": _expired,
}


def takes_stock(event_type: str) -> bool:
    """Whether handling this event type can fulfil an order (and so change stock the storefront shows)."""
    return HANDLERS.get(event_type) is _paid


def _begin(s: Session, notice: WebhookNotice) -> WebhookEvent | None:
    """Record the event and count the attempt; None when it was already processed (a replay)."""
    event = s.get(WebhookEvent, notice.event_id)
    if event is not None and event.processed_at is not None:
        return None
    if event is None:
        event = WebhookEvent(id=notice.event_id, type=notice.type,
                             order_id=notice.result.order_id if notice.result else None)
        s.add(event)
        try:
            s.commit()
        except IntegrityError:  # the same event is being handled concurrently; fulfil() is idempotent anyway
            s.rollback()
            event = s.get(WebhookEvent, notice.event_id)
    event.attempts += 1
    s.add(event)
    s.commit()
    return event


def handle_webhook(notice: WebhookNotice) -> str | None:
    """Process a verified event once. Returns the client token of a tab to push the order to, if any.
    Raises on a failure that Stripe should retry (the event is then not marked processed)."""
    with one_writer(), db_session() as s:  # the process's writing turn (db.one_writer), from any thread
        event = _begin(s, notice)
        if event is None:
            return None  # a replay: nothing changes twice
        handler = HANDLERS.get(notice.type)
        token = None
        try:
            if handler is not None and notice.result is not None:
                token = handler(s, notice.result, f"webhook {notice.event_id}")
        except Exception as exc:
            s.rollback()
            event = s.get(WebhookEvent, notice.event_id)
            event.error = f"{type(exc).__name__}: {exc}"[:500]
            s.add(event)
            s.commit()
            raise
        event.processed_at = utcnow()
        event.error = ""
        s.add(event)
        s.commit()
        return token
