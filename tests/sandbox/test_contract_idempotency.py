"""Idempotent requests (docs.stripe.com/api/idempotent_requests): replay, errors replayed, misuse."""
from __future__ import annotations

import json
import uuid

import pytest
import stripe


def key() -> str:
    return f"order-{uuid.uuid4()}-pay"


def replayed(r) -> bool:
    return r.headers.get("idempotent-replayed", "").lower() == "true"


def test_same_key_same_params_replays_raw(http):
    k = key()
    body = {"email": "ada@example.com", "metadata[order]": "1"}
    first = http.post("/v1/customers", data=body, headers={"Idempotency-Key": k})
    assert first.status_code == 200 and not replayed(first)
    second = http.post("/v1/customers", data=body, headers={"Idempotency-Key": k})
    assert second.status_code == 200
    assert replayed(second)
    assert second.json() == first.json()
    assert second.headers.get("idempotency-key") in (None, k)
    # a different key is a different request
    third = http.post("/v1/customers", data=body, headers={"Idempotency-Key": key()})
    assert third.json()["id"] != first.json()["id"] and not replayed(third)


def test_same_key_creates_one_object_via_stripe_python(client):
    k = key()
    params = {"amount": 2000, "currency": "usd", "payment_method_types": ["card"], "metadata": {"order_id": "5"}}
    a = client.v1.payment_intents.create(params=params, options={"idempotency_key": k})
    b = client.v1.payment_intents.create(params=params, options={"idempotency_key": k})
    assert a.id == b.id and a.client_secret == b.client_secret
    assert b.last_response.headers.get("idempotent-replayed") == "true"
    assert [p.id for p in client.v1.payment_intents.list().data] == [a.id]


def test_replay_returns_the_first_response_not_current_state(client, http):
    k = key()
    data = {"amount": "1500", "currency": "usd", "payment_method_types[]": "card"}
    created = http.post("/v1/payment_intents", data=data, headers={"Idempotency-Key": k}).json()
    client.v1.payment_intents.confirm(created["id"], params={"payment_method": "pm_card_visa"})
    again = http.post("/v1/payment_intents", data=data, headers={"Idempotency-Key": k})
    assert replayed(again)
    assert again.json() == created
    assert again.json()["status"] == "requires_payment_method"
    assert client.v1.payment_intents.retrieve(created["id"]).status == "succeeded"


def test_confirm_replayed_charges_once(client, http):
    pi = client.v1.payment_intents.create(params={"amount": 3000, "currency": "usd", "payment_method_types": ["card"]})
    k = key()
    first = http.post(f"/v1/payment_intents/{pi.id}/confirm", data={"payment_method": "pm_card_visa"},
                      headers={"Idempotency-Key": k})
    assert first.status_code == 200 and first.json()["status"] == "succeeded"
    # a plain re-confirm of a succeeded PaymentIntent is an error, the replay is not
    second = http.post(f"/v1/payment_intents/{pi.id}/confirm", data={"payment_method": "pm_card_visa"},
                       headers={"Idempotency-Key": k})
    assert second.status_code == 200 and replayed(second)
    assert second.json() == first.json()
    assert len(client.v1.events.list(params={"type": "charge.succeeded"}).data) == 1
    assert len(client.v1.events.list(params={"type": "payment_intent.succeeded"}).data) == 1


def test_declined_confirm_error_is_replayed(client, http):
    pi = client.v1.payment_intents.create(params={"amount": 3000, "currency": "usd", "payment_method_types": ["card"]})
    k = key()
    data = {"payment_method": "pm_card_chargeDeclined"}
    first = http.post(f"/v1/payment_intents/{pi.id}/confirm", data=data, headers={"Idempotency-Key": k})
    assert first.status_code == 402
    charge_after_first = client.v1.payment_intents.retrieve(pi.id).latest_charge
    second = http.post(f"/v1/payment_intents/{pi.id}/confirm", data=data, headers={"Idempotency-Key": k})
    assert second.status_code == 402 and replayed(second)
    assert second.json() == first.json()
    # not re-executed: no second failed charge, one payment_failed event
    assert client.v1.payment_intents.retrieve(pi.id).latest_charge == charge_after_first
    assert len(client.v1.events.list(params={"type": "payment_intent.payment_failed"}).data) == 1
    assert len(client.v1.events.list(params={"type": "charge.failed"}).data) == 1


def test_declined_confirm_error_replayed_via_stripe_python(client):
    pi = client.v1.payment_intents.create(params={"amount": 3000, "currency": "usd", "payment_method_types": ["card"]})
    opts = {"idempotency_key": key()}
    errors = []
    for _ in range(2):
        with pytest.raises(stripe.CardError) as ei:
            client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclined"}, options=opts)
        errors.append(ei.value)
    assert [e.code for e in errors] == ["card_declined", "card_declined"]
    assert errors[0].json_body == errors[1].json_body
    assert errors[1].headers.get("idempotent-replayed") == "true"


def test_charge_create_idempotent(client):
    opts = {"idempotency_key": key()}
    params = {"amount": 990, "currency": "usd", "source": "tok_visa"}
    a = client.v1.charges.create(params=params, options=opts)
    b = client.v1.charges.create(params=params, options=opts)
    assert a.id == b.id
    assert len(client.v1.events.list(params={"type": "charge.succeeded"}).data) == 1


def test_refund_idempotent(client):
    pi = client.v1.payment_intents.create(
        params={"amount": 3000, "currency": "usd", "payment_method_types": ["card"], "payment_method": "pm_card_visa",
                "confirm": True})
    opts = {"idempotency_key": key()}
    a = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000}, options=opts)
    b = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1000}, options=opts)
    assert a.id == b.id
    assert client.v1.charges.retrieve(pi.latest_charge).amount_refunded == 1000


def test_same_key_different_params_is_idempotency_error(client, http):
    k = key()
    client.v1.payment_intents.create(params={"amount": 2000, "currency": "usd"}, options={"idempotency_key": k})
    with pytest.raises(stripe.IdempotencyError) as ei:
        client.v1.payment_intents.create(params={"amount": 2001, "currency": "usd"}, options={"idempotency_key": k})
    assert ei.value.http_status == 400
    assert ei.value.json_body["error"]["type"] == "idempotency_error"
    assert len(client.v1.payment_intents.list().data) == 1

    r = http.post("/v1/customers", data={"email": "a@example.com"}, headers={"Idempotency-Key": (k2 := key())})
    assert r.status_code == 200
    r = http.post("/v1/customers", data={"email": "b@example.com"}, headers={"Idempotency-Key": k2})
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "idempotency_error"
    assert not replayed(r)


def test_keys_are_independent_of_each_other_and_reset(client, sandbox, http):
    k = key()
    body = {"email": "ada@example.com"}
    first = http.post("/v1/customers", data=body, headers={"Idempotency-Key": k}).json()
    sandbox.reset()
    again = http.post("/v1/customers", data=body, headers={"Idempotency-Key": k})
    assert again.status_code == 200 and not replayed(again)
    assert again.json()["id"] != first["id"]


def test_long_key_accepted(http):
    k = ("k" * 255)
    a = http.post("/v1/customers", data={"email": "a@example.com"}, headers={"Idempotency-Key": k})
    b = http.post("/v1/customers", data={"email": "a@example.com"}, headers={"Idempotency-Key": k})
    assert a.status_code == b.status_code == 200
    assert json.loads(a.text)["id"] == json.loads(b.text)["id"]


def test_validation_errors_are_not_saved(http):
    # "Results are only saved if an API endpoint begins executing. If incoming parameters fail
    # validation ... no idempotent result is saved." (Stripe, Idempotent requests)
    k = key()
    bad = http.post("/v1/payment_intents", data={"currency": "usd"}, headers={"Idempotency-Key": k})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "parameter_missing"
    good = http.post("/v1/payment_intents", data={"amount": "1000", "currency": "usd"}, headers={"Idempotency-Key": k})
    assert good.status_code == 200, good.text
    assert not replayed(good)


def test_missing_return_url_is_not_saved(http):
    # a server-side confirm of an automatic-payment-methods PaymentIntent without return_url is refused
    # (missing parameter): nothing is saved, so the same key works once return_url is added
    pi = http.post("/v1/payment_intents", data={"amount": "1000", "currency": "usd"}).json()
    k = key()
    path = f"/v1/payment_intents/{pi['id']}/confirm"
    bad = http.post(path, data={"payment_method": "pm_card_visa"}, headers={"Idempotency-Key": k})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "return_url"
    good = http.post(path, data={"payment_method": "pm_card_visa", "return_url": "http://shop.test/back"},
                     headers={"Idempotency-Key": k})
    assert good.status_code == 200, good.text
    assert not replayed(good) and good.json()["status"] == "succeeded"
    # create with confirm=true: same
    k = key()
    body = {"amount": "1000", "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true"}
    bad = http.post("/v1/payment_intents", data=body, headers={"Idempotency-Key": k})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "return_url"
    good = http.post("/v1/payment_intents", data={**body, "return_url": "http://shop.test/back"},
                     headers={"Idempotency-Key": k})
    assert good.status_code == 200, good.text
    assert not replayed(good) and good.json()["status"] == "succeeded"


def test_same_key_on_another_endpoint_is_idempotency_error(http):
    k = key()
    assert http.post("/v1/customers", data={"email": "a@example.com"}, headers={"Idempotency-Key": k}).status_code == 200
    r = http.post("/v1/payment_intents", data={"amount": "1000", "currency": "usd"}, headers={"Idempotency-Key": k})
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "idempotency_error"
    assert http.get("/v1/payment_intents").json()["data"] == []
