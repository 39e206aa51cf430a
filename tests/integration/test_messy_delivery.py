"""The shop under webhooks delivered as Stripe may deliver them: the sandbox's messy mode sends some events twice
and some late (out of order), through real HTTP to the shop's webhook route. Every order is fulfilled exactly once,
a decline that arrives after the success changes nothing, and nothing is left unprocessed."""
from __future__ import annotations

import os
import secrets
import socket
import threading

import httpx
import pytest
import stripe
import uvicorn
from sqlmodel import select

from rxshop import orders, outbox, payments
from rxshop.models import Order, Payment, WebhookEvent
from rxshop.settings import get_settings
from scripts.processes import wait_until
from tests.sandbox.sandbox_proc import SandboxProcess

from .conftest import new_order, run
from .test_webhooks import paid_intent

SEED = int(os.environ.get("STRIPE_SANDBOX_MESSY_WEBHOOKS") or secrets.randbelow(10**6))


@pytest.fixture(scope="module")
def sandbox():
    """This module's sandbox delivers messily (replay a failure with STRIPE_SANDBOX_MESSY_WEBHOOKS=<seed>)."""
    with SandboxProcess("--messy-webhooks", str(SEED), "--messy-max-delay", "0.5", "--time-factor", "0.001") as sb:
        yield sb


@pytest.fixture
def webhook_url(shop):
    """The shop's webhook route served over real HTTP (uvicorn in a thread), as Stripe reaches it."""
    from rxshop.api import api

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(api, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 10, interval=0.02, message="webhook server did not start")
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/stripe/webhook"
    server.should_exit = True
    thread.join(10)


def test_messy_deliveries_fulfil_every_order_exactly_once(db, stripe_client, sandbox, webhook_url, monkeypatch):
    endpoint = stripe_client.v1.webhook_endpoints.create(params={"url": webhook_url, "enabled_events": ["*"]})
    monkeypatch.setattr(get_settings(), "stripe_webhook_secret", endpoint.secret)
    made = []
    for i in range(6):
        order = new_order(db, email=f"messy{i}@example.com")
        if i % 2 == 0:   # a decline first: its payment_failed event may arrive after the success
            intent = run(payments.ensure_payment_intent(orders.order_ref(db, order)))
            with pytest.raises(stripe.CardError):
                stripe_client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_chargeDeclined"})
        made.append((order.id, paid_intent(db, stripe_client, order)["id"]))

    answer = wait_until(lambda: a if not (a := httpx.get(f"{sandbox.url}/_sandbox/deliveries").json())["in_flight"]
                        else None, 30, message=f"deliveries still in flight (seed {SEED})")
    deliveries = answer["data"]
    notes = {d["messy"] for d in deliveries}
    assert {"duplicate", "held back"} <= notes, f"seed {SEED} made no mess: {notes}"
    refused = [(d["event_type"], d["messy"], d["status_code"], d["error"]) for d in deliveries
               if d["status_code"] != 200]
    assert not refused, (SEED, refused)       # duplicates and late events are absorbed, not answered with errors

    db.expire_all()
    for order_id, pi_id in made:
        order = db.get(Order, order_id)
        assert order.status == "paid", (SEED, order.number, order.status)
        payments_ = db.exec(select(Payment).where(Payment.order_id == order_id)).all()
        assert [(p.provider_id, p.status) for p in payments_] == [(pi_id, "succeeded")], (SEED, payments_)
        receipts = [row for row in outbox.for_order(db, order_id) if row.kind == "receipt"]
        assert len(receipts) == 1, (SEED, order.number, receipts)
    events = {d["event_id"] for d in deliveries}
    processed = db.exec(select(WebhookEvent).where(WebhookEvent.id.in_(events))).all()
    assert len(processed) == len(events) and all(e.processed_at for e in processed), SEED
