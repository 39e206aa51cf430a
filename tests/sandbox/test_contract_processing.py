"""Test-only `processing_seconds` (POST /_sandbox/config, --processing-seconds): succeeding card payments stay
`processing` for S seconds, then settle (charge + PaymentIntent succeed, events only then); hosted Checkout completes
at once with payment_status "unpaid" and becomes "paid" with checkout.session.async_payment_succeeded."""
from __future__ import annotations

import re
import time

import httpx
import pytest
import stripe

SECRET_KEY = "sk_test_sandbox"
PUBLISHABLE_KEY = "pk_test_sandbox"
S = 1.0            # processing time used by most tests
SUCCEEDED = ("charge.succeeded", "payment_intent.succeeded")


def make_client(url: str) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": url}, max_network_retries=0)


@pytest.fixture
def processing(fast_sandbox):
    """The fast sandbox with processing_seconds=S; back to 0 afterwards (config survives /_sandbox/reset)."""
    fast_sandbox.set_config(processing_seconds=S)
    yield fast_sandbox
    fast_sandbox.set_config(processing_seconds=0)
    fast_sandbox.reset()


@pytest.fixture
def pclient(processing) -> stripe.StripeClient:
    return make_client(processing.url)


def register(client, receiver) -> str:
    return client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["*"]}).secret


def event_types(client, **params) -> list[str]:
    """Event types oldest first."""
    return [e.type for e in reversed(client.v1.events.list(params={"limit": 100, **params}).data)]


def wait_until(fn, timeout: float = 5.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(step)


def confirm_visa(client, pm="pm_card_visa", **extra):
    return client.v1.payment_intents.create(params={"amount": 2500, "currency": "usd",
                                                    "payment_method_types": ["card"], "payment_method": pm,
                                                    "confirm": True, **extra})


def types_of(deliveries) -> list[str]:
    return [d.json["type"] for d in deliveries]


# ------------------------------------------------------------------------------------------------ config


def test_config_endpoint_reports_and_validates_processing_seconds(sandbox):
    try:
        r = httpx.post(f"{sandbox.url}/_sandbox/config", json={"processing_seconds": 2.5}, timeout=10)
        assert r.status_code == 200 and r.json()["processing_seconds"] == 2.5
        for bad in (-1, "soon"):
            r = httpx.post(f"{sandbox.url}/_sandbox/config", json={"processing_seconds": bad, "webhook_delay": 9},
                           timeout=10)
            assert r.status_code == 400
        r = httpx.post(f"{sandbox.url}/_sandbox/config", json={}, timeout=10)
        assert r.json()["processing_seconds"] == 2.5 and r.json()["webhook_delay"] == 0  # bad request changed nothing
    finally:
        sandbox.set_config(processing_seconds=0)


def test_default_zero_succeeds_at_once(client):
    pi = confirm_visa(client)
    assert pi.status == "succeeded"
    assert client.v1.charges.retrieve(pi.latest_charge).status == "succeeded"
    assert "payment_intent.processing" not in event_types(client)


# ------------------------------------------------------------------------------------------------ API confirm


def test_api_confirm_is_processing_then_succeeds_after_s(pclient, webhook_receiver):
    register(pclient, webhook_receiver)
    t0 = time.monotonic()
    pi = confirm_visa(pclient)
    assert pi.status == "processing"
    assert pi.amount_received == 0
    assert pi.latest_charge is None or pclient.v1.charges.retrieve(pi.latest_charge).status == "pending"
    got = pclient.v1.payment_intents.retrieve(pi.id)
    assert got.status == "processing"
    types = event_types(pclient)
    assert "payment_intent.processing" in types
    assert not set(SUCCEEDED) & set(types)
    # nothing "succeeded" is observable before S
    time.sleep(S * 0.6)
    status, types, delivered = (pclient.v1.payment_intents.retrieve(pi.id).status, event_types(pclient),
                                types_of(webhook_receiver.snapshot()))
    if time.monotonic() - t0 < S:          # all three answered before S (a loaded machine may be slower)
        assert status == "processing"
        assert not set(SUCCEEDED) & set(types)
        assert not set(SUCCEEDED) & set(delivered)

    got = wait_until(lambda: (p := pclient.v1.payment_intents.retrieve(pi.id)).status == "succeeded" and p)
    elapsed = time.monotonic() - t0
    assert S - 0.05 <= elapsed < S + 2.0
    assert got.amount_received == 2500 and got.latest_charge
    ch = pclient.v1.charges.retrieve(got.latest_charge)
    assert ch.status == "succeeded" and ch.paid is True and ch.payment_intent == pi.id
    # events: created/processing first, then charge.succeeded then payment_intent.succeeded, once each
    types = event_types(pclient)
    assert types.index("payment_intent.processing") < types.index("charge.succeeded") < types.index(
        "payment_intent.succeeded")
    assert types.count("charge.succeeded") == 1 and types.count("payment_intent.succeeded") == 1
    evt = pclient.v1.events.list(params={"type": "payment_intent.succeeded"}).data[0]
    assert evt.data.object.id == pi.id and evt.data.object.status == "succeeded"
    # webhooks for the succeeded events arrive only after the payment settled
    for etype in SUCCEEDED:
        d = webhook_receiver.wait_for_event(etype)
        assert d.at - t0 >= S - 0.05
    # refunds work once settled
    pclient.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})


def test_refund_while_processing_is_refused(pclient):
    pi = confirm_visa(pclient)
    assert pi.status == "processing"
    with pytest.raises(stripe.InvalidRequestError):
        pclient.v1.refunds.create(params={"payment_intent": pi.id})


def test_webhook_delay_applies_on_top(processing, pclient, webhook_receiver):
    processing.set_config(webhook_delay=0.5)
    register(pclient, webhook_receiver)
    t0 = time.monotonic()
    pi = confirm_visa(pclient)
    assert pi.status == "processing"
    d = webhook_receiver.wait_for_event("payment_intent.succeeded", timeout=S + 5)
    assert d.at - t0 >= S + 0.5 - 0.05


def test_publishable_key_confirm_returns_processing(pclient, processing):
    pi = pclient.v1.payment_intents.create(params={"amount": 1800, "currency": "usd",
                                                   "automatic_payment_methods": {"enabled": True}})
    with httpx.Client(base_url=processing.url, timeout=10) as browser:
        r = browser.post(f"/v1/payment_intents/{pi.id}/confirm",
                         headers={"Authorization": f"Bearer {PUBLISHABLE_KEY}"},
                         data={"client_secret": pi.client_secret, "payment_method": "pm_card_visa",
                               "use_stripe_sdk": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "processing" and "error" not in r.json()
    wait_until(lambda: pclient.v1.payment_intents.retrieve(pi.id).status == "succeeded")


def test_three_d_secure_completion_goes_processing(pclient, processing):
    pi = confirm_visa(pclient, pm="pm_card_threeDSecure2Required")
    assert pi.status == "requires_action"
    r = processing.three_d_secure(pi.id, "complete")
    assert r.status_code == 200 and r.json()["status"] == "processing"
    assert "payment_intent.succeeded" not in event_types(pclient)
    wait_until(lambda: pclient.v1.payment_intents.retrieve(pi.id).status == "succeeded")
    types = event_types(pclient)
    assert types.index("charge.succeeded") < types.index("payment_intent.succeeded")


def test_declines_still_fail_immediately(pclient):
    with pytest.raises(stripe.CardError) as e:
        confirm_visa(pclient, pm="pm_card_chargeDeclined")
    assert e.value.code == "card_declined"
    pi = pclient.v1.payment_intents.list(params={"limit": 1}).data[0]
    assert pi.status == "requires_payment_method"
    assert "payment_intent.processing" not in event_types(pclient)


def test_charges_api_unaffected(pclient):
    ch = pclient.v1.charges.create(params={"amount": 1200, "currency": "usd", "source": "tok_visa"})
    assert ch.status == "succeeded" and ch.paid is True
    assert "charge.succeeded" in event_types(pclient)


def test_manual_capture_unaffected(pclient):
    pi = confirm_visa(pclient, capture_method="manual")
    assert pi.status == "requires_capture"


def test_reset_cancels_pending_settles(processing, pclient, webhook_receiver):
    register(pclient, webhook_receiver)
    pi = confirm_visa(pclient)
    assert pi.status == "processing"
    processing.reset()
    time.sleep(S + 0.5)
    assert event_types(pclient) == []
    assert processing.deliveries() == []


def test_cancel_while_processing_never_settles(pclient):
    pi = confirm_visa(pclient)
    assert pi.status == "processing"
    assert pclient.v1.payment_intents.cancel(pi.id).status == "canceled"
    time.sleep(S + 0.5)
    assert pclient.v1.payment_intents.retrieve(pi.id).status == "canceled"
    assert "payment_intent.succeeded" not in event_types(pclient)


# ------------------------------------------------------------------------------------------------ hosted Checkout


def test_checkout_session_completes_unpaid_then_paid(pclient, processing, webhook_receiver):
    register(pclient, webhook_receiver)
    cs = pclient.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": "http://shop.test/ok?cs={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://shop.test/cart", "customer_email": "shopper@example.com",
        "line_items": [{"price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "Mug"}},
                        "quantity": 2}],
    })
    path = cs.url[len(processing.url):] if cs.url.startswith(processing.url) else re.sub(r"^https?://[^/]+", "",
                                                                                         cs.url)
    r = httpx.post(f"{processing.url}{path}", data={"email": "shopper@example.com", "cardnumber": "4242424242424242",
                                                     "exp": "12 / 34", "cvc": "123"}, timeout=10)
    assert r.status_code == 303
    assert r.headers["location"] == f"http://shop.test/ok?cs={cs.id}"

    got = pclient.v1.checkout.sessions.retrieve(cs.id)
    assert got.status == "complete" and got.payment_status == "unpaid"
    assert pclient.v1.payment_intents.retrieve(got.payment_intent).status == "processing"
    completed = pclient.v1.events.list(params={"type": "checkout.session.completed"}).data
    assert len(completed) == 1 and completed[0].data.object.payment_status == "unpaid"
    types = event_types(pclient)
    assert "checkout.session.async_payment_succeeded" not in types and not set(SUCCEEDED) & set(types)
    d = webhook_receiver.wait_for_event("checkout.session.completed")
    assert d.json["data"]["object"]["payment_status"] == "unpaid"

    wait_until(lambda: pclient.v1.checkout.sessions.retrieve(cs.id).payment_status == "paid")
    assert pclient.v1.payment_intents.retrieve(got.payment_intent).status == "succeeded"
    types = event_types(pclient)
    assert (types.index("checkout.session.completed") < types.index("charge.succeeded")
            < types.index("payment_intent.succeeded") < types.index("checkout.session.async_payment_succeeded"))
    evt = pclient.v1.events.list(params={"type": "checkout.session.async_payment_succeeded"}).data[0]
    assert evt.data.object.id == cs.id and evt.data.object.payment_status == "paid"
    d = webhook_receiver.wait_for_event("checkout.session.async_payment_succeeded")
    assert d.json["data"]["object"]["payment_status"] == "paid"
    # the completed session can't be paid again
    assert httpx.get(f"{processing.url}{path}", timeout=10).status_code == 409


def test_checkout_decline_still_shown_on_the_page(pclient, processing):
    cs = pclient.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": "http://shop.test/ok", "cancel_url": "http://shop.test/cart",
        "line_items": [{"price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "Mug"}},
                        "quantity": 1}],
    })
    path = re.sub(r"^https?://[^/]+", "", cs.url)
    r = httpx.post(f"{processing.url}{path}", data={"email": "a@example.com", "cardnumber": "4000000000000002",
                                                     "exp": "12 / 34", "cvc": "123"}, timeout=10)
    assert r.status_code == 402 and "Your card was declined." in r.text
    assert pclient.v1.checkout.sessions.retrieve(cs.id).status == "open"


# ------------------------------------------------------------------------------------------------ CLI / state file


def test_cli_flag_and_state_file_restart(start_sandbox, tmp_path):
    state = tmp_path / "state.json"
    sb = start_sandbox("--processing-seconds", "1.5", "--state-file", str(state))
    c = make_client(sb.url)
    pi = confirm_visa(c)
    assert pi.status == "processing"
    sb.stop()
    sb2 = start_sandbox("--state-file", str(state))   # default 0 now; the pending settle still happens
    c2 = make_client(sb2.url)
    wait_until(lambda: c2.v1.payment_intents.retrieve(pi.id).status == "succeeded", timeout=6)
    assert c2.v1.charges.retrieve(c2.v1.payment_intents.retrieve(pi.id).latest_charge).status == "succeeded"
    assert confirm_visa(c2).status == "succeeded"
