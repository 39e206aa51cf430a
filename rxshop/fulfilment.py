"""Running fulfilment: the idempotent order update plus the receipt email, and webhook event handling.
Synchronous (database + SMTP): async callers run these in a thread."""
from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from . import mail, orders
from .db import session as db_session
from .models import Order, WebhookEvent
from .models.base import utcnow
from .orders import FulfilOutcome
from .payments.types import PaymentResult, WebhookNotice
from .settings import get_settings

log = logging.getLogger("rxshop.fulfilment")


class EmailFailed(RuntimeError):
    pass


def send_receipt_if_due(s: Session, out: FulfilOutcome) -> None:
    if not out.email_due or not orders.claim_email(s, out.order_id):
        return
    order = s.get(Order, out.order_id)
    settings = get_settings()
    try:
        mail.send(orders.receipt_email(s, order, settings.rxshop_base_url, settings.rxshop_name))
    except Exception as exc:  # SMTP down: release the claim; the next webhook delivery retries
        orders.email_sent(s, out.order_id, ok=False)
        log.error("receipt for %s not sent: %s", order.number, exc)
        raise EmailFailed(str(exc)) from exc
    orders.email_sent(s, out.order_id, ok=True)


def fulfil(result: PaymentResult, source: str, raise_on_email: bool = False) -> FulfilOutcome | None:
    """Fulfil the order of a payment Stripe reported as paid (idempotent), then send the receipt once."""
    with db_session() as s:
        out = orders.fulfil(s, result, source)
        if out is not None and out.paid:
            try:
                send_receipt_if_due(s, out)
            except EmailFailed:
                if raise_on_email:
                    raise
        return out


PAID_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded", "payment_intent.succeeded",
               "charge.succeeded"}
FAILED_EVENTS = {"payment_intent.payment_failed", "charge.failed", "checkout.session.async_payment_failed"}
REFUND_EVENTS = {"charge.refunded", "charge.refund.updated"}


def handle_webhook(notice: WebhookNotice) -> str | None:
    """Process a verified event once. Returns the client token of a tab to push the order to, if any.
    Raises on a failure that Stripe should retry (the event is then not marked processed)."""
    with db_session() as s:
        event = s.get(WebhookEvent, notice.event_id)
        if event is not None and event.processed_at is not None:
            return None  # a replay: nothing changes twice
        if event is None:
            event = WebhookEvent(id=notice.event_id, type=notice.type)
            s.add(event)
            try:
                s.commit()
            except IntegrityError:  # the same event is being handled concurrently; fulfil() is idempotent anyway
                s.rollback()
                event = s.get(WebhookEvent, notice.event_id)
        event.attempts += 1
        s.add(event)
        s.commit()

        token = None
        result = notice.result
        try:
            if result is not None and notice.type in PAID_EVENTS:
                out = orders.fulfil(s, result, f"webhook {notice.event_id}")
                if out is not None:
                    token = out.watch_token or None
                    if out.paid:
                        send_receipt_if_due(s, out)
            elif result is not None and notice.type in FAILED_EVENTS:
                order = orders.record_failure(s, result, f"webhook {notice.event_id}")
                token = order.watch_token if order else None
            elif result is not None and notice.type in REFUND_EVENTS:
                order = orders.record_refund(s, result, f"webhook {notice.event_id}")
                token = order.watch_token if order else None
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
