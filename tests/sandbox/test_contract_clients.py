"""stripe-python 16's other doors: the *_async methods of StripeClient and the legacy module API."""
from __future__ import annotations

import asyncio

import pytest
import stripe


def run_async(coro):
    """asyncio.run in a thread of its own: Playwright's sync API may own this thread's event loop."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


SK = "sk_test_sandbox"


def fresh_client(url: str) -> stripe.StripeClient:
    # one client per event loop: the async HTTP client binds to the loop that first used it
    return stripe.StripeClient(SK, base_addresses={"api": url}, max_network_retries=0)


# --------------------------------------------------------------------------- async


def test_async_payment_flow(sandbox):
    async def flow():
        c = fresh_client(sandbox.url)
        cus = await c.v1.customers.create_async(params={"email": "async@example.com"})
        pi = await c.v1.payment_intents.create_async(
            params={"amount": 2600, "currency": "eur", "customer": cus.id, "payment_method_types": ["card"]},
            options={"idempotency_key": "async-order-1"},
        )
        assert pi.status == "requires_payment_method"
        pi = await c.v1.payment_intents.confirm_async(pi.id, params={"payment_method": "pm_card_visa"})
        assert pi.status == "succeeded"
        got = await c.v1.payment_intents.retrieve_async(pi.id, params={"expand": ["latest_charge"]})
        assert got.latest_charge.status == "succeeded" and got.customer == cus.id
        refund = await c.v1.refunds.create_async(params={"payment_intent": pi.id, "amount": 600})
        assert refund.amount == 600
        charge = await c.v1.charges.retrieve_async(pi.latest_charge)
        assert charge.amount_refunded == 600
        events = await c.v1.events.list_async(params={"type": "payment_intent.succeeded"})
        assert [e.data.object.id for e in events.data] == [pi.id]
        return pi.id

    pi_id = run_async(flow())
    assert fresh_client(sandbox.url).v1.payment_intents.retrieve(pi_id).status == "succeeded"


def test_async_card_error(sandbox):
    async def flow():
        c = fresh_client(sandbox.url)
        pi = await c.v1.payment_intents.create_async(
            params={"amount": 2600, "currency": "usd", "payment_method_types": ["card"]})
        with pytest.raises(stripe.CardError) as ei:
            await c.v1.payment_intents.confirm_async(pi.id, params={"payment_method": "pm_card_chargeDeclined"})
        assert ei.value.http_status == 402 and ei.value.code == "card_declined"
        assert ei.value.error.decline_code == "generic_decline"
        with pytest.raises(stripe.InvalidRequestError) as ei:
            await c.v1.customers.retrieve_async("cus_missing")
        assert ei.value.http_status == 404

    run_async(flow())


def test_async_checkout_session_and_concurrency(sandbox):
    async def flow():
        c = fresh_client(sandbox.url)
        s = await c.v1.checkout.sessions.create_async(params={
            "mode": "payment",
            "line_items": [{"price_data": {"currency": "usd", "unit_amount": 500, "product_data": {"name": "Mug"}},
                            "quantity": 3}],
            "success_url": "http://shop.test/ok?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://shop.test/cart",
        })
        assert s.amount_total == 1500 and s.status == "open"
        items = await c.v1.checkout.sessions.line_items.list_async(s.id)
        assert [i.quantity for i in items.data] == [3]
        expired = await c.v1.checkout.sessions.expire_async(s.id)
        assert expired.status == "expired"
        # many concurrent requests, all distinct and all succeeding
        pis = await asyncio.gather(*[
            c.v1.payment_intents.create_async(params={
                "amount": 100 + i, "currency": "usd", "payment_method_types": ["card"],
                "payment_method": "pm_card_visa", "confirm": True})
            for i in range(12)
        ])
        assert len({p.id for p in pis}) == 12
        assert {p.status for p in pis} == {"succeeded"}
        assert sorted(p.amount for p in pis) == [100 + i for i in range(12)]

    run_async(flow())


def test_async_idempotent_concurrent_creates_make_one_object(sandbox):
    async def flow():
        c = fresh_client(sandbox.url)
        params = {"amount": 777, "currency": "usd", "payment_method_types": ["card"]}
        results = await asyncio.gather(
            *[c.v1.payment_intents.create_async(params=params, options={"idempotency_key": "same-key-x"})
              for _ in range(5)],
            return_exceptions=True,
        )
        ok = [r for r in results if not isinstance(r, Exception)]
        # Stripe may answer a request that races the first one with 409; none may create a second object
        for r in results:
            if isinstance(r, Exception):
                assert isinstance(r, stripe.StripeError) and r.http_status == 409, r
        assert ok and len({r.id for r in ok}) == 1
        listed = await c.v1.payment_intents.list_async()
        assert len(listed.data) == 1

    run_async(flow())


# --------------------------------------------------------------------------- legacy module API


def test_legacy_module_api(legacy_stripe):
    s = legacy_stripe
    cus = s.Customer.create(email="legacy@example.com")
    assert cus.id.startswith("cus_") and s.Customer.retrieve(cus.id).email == "legacy@example.com"
    pi = s.PaymentIntent.create(amount=1999, currency="usd", payment_method_types=["card"], customer=cus.id,
                                idempotency_key="legacy-1")
    again = s.PaymentIntent.create(amount=1999, currency="usd", payment_method_types=["card"], customer=cus.id,
                                   idempotency_key="legacy-1")
    assert again.id == pi.id
    pi = s.PaymentIntent.confirm(pi.id, payment_method="pm_card_visa")
    assert pi.status == "succeeded"
    refund = s.Refund.create(payment_intent=pi.id, amount=999)
    assert refund.status == "succeeded"
    assert s.Charge.retrieve(pi.latest_charge).amount_refunded == 999
    ch = s.Charge.create(amount=500, currency="usd", source="tok_visa")
    assert ch.paid is True
    session = s.checkout.Session.create(
        mode="payment",
        line_items=[{"price_data": {"currency": "usd", "unit_amount": 700, "product_data": {"name": "Cap"}},
                     "quantity": 2}],
        success_url="http://shop.test/ok", cancel_url="http://shop.test/cart",
    )
    assert session.amount_total == 1400
    assert s.checkout.Session.retrieve(session.id).status == "open"
    assert s.checkout.Session.expire(session.id).status == "expired"
    types = [e.type for e in s.Event.list(limit=100).data]
    assert "payment_intent.succeeded" in types and "charge.refunded" in types


def test_legacy_module_api_errors(legacy_stripe):
    s = legacy_stripe
    pi = s.PaymentIntent.create(amount=1999, currency="usd", payment_method_types=["card"])
    with pytest.raises(s.CardError) as ei:
        s.PaymentIntent.confirm(pi.id, payment_method="pm_card_chargeDeclinedInsufficientFunds")
    assert ei.value.code == "card_declined"
    assert ei.value.error.decline_code == "insufficient_funds"
    assert ei.value.user_message == "Your card has insufficient funds."
    with pytest.raises(s.InvalidRequestError) as ei:
        s.PaymentIntent.retrieve("pi_missing")
    assert ei.value.http_status == 404
    we = s.WebhookEndpoint.create(url="http://127.0.0.1:9/hook", enabled_events=["*"])
    assert we.secret.startswith("whsec_")
    assert s.WebhookEndpoint.delete(we.id).deleted is True
