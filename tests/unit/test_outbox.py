"""The email outbox: queued once per order, one sender per email, retried with backoff, history kept; the webhook
path only queues. Also the address check (email-validator) and STARTTLS with certificate verification."""
import smtplib
import ssl
import threading
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select

from rxshop import carts
from rxshop import mail, orders, outbox
from rxshop.models import Order, OutboxEmail
from rxshop.models.base import utcnow
from rxshop.orders import OrderError
from rxshop.settings import get_settings


def message(to="a@example.com", subject="Receipt") -> EmailMessage:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = to, subject
    msg.set_content("hello")
    return msg


@pytest.fixture
def order(db, products):
    cart, _ = carts.add_item(db, None, products["mug"], 1)
    return orders.create_from_cart(db, cart.token, "express", "usd", "a@example.com")


def test_an_email_is_queued_once_per_order_and_kind(db, order):
    assert outbox.enqueue(db, order.id, "receipt", message()) is True
    assert outbox.enqueue(db, order.id, "receipt", message()) is False
    rows = outbox.for_order(db, order.id)
    assert [(r.kind, r.to, r.status, r.attempts) for r in rows] == [("receipt", "a@example.com", "queued", 0)]


def test_one_sender_per_email_even_when_many_try_at_once(engine, db, order):
    outbox.enqueue(db, order.id, "receipt", message())
    sent, barrier = [], threading.Barrier(5)

    def sender():
        with Session(engine) as s:
            barrier.wait()
            outbox.deliver_due(s, sent.append)

    threads = [threading.Thread(target=sender) for _ in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(sent) == 1 and sent[0]["To"] == "a@example.com"
    db.expire_all()
    row = outbox.for_order(db, order.id)[0]
    assert row.status == "sent" and row.attempts == 1 and db.get(Order, order.id).email_sent_at is not None
    assert outbox.deliver_due(db, sent.append) == 0  # never twice


def test_a_failed_send_is_retried_with_backoff_then_given_up(db, order, monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_mail_max_attempts", 3)
    monkeypatch.setattr(get_settings(), "rxshop_mail_retry_seconds", 10.0)
    outbox.enqueue(db, order.id, "receipt", message())

    def down(_msg):
        raise ConnectionRefusedError("smtp down")

    assert outbox.deliver_due(db, down) == 0
    row = db.exec(select(OutboxEmail)).one()
    assert row.status == "queued" and row.attempts == 1 and "smtp down" in row.last_error
    wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=8) < wait <= timedelta(seconds=10)
    assert outbox.deliver_due(db, down) == 0 and row.attempts == 1  # not due yet: no attempt
    for expected_wait in (20, None):
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.add(row)
        db.commit()
        outbox.deliver_due(db, down)
        db.refresh(row)
        if expected_wait:
            assert timedelta(seconds=expected_wait - 2) < row.next_attempt_at - utcnow() <= timedelta(
                seconds=expected_wait)
    assert row.status == "failed" and row.attempts == 3


def test_a_stale_claim_is_taken_over(db, order):
    outbox.enqueue(db, order.id, "receipt", message())
    row = db.exec(select(OutboxEmail)).one()
    assert outbox.claim(db, row.id) is True
    assert outbox.claim(db, row.id) is False  # held by the first sender
    row.claimed_until = utcnow() - timedelta(seconds=1)  # that sender died
    db.add(row)
    db.commit()
    assert outbox.claim(db, row.id) is True


@pytest.mark.parametrize("bad", ["root,me@x.com", "a@b", "me@x.com\r\nBcc: all@x.com", "<me@x.com>", "me@@x.com",
                                 "x" * 250 + "@x.com", "", None, 42, ["a@x.com"]])
def test_email_addresses_are_checked_by_email_validator(bad):
    with pytest.raises(OrderError):
        orders.valid_email(bad)


def test_a_valid_address_is_normalized():
    assert orders.valid_email("  Buyer@Example.COM ") == "Buyer@example.com"


def test_starttls_verifies_the_server_certificate(monkeypatch):
    seen = {}

    class FakeSMTP:
        def __init__(self, *a, **kw):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def starttls(self, context=None):
            seen["context"] = context

        def login(self, *a):
            pass

        def send_message(self, msg):
            seen["sent"] = msg

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(get_settings(), "smtp_starttls", True)
    mail.send(message())
    ctx = seen["context"]
    assert isinstance(ctx, ssl.SSLContext) and ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert seen["sent"]["To"] == "a@example.com"
