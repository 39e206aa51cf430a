"""Webhooks as Stripe delivers them: Stripe's retry schedule (scaled), a `v0=` signature on test events that
receivers must ignore, and a seeded messy mode (duplicates, out of order) that replays the same way."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest
import stripe

from stripe_sandbox.webhooks import LIVE_RETRIES, TEST_RETRIES
from tests.sandbox.test_webhooks import pay, register

SK = "sk_test_sandbox"


def test_retry_schedules_are_stripes():
    assert len(TEST_RETRIES) == 3 and 3600 <= sum(TEST_RETRIES) <= 6 * 3600       # three times over a few hours
    assert 2.5 * 86400 <= sum(LIVE_RETRIES) <= 3 * 86400                          # up to three days
    assert all(b >= a for a, b in zip(LIVE_RETRIES, LIVE_RETRIES[1:]))            # backing off


def test_test_events_carry_a_v0_signature_that_is_not_v1(fast_client, webhook_receiver):
    secret = register(fast_client, webhook_receiver, events=["payment_intent.succeeded"])
    pay(fast_client)
    d = webhook_receiver.wait_for_event("payment_intent.succeeded")
    parts = dict(p.split("=", 1) for p in d.signature.split(","))
    assert set(parts) == {"t", "v1", "v0"}
    signed = f"{parts['t']}.".encode() + d.body
    assert parts["v1"] == hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert parts["v0"] != parts["v1"]
    assert stripe.Webhook.construct_event(d.body, d.signature, secret).type == "payment_intent.succeeded"


@pytest.fixture
def messy(start_sandbox):
    return start_sandbox("--messy-webhooks", "4242", "--messy-max-delay", "0.4", "--time-factor", "0.0002")


def _run(sb, receiver) -> tuple[list[str], list[dict], str]:
    client = stripe.StripeClient(SK, base_addresses={"api": sb.url}, max_network_retries=0)
    secret = register(client, receiver, events=["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"])
    for _ in range(12):
        pay(client)
    events = [e.id for e in reversed(client.v1.events.list(params={"limit": 100, "types": [
        "payment_intent.succeeded", "charge.succeeded", "payment_intent.created"]}).data)]
    receiver.wait_for(lambda ds: {json.loads(d.body)["id"] for d in ds} >= set(events), timeout=15)
    deadline = time.monotonic() + 15
    while (answer := httpx.get(f"{sb.url}/_sandbox/deliveries").json())["in_flight"]:   # late duplicates
        assert time.monotonic() < deadline, answer["in_flight"]
        time.sleep(0.05)
    deliveries = answer["data"]
    return events, deliveries, secret


def _plan(events: list[str], deliveries: list[dict]) -> list[tuple[int, str | None]]:
    index = {e: i for i, e in enumerate(events)}
    return sorted((index[d["event_id"]], d["messy"] or "") for d in deliveries)


def test_messy_mode_duplicates_reorders_and_replays_with_its_seed(messy, make_receiver):
    first = make_receiver()
    events, deliveries, secret = _run(messy, first)
    arrived = [json.loads(d.body)["id"] for d in first.snapshot()]
    assert set(arrived) == set(events), "every event arrives at least once"
    assert len(arrived) > len(set(arrived)), "some events arrive twice"
    firsts = list(dict.fromkeys(arrived))
    assert firsts != events, "some events arrive out of order"
    notes = {d["messy"] for d in deliveries}
    assert {"duplicate", "held back"} <= notes
    for d in first.snapshot():                      # every copy is a correctly signed event
        assert stripe.Webhook.construct_event(d.body, d.signature, secret).id in events
    # the same seed and the same requests after a reset: the same choices
    assert httpx.post(f"{messy.url}/_sandbox/reset").status_code == 200
    second = make_receiver()
    events2, deliveries2, _ = _run(messy, second)
    assert _plan(events2, deliveries2) == _plan(events, deliveries)


def test_messy_mode_is_off_by_default(sandbox_process):
    cfg = httpx.post(f"{sandbox_process.url}/_sandbox/config", json={}).json()
    assert cfg["messy_seed"] is None and cfg["retry_schedule"] == "test" and cfg["time_factor"] == 1.0
