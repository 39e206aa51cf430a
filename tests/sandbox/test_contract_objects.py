"""Lifecycle of every object the shop uses, through stripe-python's StripeClient."""
from __future__ import annotations

import re
import time

import httpx
import pytest
import stripe


def new_pi(client, amount=2000, **extra):
    return client.v1.payment_intents.create(
        params={"amount": amount, "currency": "usd", "payment_method_types": ["card"], **extra}
    )


def paid_pi(client, amount=2000, **extra):
    pi = new_pi(client, amount, payment_method="pm_card_visa", confirm=True, **extra)
    assert pi.status == "succeeded"
    return pi


def event_types(client, limit=100):
    return [e.type for e in client.v1.events.list(params={"limit": limit}).data]


# --------------------------------------------------------------------------- Customer


def test_customer_create_and_retrieve(client):
    cus = client.v1.customers.create(
        params={"email": "ada@example.com", "name": "Ada Lovelace", "metadata": {"order": "42"}}
    )
    assert cus.object == "customer" and cus.id.startswith("cus_")
    assert cus.email == "ada@example.com" and cus.name == "Ada Lovelace"
    assert cus.metadata["order"] == "42"
    assert cus.livemode is False
    assert abs(cus.created - time.time()) < 60
    got = client.v1.customers.retrieve(cus.id)
    assert (got.id, got.email, got.metadata["order"]) == (cus.id, "ada@example.com", "42")
    other = client.v1.customers.create(params={"email": "bob@example.com"})
    assert other.id != cus.id


# --------------------------------------------------------------------------- Checkout Session

LINE_ITEMS = [
    {"price_data": {"currency": "eur", "unit_amount": 1500,
                    "product_data": {"name": "Linen shirt", "images": ["https://example.com/shirt.png"]}},
     "quantity": 2},
    {"price_data": {"currency": "eur", "unit_amount": 999, "product_data": {"name": "Socks"}}, "quantity": 1},
]


def new_session(client, **extra):
    return client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": LINE_ITEMS,
            "success_url": "http://shop.test/success?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://shop.test/cart",
            "customer_email": "ada@example.com",
            "client_reference_id": "order-42",
            "metadata": {"order_id": "42"},
            **extra,
        }
    )


def test_checkout_session_create(client, sandbox):
    s = new_session(client)
    assert s.object == "checkout.session" and s.id.startswith("cs_test_")
    assert s.mode == "payment"
    assert s.status == "open" and s.payment_status == "unpaid"
    assert s.amount_subtotal == 2 * 1500 + 999
    assert s.amount_total == 3999
    assert s.currency == "eur"
    assert s.customer_email == "ada@example.com"
    assert s.client_reference_id == "order-42"
    assert s.metadata["order_id"] == "42"
    assert s.cancel_url == "http://shop.test/cart"
    assert s.livemode is False
    assert s.url and s.id in s.url and s.url.startswith(sandbox.url)
    # Stripe's default lifetime of a session is 24 hours.
    assert abs((s.expires_at - s.created) - 24 * 3600) <= 5
    assert httpx.get(s.url, timeout=10).status_code == 200  # the hosted page exists


def test_checkout_session_retrieve_and_line_items(client):
    s = new_session(client)
    got = client.v1.checkout.sessions.retrieve(s.id)
    assert (got.id, got.status, got.amount_total, got.url) == (s.id, "open", 3999, s.url)
    items = client.v1.checkout.sessions.line_items.list(s.id)
    assert items.object == "list" and items.has_more is False
    assert [i.description for i in items.data] == ["Linen shirt", "Socks"]
    assert [i.quantity for i in items.data] == [2, 1]
    assert [i.amount_total for i in items.data] == [3000, 999]
    assert [i.price.unit_amount for i in items.data] == [1500, 999]
    assert all(i.object == "item" and i.currency == "eur" for i in items.data)


def test_checkout_session_expand_line_items(client):
    s = new_session(client)
    got = client.v1.checkout.sessions.retrieve(s.id, params={"expand": ["line_items"]})
    assert [i.description for i in got.line_items.data] == ["Linen shirt", "Socks"]


def test_checkout_session_amount_is_computed_not_trusted(client):
    s = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [{"price_data": {"currency": "usd", "unit_amount": 250, "product_data": {"name": "Pin"}},
                            "quantity": 7}],
            "success_url": "http://shop.test/ok",
            "cancel_url": "http://shop.test/cart",
        }
    )
    assert s.amount_total == 1750 and s.currency == "usd"


def test_checkout_session_expire(client):
    s = new_session(client)
    expired = client.v1.checkout.sessions.expire(s.id)
    assert expired.id == s.id
    assert expired.status == "expired"
    assert expired.payment_status == "unpaid"
    assert client.v1.checkout.sessions.retrieve(s.id).status == "expired"
    events = client.v1.events.list(params={"type": "checkout.session.expired"}).data
    assert len(events) == 1 and events[0].data.object.id == s.id
    assert events[0].data.object.status == "expired"
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.checkout.sessions.expire(s.id)
    assert ei.value.http_status == 400
    assert len(client.v1.events.list(params={"type": "checkout.session.expired"}).data) == 1


def test_checkout_session_requires_line_items(client):
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.checkout.sessions.create(
            params={"mode": "payment", "success_url": "http://shop.test/ok", "cancel_url": "http://shop.test/c"}
        )
    assert ei.value.http_status == 400


# --------------------------------------------------------------------------- PaymentIntent


def test_payment_intent_create_shape(client):
    cus = client.v1.customers.create(params={"email": "ada@example.com"})
    pi = new_pi(client, 4321, customer=cus.id, receipt_email="ada@example.com", metadata={"order_id": "7"},
                description="Order 7")
    assert pi.object == "payment_intent" and pi.id.startswith("pi_")
    assert re.fullmatch(rf"{re.escape(pi.id)}_secret_[A-Za-z0-9]+", pi.client_secret)
    assert pi.status == "requires_payment_method"
    assert (pi.amount, pi.currency, pi.customer, pi.receipt_email) == (4321, "usd", cus.id, "ada@example.com")
    assert pi.metadata["order_id"] == "7" and pi.description == "Order 7"
    assert pi.latest_charge is None and pi.next_action is None and pi.last_payment_error is None
    assert pi.amount_received == 0
    assert pi.livemode is False
    assert pi.payment_method_types == ["card"]


def test_payment_intent_automatic_payment_methods_accepted(client):
    pi = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "automatic_payment_methods": {"enabled": True}}
    )
    assert pi.status == "requires_payment_method"
    assert pi.automatic_payment_methods.enabled is True


def test_automatic_payment_methods_server_confirm_needs_return_url(client):
    """With automatic payment methods (the default when payment_method_types is not given, and
    allow_redirects defaults to "always"), a server-side confirm without return_url is refused by
    Stripe: "A `return_url` must be specified because this Payment Intent is configured to
    automatically accept the payment methods enabled in the Dashboard, some of which may require a
    full page redirect to succeed. ...". A shop that relies on the sandbox must hit the same wall."""
    for params in ({"automatic_payment_methods": {"enabled": True}}, {}):
        pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd", **params})
        with pytest.raises(stripe.InvalidRequestError) as ei:
            client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
        assert ei.value.http_status == 400
        assert "return_url" in ei.value.user_message
        assert client.v1.payment_intents.retrieve(pi.id).status != "succeeded"
        # with a return_url it goes through
        pi = client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": "pm_card_visa", "return_url": "http://shop.test/back"})
        assert pi.status == "succeeded"
    # allow_redirects=never needs no return_url
    pi = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
    assert pi.status == "succeeded"


def test_automatic_payment_methods_return_url_rule_details(client, http, browser_http):
    """The same rule at create time (`confirm=true`), what it leaves behind, and who is exempt."""
    pk = "pk_test_sandbox"
    # confirm=true at create, secret key, no return_url: refused, and no PaymentIntent is created
    for extra in ({}, {"automatic_payment_methods[enabled]": "true"},
                  {"automatic_payment_methods[enabled]": "true", "automatic_payment_methods[allow_redirects]": "always"}):
        r = http.post("/v1/payment_intents", data={"amount": "1000", "currency": "usd", "confirm": "true",
                                                   "payment_method": "pm_card_visa", **extra})
        assert r.status_code == 400, r.text
        err = r.json()["error"]
        assert err["type"] == "invalid_request_error" and err["param"] == "return_url"
        assert err["message"].startswith("A `return_url` must be specified because this Payment Intent is "
                                         "configured to automatically accept the payment methods")
    assert client.v1.payment_intents.list().data == []
    assert client.v1.events.list(params={"type": "payment_intent.created"}).data == []
    # ... with return_url, or payment_method_types, it goes through
    pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd", "confirm": True,
                                                  "payment_method": "pm_card_visa",
                                                  "return_url": "http://shop.test/back"})
    assert pi.status == "succeeded"
    pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd", "confirm": True,
                                                  "payment_method": "pm_card_visa", "payment_method_types": ["card"]})
    assert pi.status == "succeeded" and pi.automatic_payment_methods is None
    # a refused confirm changes nothing: no charge, payment method not attached, no event
    pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa"})
    before = len(client.v1.events.list(params={"limit": 100}).data)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.confirm(pi.id)
    got = client.v1.payment_intents.retrieve(pi.id)
    assert (got.status, got.latest_charge, got.next_action) == ("requires_confirmation", None, None)
    assert len(client.v1.events.list(params={"limit": 100}).data) == before
    # allow_redirects=never: a plain server-side confirm works
    pi = client.v1.payment_intents.create(params={
        "amount": 1000, "currency": "usd", "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
    assert client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"}).status == "succeeded"
    # the browser (publishable key + client_secret, as Stripe.js's confirmCardPayment) is not subject to it
    pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})
    r = browser_http.post(f"/v1/payment_intents/{pi.id}/confirm",
                          data={"key": pk, "client_secret": pi.client_secret, "payment_method": "pm_card_visa"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    # a 3-D Secure card confirmed server-side with return_url gets a redirect next_action
    pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})
    pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_threeDSecure2Required",
                                                          "return_url": "http://shop.test/back"})
    assert pi.status == "requires_action" and pi.next_action.type == "redirect_to_url"


def test_payment_intent_status_transitions(client):
    pi = new_pi(client)
    assert pi.status == "requires_payment_method"
    pi = client.v1.payment_intents.update(pi.id, params={"payment_method": "pm_card_visa"})
    assert pi.status == "requires_confirmation"
    pi = client.v1.payment_intents.confirm(pi.id)
    assert pi.status == "succeeded"
    assert pi.amount_received == 2000
    assert pi.latest_charge.startswith("ch_")
    got = client.v1.payment_intents.retrieve(pi.id)
    assert (got.status, got.latest_charge) == ("succeeded", pi.latest_charge)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.payment_intent == pi.id
    assert (charge.amount, charge.currency, charge.status, charge.paid, charge.captured) == (
        2000, "usd", "succeeded", True, True)
    assert charge.payment_method == pi.payment_method


def test_payment_intent_create_with_payment_method_then_confirm(client):
    pi = new_pi(client, payment_method="pm_card_visa")
    assert pi.status == "requires_confirmation"
    pi = client.v1.payment_intents.confirm(pi.id)
    assert pi.status == "succeeded"


def test_payment_intent_confirm_without_payment_method_fails(client):
    pi = new_pi(client)
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.payment_intents.confirm(pi.id)
    assert ei.value.http_status == 400
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_payment_intent_events(client):
    pi = paid_pi(client)
    succeeded = client.v1.events.list(params={"type": "payment_intent.succeeded"}).data
    assert [e.data.object.id for e in succeeded] == [pi.id]
    assert succeeded[0].data.object.status == "succeeded"
    charges = client.v1.events.list(params={"type": "charge.succeeded"}).data
    assert [e.data.object.id for e in charges] == [pi.latest_charge]
    assert charges[0].data.object.payment_intent == pi.id


def test_payment_intent_decline_events(client):
    pi = new_pi(client)
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclined"})
    failed = client.v1.events.list(params={"type": "payment_intent.payment_failed"}).data
    assert [e.data.object.id for e in failed] == [pi.id]
    assert failed[0].data.object.last_payment_error.code == "card_declined"
    assert "charge.failed" in event_types(client)
    assert "payment_intent.succeeded" not in event_types(client)


def test_payment_intent_cancel(client):
    pi = new_pi(client)
    pi = client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "requested_by_customer"})
    assert pi.status == "canceled"
    assert pi.cancellation_reason == "requested_by_customer"
    assert pi.canceled_at and abs(pi.canceled_at - time.time()) < 60
    assert client.v1.payment_intents.retrieve(pi.id).status == "canceled"
    canceled = client.v1.events.list(params={"type": "payment_intent.canceled"}).data
    assert [e.data.object.id for e in canceled] == [pi.id]
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert ei.value.http_status == 400
    assert ei.value.code == "payment_intent_unexpected_state"


def test_succeeded_payment_intent_cannot_be_canceled_or_reconfirmed(client):
    pi = paid_pi(client)
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.payment_intents.cancel(pi.id)
    assert ei.value.http_status == 400 and ei.value.code == "payment_intent_unexpected_state"
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert ei.value.http_status == 400 and ei.value.code == "payment_intent_unexpected_state"
    got = client.v1.payment_intents.retrieve(pi.id)
    assert got.status == "succeeded" and got.latest_charge == pi.latest_charge
    assert len(client.v1.events.list(params={"type": "charge.succeeded"}).data) == 1


def test_payment_intent_list(client):
    ids = {new_pi(client).id for _ in range(3)}
    listed = client.v1.payment_intents.list(params={"limit": 10})
    assert listed.object == "list"
    assert {p.id for p in listed.data} == ids


# --------------------------------------------------------------------------- Charge


def test_charge_create_and_retrieve(client):
    ch = client.v1.charges.create(
        params={"amount": 1234, "currency": "usd", "source": "tok_visa", "description": "Order 9",
                "receipt_email": "ada@example.com", "metadata": {"order_id": "9"}}
    )
    assert ch.object == "charge" and ch.id.startswith("ch_")
    assert (ch.amount, ch.currency, ch.status, ch.paid, ch.captured) == (1234, "usd", "succeeded", True, True)
    assert ch.description == "Order 9" and ch.receipt_email == "ada@example.com"
    assert ch.metadata["order_id"] == "9"
    assert ch.receipt_url
    assert ch.amount_refunded == 0 and ch.refunded is False
    got = client.v1.charges.retrieve(ch.id)
    assert (got.id, got.status, got.amount) == (ch.id, "succeeded", 1234)
    charges = client.v1.events.list(params={"type": "charge.succeeded"}).data
    assert [e.data.object.id for e in charges] == [ch.id]


def test_charge_decline(client):
    with pytest.raises(stripe.CardError) as ei:
        client.v1.charges.create(params={"amount": 1234, "currency": "usd", "source": "tok_chargeDeclined"})
    assert ei.value.http_status == 402 and ei.value.code == "card_declined"
    assert "charge.failed" in event_types(client)
    assert "charge.succeeded" not in event_types(client)


def test_charge_requires_source(client):
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.charges.create(params={"amount": 1234, "currency": "usd"})
    assert ei.value.http_status == 400


# --------------------------------------------------------------------------- Refund


def test_refund_partial_repeated_and_over_refund(client):
    pi = paid_pi(client, 5000)
    r1 = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000, "reason": "requested_by_customer"})
    assert r1.object == "refund" and r1.id.startswith("re_")
    assert (r1.amount, r1.status, r1.charge, r1.payment_intent) == (1000, "succeeded", pi.latest_charge, pi.id)
    assert r1.reason == "requested_by_customer"
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert (ch.amount_refunded, ch.refunded) == (1000, False)

    r2 = client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 1500})
    assert r2.id != r1.id and r2.amount == 1500 and r2.payment_intent == pi.id
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert (ch.amount_refunded, ch.refunded) == (2500, False)

    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 2501})
    assert ei.value.http_status == 400
    assert ei.value.error.type == "invalid_request_error"
    assert client.v1.charges.retrieve(pi.latest_charge).amount_refunded == 2500

    r3 = client.v1.refunds.create(params={"payment_intent": pi.id})  # no amount: the rest
    assert r3.amount == 2500
    ch = client.v1.charges.retrieve(pi.latest_charge)
    assert (ch.amount_refunded, ch.refunded) == (5000, True)

    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 1})
    assert ei.value.http_status == 400
    got = client.v1.refunds.retrieve(r2.id)
    assert (got.id, got.amount, got.status) == (r2.id, 1500, "succeeded")


def test_refund_of_legacy_charge_and_events(client):
    ch = client.v1.charges.create(params={"amount": 800, "currency": "usd", "source": "tok_visa"})
    re_ = client.v1.refunds.create(params={"charge": ch.id})
    assert re_.amount == 800 and re_.charge == ch.id
    ch = client.v1.charges.retrieve(ch.id)
    assert ch.refunded is True and ch.amount_refunded == 800
    refunded = client.v1.events.list(params={"type": "charge.refunded"}).data
    assert [e.data.object.id for e in refunded] == [ch.id]
    assert refunded[0].data.object.amount_refunded == 800
    assert "refund.created" in event_types(client)


def test_events_are_snapshots(client):
    pi = paid_pi(client, 5000)
    client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000})
    client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1500})
    refunded = client.v1.events.list(params={"type": "charge.refunded"}).data
    assert [e.data.object.amount_refunded for e in refunded] == [2500, 1000]  # newest first, each as it was
    succeeded = client.v1.events.list(params={"type": "charge.succeeded"}).data
    assert succeeded[0].data.object.amount_refunded == 0


def test_refund_of_unpaid_payment_intent_fails(client):
    pi = new_pi(client)
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    assert ei.value.http_status == 400


def test_refund_of_declined_charge_fails(client):
    with pytest.raises(stripe.CardError) as ei:
        client.v1.charges.create(params={"amount": 800, "currency": "usd", "source": "tok_chargeDeclined"})
    with pytest.raises(stripe.InvalidRequestError) as ei2:
        client.v1.refunds.create(params={"charge": ei.value.json_body["error"]["charge"]})
    assert ei2.value.http_status == 400


# --------------------------------------------------------------------------- Events


def test_events_list_and_retrieve(client):
    pi = paid_pi(client)
    client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})
    events = client.v1.events.list(params={"limit": 100})
    assert events.object == "list"
    types = [e.type for e in events.data]
    for t in ("payment_intent.succeeded", "charge.succeeded", "charge.refunded"):
        assert t in types
    created = [e.created for e in events.data]
    assert created == sorted(created, reverse=True), "events are listed newest first"
    for e in events.data:
        assert e.object == "event" and e.id.startswith("evt_") and e.livemode is False
    ev = next(e for e in events.data if e.type == "payment_intent.succeeded")
    got = client.v1.events.retrieve(ev.id)
    assert got.id == ev.id and got.type == ev.type
    assert got.data.object.id == pi.id and got.data.object.object == "payment_intent"

    limited = client.v1.events.list(params={"limit": 1})
    assert len(limited.data) == 1 and limited.has_more is True
    assert limited.data[0].id == events.data[0].id
    after = client.v1.events.list(params={"limit": 100, "starting_after": limited.data[0].id})
    assert [e.id for e in after.data] == [e.id for e in events.data[1:]]


def test_events_are_emptied_by_reset(client, sandbox):
    paid_pi(client)
    assert client.v1.events.list().data
    sandbox.reset()
    assert client.v1.events.list().data == []


# --------------------------------------------------------------------------- Webhook endpoints


def test_webhook_endpoint_create_list_delete(client):
    we = client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/hook", "enabled_events": ["payment_intent.succeeded", "charge.refunded"]}
    )
    assert we.object == "webhook_endpoint" and we.id.startswith("we_")
    assert we.secret.startswith("whsec_") and len(we.secret) > len("whsec_") + 16
    assert we.url == "http://127.0.0.1:9/hook"
    assert we.enabled_events == ["payment_intent.succeeded", "charge.refunded"]
    assert we.status == "enabled"
    other = client.v1.webhook_endpoints.create(params={"url": "http://127.0.0.1:9/other", "enabled_events": ["*"]})
    assert other.secret != we.secret
    listed = client.v1.webhook_endpoints.list()
    assert {w.id for w in listed.data} == {we.id, other.id}
    assert client.v1.webhook_endpoints.retrieve(we.id).url == we.url
    deleted = client.v1.webhook_endpoints.delete(we.id)
    assert deleted.id == we.id and deleted.deleted is True
    assert [w.id for w in client.v1.webhook_endpoints.list().data] == [other.id]
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.webhook_endpoints.retrieve(we.id)
    assert ei.value.http_status == 404


# --------------------------------------------------------------------------- expand[]


def test_expand_latest_charge_and_payment_intent(client):
    pi = paid_pi(client)
    got = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]})
    assert got.latest_charge.object == "charge"
    assert got.latest_charge.id == pi.latest_charge and got.latest_charge.status == "succeeded"
    ch = client.v1.charges.retrieve(pi.latest_charge, params={"expand": ["payment_intent"]})
    assert ch.payment_intent.object == "payment_intent" and ch.payment_intent.id == pi.id
    # without expand they stay ids
    assert isinstance(client.v1.payment_intents.retrieve(pi.id).latest_charge, str)


def test_expand_customer(client):
    cus = client.v1.customers.create(params={"email": "ada@example.com"})
    pi = new_pi(client, customer=cus.id)
    got = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["customer"]})
    assert got.customer.id == cus.id and got.customer.email == "ada@example.com"


def test_expand_on_create_and_confirm(client):
    pi = new_pi(client, payment_method="pm_card_visa", confirm=True, expand=["latest_charge"])
    assert pi.latest_charge.object == "charge" and pi.latest_charge.paid is True
