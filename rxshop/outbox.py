"""The email outbox: emails are queued as rows in the database (in the caller's transaction) and sent by a worker,
so no request waits for SMTP and no email is lost when the mail server is down. Each row is claimed by one sender
at a time, retried with doubling backoff, and kept as the order's mail history. Plain Python: no Reflex."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.parser import Parser
from email.policy import default as default_policy
from typing import Callable

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .db import one_writer
from .models import Order, OutboxEmail
from .models.base import utcnow
from .settings import get_settings

log = logging.getLogger("rxshop.outbox")
LEASE = timedelta(minutes=2)  # a sender that died mid-send gives the row back after this
POLL_SECONDS = 15.0  # the worker also looks for due retries this often


def enqueue(session: Session, order_id: int, kind: str, message: EmailMessage) -> bool:
    """Queue an email once per (order, kind); False when it was already queued (or sent)."""
    row = OutboxEmail(order_id=order_id, kind=kind, to=str(message["To"] or ""),
                      subject=str(message["Subject"] or "")[:255], message=message.as_string())
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    wake()
    return True


def for_order(session: Session, order_id: int) -> list[OutboxEmail]:
    """The order's emails with their state (queued / sent / failed, attempts, last error)."""
    return list(session.exec(select(OutboxEmail).where(OutboxEmail.order_id == order_id).order_by(OutboxEmail.id)))


def claim(session: Session, row_id: int) -> bool:
    """Take one due row for sending; only one sender wins."""
    now = utcnow()
    won = session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == row_id, OutboxEmail.status == "queued", OutboxEmail.next_attempt_at <= now,
               or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now))
        .values(claimed_until=now + LEASE)
    ).rowcount == 1
    session.commit()
    return won


def due_ids(session: Session, limit: int = 20) -> list[int]:
    now = utcnow()
    return list(session.exec(
        select(OutboxEmail.id).where(OutboxEmail.status == "queued", OutboxEmail.next_attempt_at <= now,
                                     or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now))
        .order_by(OutboxEmail.next_attempt_at).limit(limit)))


def _done(session: Session, row: OutboxEmail) -> None:
    now = utcnow()
    row.status, row.sent_at, row.claimed_until, row.last_error = "sent", now, None, ""
    row.attempts += 1
    session.add(row)
    if row.kind == "receipt":
        session.execute(update(Order).where(Order.id == row.order_id).values(email_sent_at=now))
    session.commit()


def _failed(session: Session, row: OutboxEmail, error: str) -> None:
    s = get_settings()
    row.attempts += 1
    row.last_error = error[:500]
    row.claimed_until = None
    if row.attempts >= s.rxshop_mail_max_attempts:
        row.status = "failed"
        log.error("email %s (%s, order %s) given up after %s attempts: %s", row.id, row.kind, row.order_id,
                  row.attempts, error)
    else:
        row.next_attempt_at = utcnow() + timedelta(seconds=s.rxshop_mail_retry_seconds * 2 ** (row.attempts - 1))
        log.warning("email %s (%s, order %s) not sent, retry at %s: %s", row.id, row.kind, row.order_id,
                    row.next_attempt_at, error)
    session.add(row)
    session.commit()


def deliver_due(session: Session, send: Callable[[EmailMessage], None]) -> int:
    """One pass: send every due email this sender can claim. Returns how many went out."""
    sent = 0
    for row_id in due_ids(session):
        with one_writer():  # each write takes the process's writing turn; the send (network) runs outside it
            if not claim(session, row_id):
                continue
        row = session.get(OutboxEmail, row_id)
        session.refresh(row)
        try:
            send(Parser(policy=default_policy).parsestr(row.message))
        except Exception as exc:  # SMTP down, refused, timeout: try again later
            with one_writer():
                _failed(session, row, f"{type(exc).__name__}: {exc}")
            continue
        with one_writer():
            _done(session, row)
        sent += 1
    return sent


# --- the worker (runs inside the shop's process; several workers are safe thanks to the claims) ----------------

_wakeup: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None


def wake() -> None:
    """Ask the worker to look now (callable from any thread); without a running worker it does nothing."""
    if _wakeup is not None:
        loop, event = _wakeup
        loop.call_soon_threadsafe(event.set)


async def run_worker() -> None:
    """A lifespan task of the app: send due emails now and whenever woken, else every POLL_SECONDS."""
    global _wakeup
    from . import mail
    from .db import session

    event = asyncio.Event()
    _wakeup = (asyncio.get_running_loop(), event)

    def one_pass() -> int:
        with session() as db:
            return deliver_due(db, mail.send)

    try:
        while True:
            event.clear()
            try:
                await asyncio.to_thread(one_pass)
            except Exception:  # the database is away: keep the worker alive, try again later
                log.exception("outbox pass failed")
            try:
                await asyncio.wait_for(event.wait(), POLL_SECONDS)
            except asyncio.TimeoutError:
                pass
    finally:
        _wakeup = None
