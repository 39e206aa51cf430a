"""Webhook handling against the real sandbox and a real database: each guard has a test that fails without it."""
import socket
import threading
import time

from sqlmodel import Session, select

from rxshop import orders, outbox, payments
from rxshop.fulfilment import handle_webhook
from rxshop.mail import send
from rxshop.models import Order, OutboxEmail, Product, WebhookEvent
from rxshop.payments import parse_webhook
from rxshop.settings import get_settings

from .conftest import deliver, event, new_order, post_webhook, run, signed


def paid_intent(db, stripe_client, order, card="pm_card_visa") -> dict:
    """The order's PaymentIntent made by the shop, paid by the shopper (confirmed like Stripe.js would)."""
    intent = run(payments.ensure_payment_intent(orders.order_ref(db, order)))
    orders.attach(db, order, stripe_payment_intent_id=intent.id, stripe_customer_id=intent.customer_id)
    pi = stripe_client.v1.payment_intents.confirm(intent.id, params={"payment_method": card})
    return pi.to_dict()


def refreshed(db, obj):
    db.expire_all()
    return db.get(type(obj), obj.id)


def test_paid_event_fulfils_and_queues_the_receipt_without_waiting_for_smtp(db, stripe_client, monkeypatch):
    # An SMTP server that accepts connections and never answers: the old code waited for it inside the webhook.
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(5)
    monkeypatch.setattr(get_settings(), "smtp_port", hang.getsockname()[1])
    monkeypatch.setattr(get_settings(), "smtp_timeout", 5.0)
    try:
        order = new_order(db)
        pi = paid_intent(db, stripe_client, order)
        started = time.monotonic()
        r = deliver(event(pi, "payment_intent.succeeded"))
        took = time.monotonic() - started
    finally:
        hang.close()
    assert r.status_code == 200 and took < 3, (r.status_code, took)
    assert refreshed(db, order).status == "paid"
    rows = outbox.for_order(db, order.id)
    assert [(row.kind, row.to, row.status) for row in rows] == [("receipt", "buyer@example.com", "queued")]


def test_receipt_goes_out_once_through_the_outbox_when_smtp_is_back(db, stripe_client, mail_sink):
    order = new_order(db, email="outbox-once@example.com")
    pi = paid_intent(db, stripe_client, order)
    for kind in ("payment_intent.succeeded", "charge.succeeded"):  # two events, one order, one receipt
        obj = pi if kind.startswith("payment_intent") else stripe_client.v1.charges.retrieve(
            pi["latest_charge"]).to_dict()
        assert deliver(event(obj, kind)).status_code == 200
    def sender():
        with Session(db.get_bind()) as s:
            outbox.deliver_due(s, send)

    senders = [threading.Thread(target=sender) for _ in range(3)]
    [t.start() for t in senders]
    [t.join() for t in senders]
    messages = mail_sink.wait_for("outbox-once@example.com")
    assert len(messages) == 1 and order.number in messages[0]["Subject"]
    body = messages[0].get_content()
    assert "/api/downloads/" in body and "https://x/mug" not in body  # a signed shop link, never the raw location
    row = outbox.for_order(db, order.id)[0]
    db.refresh(row)
    assert row.status == "sent" and row.attempts == 1


def test_replayed_event_is_processed_once(db, stripe_client):
    order = new_order(db)
    orders.watch(db, order, "tab-token-1")
    payload = event(paid_intent(db, stripe_client, order), "payment_intent.succeeded", "evt_replay_1")
    notice = parse_webhook(payload, signed(payload)["Stripe-Signature"])
    assert handle_webhook(notice) == "tab-token-1"  # first delivery: push to the tab
    assert handle_webhook(notice) is None  # replay: nothing happens again (no second push)
    assert deliver(payload).status_code == 200
    row = db.get(WebhookEvent, "evt_replay_1")
    assert row.attempts == 1 and row.processed_at is not None


def test_pending_to_paid_happens_once_and_stock_moves_once(db, stripe_client):
    order = new_order(db, slug="limited")
    pi = paid_intent(db, stripe_client, order)
    charge = stripe_client.v1.charges.retrieve(pi["latest_charge"]).to_dict()
    assert deliver(event(pi, "payment_intent.succeeded")).status_code == 200
    assert deliver(event(charge, "charge.succeeded")).status_code == 200
    limited = db.exec(select(Product).where(Product.slug == "limited")).one()
    db.refresh(limited)
    assert limited.stock == 0 and refreshed(db, order).note == ""


def test_stock_never_goes_below_zero(db, stripe_client):
    from rxshop import reservations

    order = new_order(db, slug="limited")  # reserves the only unit
    pi = paid_intent(db, stripe_client, order)
    reservations.cancel(db, order, "expired")  # ... the reservation lapsed while the shopper was paying
    new_order(db, slug="limited", email="other@example.com")  # and someone else took the unit
    limited = db.exec(select(Product).where(Product.slug == "limited")).one()
    db.refresh(limited)
    assert limited.stock == 0
    assert deliver(event(pi, "payment_intent.succeeded")).status_code == 200
    db.refresh(limited)
    assert limited.stock == 0
    got = refreshed(db, order)
    assert got.status == "paid" and "Oversold" in got.note  # the money was taken: the operator refunds


def test_a_payment_for_less_than_the_order_or_in_another_currency_fulfils_nothing(db, stripe_client):
    order = new_order(db)
    for amount, currency in ((order.total_cents - 1, "usd"), (order.total_cents, "eur")):
        # someone makes their own PaymentIntent naming our order, pays it, and the event is genuinely signed
        pi = stripe_client.v1.payment_intents.create(params={
            "amount": amount, "currency": currency, "payment_method": "pm_card_visa", "confirm": True,
            "payment_method_types": ["card"], "metadata": {"order_id": str(order.id), "order_number": order.number}})
        assert pi.status == "succeeded"
        assert deliver(event(pi.to_dict(), "payment_intent.succeeded")).status_code == 200
        got = refreshed(db, order)
        assert got.status == "pending" and "does not match" in got.note
    assert db.exec(select(OutboxEmail)).all() == []


def test_bad_signature_or_oversized_body_is_refused(db, monkeypatch):
    payload = event({"object": "payment_intent", "id": "pi_x", "metadata": {"order_id": "1"}},
                    "payment_intent.succeeded")
    assert run(post_webhook(payload, signed(payload, "whsec_wrong"))).status_code == 400
    assert run(post_webhook(payload, {})).status_code == 400
    monkeypatch.setattr(get_settings(), "rxshop_webhook_max_bytes", 1024)
    big = event({"object": "payment_intent", "id": "pi_x", "description": "x" * 2000}, "payment_intent.succeeded")
    assert run(post_webhook(big, signed(big))).status_code == 413
    assert db.exec(select(WebhookEvent)).all() == [] and db.exec(select(Order)).all() == []
