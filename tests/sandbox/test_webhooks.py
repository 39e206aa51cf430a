"""Webhook delivery: signing, payload shape, retries, delay, CLI registration.

Runs against a sandbox started with `--time-factor 0.0002 --webhook-timeout 1` (Stripe's test-mode retry schedule,
5 min / 30 min / 2 h, compressed to 0.06 / 0.36 / 1.44 s)
(fixture `fast_sandbox`), and a local threaded receiver (fixture `webhook_receiver`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

import httpx
import pytest
import stripe

from scripts.processes import wait_until



def register(client, receiver, events=("*",)) -> str:
    we = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": list(events)})
    assert we.secret.startswith("whsec_")
    return we.secret


def pay(client, amount=2000, pm="pm_card_visa", **options):
    return client.v1.payment_intents.create(
        params={"amount": amount, "currency": "usd", "payment_method_types": ["card"], "payment_method": pm,
                "confirm": True},
        options=options,
    )


def parse_sig(header: str) -> tuple[int, list[str]]:
    parts = [p.split("=", 1) for p in header.split(",")]
    t = [int(v) for k, v in parts if k == "t"]
    v1 = [v for k, v in parts if k == "v1"]
    assert len(t) == 1 and v1, header
    return t[0], v1


def test_payment_delivers_signed_events(fast_client, webhook_receiver):
    secret = register(fast_client, webhook_receiver)
    pi = pay(fast_client)
    for etype, obj_id in (("payment_intent.succeeded", pi.id), ("charge.succeeded", pi.latest_charge)):
        d = webhook_receiver.wait_for_event(etype)
        assert d.path == "/webhooks/stripe"
        assert d.headers["content-type"].startswith("application/json")
        event = stripe.Webhook.construct_event(d.body, d.signature, secret)
        assert event.type == etype and event.data.object.id == obj_id
        # the signature is Stripe's: HMAC-SHA256(secret, "<t>.<raw body>") in hex, fresh timestamp
        t, v1 = parse_sig(d.signature)
        assert abs(t - time.time()) < 60
        expected = hmac.new(secret.encode(), f"{t}.".encode() + d.body, hashlib.sha256).hexdigest()
        assert expected in v1


def test_tampered_or_foreign_deliveries_fail_verification(fast_client, webhook_receiver):
    secret = register(fast_client, webhook_receiver)
    pay(fast_client, amount=2000)
    d = webhook_receiver.wait_for_event("payment_intent.succeeded")
    stripe.Webhook.construct_event(d.body, d.signature, secret)  # genuine: verifies
    tampered = d.body.replace(b'"amount": 2000', b'"amount": 1').replace(b'"amount":2000', b'"amount":1')
    assert tampered != d.body
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, d.signature, secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(d.body, d.signature, "whsec_not_the_secret")
    with pytest.raises(stripe.SignatureVerificationError):  # signature from another event
        other = d.body.replace(b"evt_", b"evt_x", 1)
        stripe.Webhook.construct_event(other, d.signature, secret)


def test_each_endpoint_signs_with_its_own_secret(fast_client, make_receiver):
    a, b = make_receiver(), make_receiver()
    secret_a, secret_b = register(fast_client, a), register(fast_client, b)
    assert secret_a != secret_b
    pay(fast_client)
    da = a.wait_for_event("payment_intent.succeeded")
    db = b.wait_for_event("payment_intent.succeeded")
    assert json.loads(da.body)["id"] == json.loads(db.body)["id"]
    stripe.Webhook.construct_event(da.body, da.signature, secret_a)
    stripe.Webhook.construct_event(db.body, db.signature, secret_b)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(da.body, da.signature, secret_b)


def test_event_payload_shape(fast_client, webhook_receiver):
    register(fast_client, webhook_receiver)
    pi = pay(fast_client, idempotency_key="order-77-pay")
    d = webhook_receiver.wait_for_event("payment_intent.succeeded")
    e = json.loads(d.body)
    assert re.fullmatch(r"evt_[A-Za-z0-9]+", e["id"])
    assert e["object"] == "event"
    assert e["type"] == "payment_intent.succeeded"
    assert isinstance(e["created"], int) and abs(e["created"] - time.time()) < 60
    assert e["livemode"] is False
    assert isinstance(e["api_version"], str) and e["api_version"]
    assert e["data"]["object"]["object"] == "payment_intent"
    assert e["data"]["object"]["id"] == pi.id
    assert e["data"]["object"]["status"] == "succeeded"
    assert e["data"]["object"]["amount_received"] == 2000
    assert e["request"]["idempotency_key"] == "order-77-pay"
    # the delivered event is the stored event
    stored = fast_client.v1.events.retrieve(e["id"])
    assert stored.type == e["type"] and stored.data.object.id == pi.id


def test_enabled_events_filter(fast_client, make_receiver):
    only_refunds, everything = make_receiver(), make_receiver()
    register(fast_client, only_refunds, events=["charge.refunded"])
    register(fast_client, everything)
    pi = pay(fast_client)
    fast_client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})
    everything.wait_for_event("charge.refunded")
    d = only_refunds.wait_for_event("charge.refunded")
    time.sleep(0.3)  # let any stray delivery arrive
    assert {json.loads(x.body)["type"] for x in only_refunds.snapshot()} == {"charge.refunded"}
    obj = json.loads(d.body)["data"]["object"]
    assert obj["object"] == "charge" and obj["id"] == pi.latest_charge
    assert obj["amount_refunded"] == 500
    assert {"payment_intent.succeeded", "charge.succeeded", "charge.refunded"} <= {
        json.loads(x.body)["type"] for x in everything.snapshot()}


def test_payment_failed_event_after_decline(fast_client, webhook_receiver):
    secret = register(fast_client, webhook_receiver)
    pi = fast_client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", "payment_method_types": ["card"]})
    with pytest.raises(stripe.CardError):
        fast_client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclined"})
    d = webhook_receiver.wait_for_event("payment_intent.payment_failed")
    event = stripe.Webhook.construct_event(d.body, d.signature, secret)
    assert event.data.object.id == pi.id
    assert event.data.object.last_payment_error.code == "card_declined"
    webhook_receiver.wait_for_event("charge.failed")


def test_charge_refunded_event(fast_client, webhook_receiver):
    secret = register(fast_client, webhook_receiver)
    ch = fast_client.v1.charges.create(params={"amount": 1200, "currency": "usd", "source": "tok_visa"})
    fast_client.v1.refunds.create(params={"charge": ch.id})
    d = webhook_receiver.wait_for_event("charge.refunded")
    event = stripe.Webhook.construct_event(d.body, d.signature, secret)
    assert event.data.object.id == ch.id and event.data.object.refunded is True


def test_checkout_session_expired_event(fast_client, webhook_receiver):
    register(fast_client, webhook_receiver, events=["checkout.session.expired"])
    s = fast_client.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": "http://shop.test/ok", "cancel_url": "http://shop.test/cart",
        "line_items": [{"price_data": {"currency": "usd", "unit_amount": 100, "product_data": {"name": "X"}},
                        "quantity": 1}],
    })
    fast_client.v1.checkout.sessions.expire(s.id)
    d = webhook_receiver.wait_for_event("checkout.session.expired")
    assert json.loads(d.body)["data"]["object"]["id"] == s.id


def test_delivery_is_asynchronous(fast_client, fast_sandbox, make_receiver):
    slow = make_receiver(hang_first=1, hang_seconds=1.5)
    register(fast_client, slow, events=["payment_intent.succeeded"])
    t0 = time.monotonic()
    pay(fast_client)
    assert time.monotonic() - t0 < 1.0, "the API call must not wait for the webhook receiver"
    slow.wait_for(lambda ds: ds, timeout=5)


def test_retries_until_receiver_succeeds(fast_client, fast_sandbox, make_receiver):
    flaky = make_receiver(fail_first=2)
    secret = register(fast_client, flaky, events=["payment_intent.succeeded"])
    pi = pay(fast_client)
    ds = flaky.wait_for(lambda ds: any(d.status == 200 for d in ds), timeout=10)
    assert [d.status for d in ds] == [500, 500, 200]
    ids = {json.loads(d.body)["id"] for d in ds}
    assert len(ids) == 1, "a retry re-sends the same event"
    for d in ds:  # every attempt is signed (freshly or not, it verifies)
        stripe.Webhook.construct_event(d.body, d.signature, secret)
    # Stripe's schedule scaled: 300 s and 1800 s times 0.0002
    assert 0.05 <= ds[1].at - ds[0].at < 0.3
    assert 0.35 <= ds[2].at - ds[1].at < 1.0
    event_id = ids.pop()
    attempts = [x for x in fast_sandbox.deliveries() if x["event_id"] == event_id]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert [a["status_code"] for a in attempts] == [500, 500, 200]
    assert all(a["url"] == flaky.url and a["event_type"] == "payment_intent.succeeded" for a in attempts)
    assert attempts[-1]["error"] is None
    assert fast_client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_redirect_is_a_failed_delivery(fast_client, fast_sandbox, make_receiver):
    # Stripe does not follow redirects for webhooks: a 3xx is a failed attempt and is retried
    moved = make_receiver(fail_first=1, fail_status=302)
    register(fast_client, moved, events=["payment_intent.succeeded"])
    pay(fast_client)
    ds = moved.wait_for(lambda ds: any(d.status == 200 for d in ds), timeout=10)
    assert [d.status for d in ds] == [302, 200]
    assert [a["status_code"] for a in fast_sandbox.deliveries()] == [302, 200]


def test_gives_up_after_max_attempts(fast_client, fast_sandbox, make_receiver):
    down = make_receiver(fail_first=10**6, fail_status=503)
    register(fast_client, down, events=["payment_intent.succeeded"])
    pay(fast_client)
    down.wait_for(lambda ds: len(ds) >= 4, timeout=10)  # test mode: the first attempt and three retries
    time.sleep(0.8)  # nothing more comes
    assert len(down.snapshot()) == 4
    attempts = fast_sandbox.deliveries()
    assert [a["attempt"] for a in attempts] == [1, 2, 3, 4]
    assert {a["status_code"] for a in attempts} == {503}


def test_timeout_counts_as_failure(fast_client, fast_sandbox, make_receiver):
    hanging = make_receiver(hang_first=1, hang_seconds=2.0)  # sandbox --webhook-timeout 1
    register(fast_client, hanging, events=["payment_intent.succeeded"])
    pay(fast_client)
    wait_until(lambda: any(a["status_code"] == 200 for a in fast_sandbox.deliveries()), 8,
               message=lambda: str(fast_sandbox.deliveries()))
    first, *rest = fast_sandbox.deliveries()
    assert first["attempt"] == 1 and first["status_code"] is None and first["error"]
    assert rest[-1]["status_code"] == 200 and rest[-1]["attempt"] >= 2


def test_unreachable_endpoint_is_recorded(fast_client, fast_sandbox):
    fast_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/nobody-listens", "enabled_events": ["payment_intent.succeeded"]})
    pay(fast_client)
    attempts = wait_until(lambda: ds if len(ds := fast_sandbox.deliveries()) >= 2 else None, 5,
                          message=lambda: str(fast_sandbox.deliveries()))
    assert all(a["status_code"] is None and a["error"] for a in attempts)
    assert all(a["delivered_at"] for a in attempts)


def test_webhook_delay(fast_client, fast_sandbox, webhook_receiver):
    fast_sandbox.set_config(webhook_delay=1.0)
    register(fast_client, webhook_receiver, events=["payment_intent.succeeded"])
    t0 = time.monotonic()
    pay(fast_client)
    time.sleep(0.5)
    assert webhook_receiver.snapshot() == [], "nothing may arrive before the configured delay"
    d = webhook_receiver.wait_for_event("payment_intent.succeeded", timeout=5)
    assert d.at - t0 >= 0.95
    fast_sandbox.set_config(webhook_delay=0)
    webhook_receiver.received.clear()
    t1 = time.monotonic()
    pay(fast_client)
    d = webhook_receiver.wait_for_event("payment_intent.succeeded", timeout=5)
    assert d.at - t1 < 0.9, "delay 0 delivers promptly again"


def test_deleted_endpoint_gets_nothing(fast_client, webhook_receiver):
    we = fast_client.v1.webhook_endpoints.create(params={"url": webhook_receiver.url, "enabled_events": ["*"]})
    fast_client.v1.webhook_endpoints.delete(we.id)
    pay(fast_client)
    time.sleep(0.5)
    assert webhook_receiver.snapshot() == []


# --------------------------------------------------------------------------- CLI registration


@pytest.fixture
def cli_sandbox(make_receiver, start_sandbox):
    receiver = make_receiver()
    sb = start_sandbox("--webhook-url", receiver.url, "--webhook-secret", "whsec_cli_test_secret",
                       "--webhook-delay", "0.3", "--time-factor", "0.0002")
    return sb, receiver


def test_cli_webhook_registration(cli_sandbox):
    sb, receiver = cli_sandbox
    client = stripe.StripeClient("sk_test_sandbox", base_addresses={"api": sb.url}, max_network_retries=0)
    listed = client.v1.webhook_endpoints.list().data
    assert [w.url for w in listed] == [receiver.url]
    t0 = time.monotonic()
    pi = pay(client)
    d = receiver.wait_for_event("payment_intent.succeeded", timeout=5)
    assert d.at - t0 >= 0.25, "--webhook-delay applies"
    event = stripe.Webhook.construct_event(d.body, d.signature, "whsec_cli_test_secret")
    assert event.data.object.id == pi.id
    # reset keeps the CLI-registered endpoint
    assert httpx.post(f"{sb.url}/_sandbox/reset", timeout=10).status_code == 200
    assert [w.url for w in client.v1.webhook_endpoints.list().data] == [receiver.url]
    receiver.received.clear()
    pi2 = pay(client)
    d = receiver.wait_for_event("payment_intent.succeeded", timeout=5)
    assert stripe.Webhook.construct_event(d.body, d.signature, "whsec_cli_test_secret").data.object.id == pi2.id


def test_sandbox_cli_basics(sandbox_process):
    assert re.fullmatch(r"stripe-sandbox listening on http://127\.0\.0\.1:\d+", sandbox_process.first_line)
    assert httpx.get(f"{sandbox_process.url}/_sandbox/health", timeout=5).json() == {"ok": True}
