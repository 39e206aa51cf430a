"""Stripe's documented test cards, through every door the shop (and Stripe.js) uses.

Each row of the test-card table in stripe_sandbox/README.md (Stripe's documented test cards,
https://docs.stripe.com/testing) is exercised by its
test PaymentMethod id (pm_card_*), its test Token id (tok_*), and its raw card number
tokenised with the *publishable* key exactly as Stripe.js does (POST /v1/payment_methods
and POST /v1/tokens), then charged with the secret key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import stripe

PK = "pk_test_sandbox"


@dataclass(frozen=True)
class Decline:
    number: str
    pm: str
    tok: str
    code: str
    decline_code: str
    message: str

    def __str__(self):
        return self.number


DECLINES = [
    Decline("4000000000000002", "pm_card_chargeDeclined", "tok_chargeDeclined",
            "card_declined", "generic_decline", "Your card was declined."),
    Decline("4000000000009995", "pm_card_chargeDeclinedInsufficientFunds", "tok_chargeDeclinedInsufficientFunds",
            "card_declined", "insufficient_funds", "Your card has insufficient funds."),
    # Stripe reports these three with decline_code equal to the error code.
    Decline("4000000000000069", "pm_card_chargeDeclinedExpiredCard", "tok_chargeDeclinedExpiredCard",
            "expired_card", "expired_card", "Your card has expired."),
    Decline("4000000000000127", "pm_card_chargeDeclinedIncorrectCvc", "tok_chargeDeclinedIncorrectCvc",
            "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    Decline("4000000000000119", "pm_card_chargeDeclinedProcessingError", "tok_chargeDeclinedProcessingError",
            "processing_error", "processing_error",
            "An error occurred while processing your card. Try again in a little bit."),
]
THREE_DS_NUMBERS = ["4000002500003155", "4000000000003220"]


def new_pi(client, amount=2000, **extra):
    return client.v1.payment_intents.create(
        params={"amount": amount, "currency": "usd", "payment_method_types": ["card"], **extra}
    )


def card_form(number: str) -> dict:
    return {"card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"}


def pm_from_number(browser_http, number: str) -> dict:
    """What Stripe.js createPaymentMethod does: publishable key in the form body."""
    r = browser_http.post("/v1/payment_methods", data={"type": "card", "key": PK, **card_form(number)})
    assert r.status_code == 200, r.text
    pm = r.json()
    assert pm["object"] == "payment_method" and pm["id"].startswith("pm_")
    assert pm["type"] == "card"
    assert pm["card"]["last4"] == number[-4:]
    assert pm["card"]["brand"] == "visa"
    assert "number" not in pm["card"], "the full card number must never be echoed back"
    return pm


def token_from_number(browser_http, number: str) -> dict:
    """What Stripe.js createToken does (here with the key as a Bearer header)."""
    r = browser_http.post("/v1/tokens", data=card_form(number), headers={"Authorization": f"Bearer {PK}"})
    assert r.status_code == 200, r.text
    tok = r.json()
    assert tok["object"] == "token" and tok["id"].startswith("tok_")
    assert tok["type"] == "card" and tok["used"] is False
    assert tok["card"]["last4"] == number[-4:]
    return tok


def assert_card_error(exc: stripe.CardError, row: Decline):
    assert exc.http_status == 402
    assert exc.code == row.code
    assert exc.user_message == row.message
    assert exc.error is not None
    assert exc.error.type == "card_error"
    assert exc.error.decline_code == row.decline_code
    assert exc.json_body["error"]["message"] == row.message


def assert_pi_declined(client, pi_id: str, exc: stripe.CardError, row: Decline):
    assert_card_error(exc, row)
    err_pi = exc.json_body["error"].get("payment_intent")
    assert err_pi and err_pi["id"] == pi_id, "a PaymentIntent card error carries the PaymentIntent"
    pi = client.v1.payment_intents.retrieve(pi_id)
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error is not None
    assert pi.last_payment_error.code == row.code
    assert pi.last_payment_error.decline_code == row.decline_code
    assert pi.last_payment_error.message == row.message
    assert pi.latest_charge and pi.latest_charge.startswith("ch_")
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.status == "failed" and charge.paid is False
    assert charge.failure_code == row.code


def assert_charge_declined(client, exc: stripe.CardError, row: Decline):
    assert_card_error(exc, row)
    charge_id = exc.json_body["error"].get("charge")
    assert charge_id and charge_id.startswith("ch_"), "a Charges API card error names the failed charge"
    charge = client.v1.charges.retrieve(charge_id)
    assert charge.status == "failed" and charge.paid is False
    assert charge.failure_code == row.code
    assert charge.failure_message == row.message


# --------------------------------------------------------------------------- successful cards


def test_pm_card_visa_succeeds(client):
    pi = new_pi(client, payment_method="pm_card_visa", confirm=True)
    assert pi.status == "succeeded"
    assert pi.amount_received == 2000
    assert pi.last_payment_error is None
    assert pi.payment_method.startswith("pm_")


def test_tok_visa_charge_succeeds(client):
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd", "source": "tok_visa"})
    assert ch.status == "succeeded" and ch.paid is True
    assert ch.failure_code is None


def test_raw_4242_payment_method_and_token_succeed(client, browser_http):
    pm = pm_from_number(browser_http, "4242424242424242")
    pi = new_pi(client, payment_method=pm["id"], confirm=True)
    assert pi.status == "succeeded"
    assert pi.payment_method == pm["id"]
    tok = token_from_number(browser_http, "4242424242424242")
    ch = client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": tok["id"]})
    assert ch.status == "succeeded" and ch.paid is True
    assert ch.payment_method_details.card.last4 == "4242"


def test_payment_method_with_bearer_publishable_key(browser_http):
    r = browser_http.post(
        "/v1/payment_methods",
        data={"type": "card", **card_form("4242424242424242")},
        headers={"Authorization": f"Bearer {PK}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"].startswith("pm_")


def test_token_can_only_be_used_once(client, browser_http):
    tok = token_from_number(browser_http, "4242424242424242")
    client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": tok["id"]})
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": tok["id"]})
    assert ei.value.http_status == 400


def test_invalid_card_number_refused_at_tokenisation(browser_http):
    r = browser_http.post("/v1/payment_methods", data={"type": "card", "key": PK, **card_form("4242424242424241")})
    assert r.status_code == 402, r.text
    err = r.json()["error"]
    assert err["type"] == "card_error" and err["code"] == "incorrect_number"


# --------------------------------------------------------------------------- declines


@pytest.mark.parametrize("row", DECLINES, ids=str)
def test_decline_by_test_payment_method_id(client, row):
    pi = new_pi(client)
    with pytest.raises(stripe.CardError) as ei:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": row.pm})
    assert_pi_declined(client, pi.id, ei.value, row)


@pytest.mark.parametrize("row", DECLINES, ids=str)
def test_decline_by_test_token_id(client, row):
    with pytest.raises(stripe.CardError) as ei:
        client.v1.charges.create(params={"amount": 2000, "currency": "usd", "source": row.tok})
    assert_charge_declined(client, ei.value, row)


@pytest.mark.parametrize("row", DECLINES, ids=str)
def test_decline_by_raw_number_payment_method(client, browser_http, row):
    pm = pm_from_number(browser_http, row.number)  # tokenising succeeds; the charge is what fails
    pi = new_pi(client)
    with pytest.raises(stripe.CardError) as ei:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": pm["id"]})
    assert_pi_declined(client, pi.id, ei.value, row)


@pytest.mark.parametrize("row", DECLINES, ids=str)
def test_decline_by_raw_number_token(client, browser_http, row):
    tok = token_from_number(browser_http, row.number)
    with pytest.raises(stripe.CardError) as ei:
        client.v1.charges.create(params={"amount": 2000, "currency": "usd", "source": tok["id"]})
    assert_charge_declined(client, ei.value, row)


def test_declined_payment_intent_can_be_retried_with_another_card(client):
    pi = new_pi(client)
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclined"})
    first_charge = client.v1.payment_intents.retrieve(pi.id).latest_charge
    pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert pi.status == "succeeded"
    assert pi.latest_charge != first_charge
    assert client.v1.charges.retrieve(pi.latest_charge).status == "succeeded"


# --------------------------------------------------------------------------- 3-D Secure


def _requires_action(pi):
    assert pi.status == "requires_action"
    assert pi.next_action is not None
    assert pi.next_action.type in ("use_stripe_sdk", "redirect_to_url")
    if pi.next_action.type == "redirect_to_url":
        assert pi.next_action.redirect_to_url.url


def three_ds_payment_methods(browser_http):
    return ["pm_card_threeDSecure2Required"] + [pm_from_number(browser_http, n)["id"] for n in THREE_DS_NUMBERS]


def test_three_d_secure_cards_complete(client, sandbox, browser_http):
    for pm in three_ds_payment_methods(browser_http):
        pi = new_pi(client, payment_method=pm, confirm=True)
        _requires_action(pi)
        assert pi.latest_charge is None, "nothing is charged before authentication"
        r = sandbox.three_d_secure(pi.id, "complete")
        assert r.status_code == 200, r.text
        pi = client.v1.payment_intents.retrieve(pi.id)
        assert pi.status == "succeeded", pm
        assert pi.next_action is None
        assert pi.amount_received == 2000
        assert client.v1.charges.retrieve(pi.latest_charge).status == "succeeded"


def test_three_d_secure_cards_fail(client, sandbox, browser_http):
    for pm in three_ds_payment_methods(browser_http):
        pi = new_pi(client)
        pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": pm})
        _requires_action(pi)
        r = sandbox.three_d_secure(pi.id, "fail")
        assert r.status_code == 200, r.text
        pi = client.v1.payment_intents.retrieve(pi.id)
        assert pi.status == "requires_payment_method", pm
        assert pi.last_payment_error.code == "payment_intent_authentication_failure"
        assert pi.next_action is None
        assert pi.amount_received == 0


def test_three_d_secure_then_declined(client, sandbox, browser_http):
    pm = pm_from_number(browser_http, "4000008400001629")
    pi = new_pi(client, payment_method=pm["id"], confirm=True)
    _requires_action(pi)
    assert sandbox.three_d_secure(pi.id, "complete").status_code == 200
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.code == "card_declined"
    assert pi.last_payment_error.type == "card_error"
    assert client.v1.charges.retrieve(pi.latest_charge).status == "failed"
    types = [e.type for e in client.v1.events.list(params={"limit": 100}).data]
    assert "payment_intent.payment_failed" in types
    assert "payment_intent.succeeded" not in types


def test_three_d_secure_pending_payment_intent_can_be_canceled(client):
    pi = new_pi(client, payment_method="pm_card_threeDSecure2Required", confirm=True)
    _requires_action(pi)
    pi = client.v1.payment_intents.cancel(pi.id)
    assert pi.status == "canceled"


def test_client_secret_shape_for_three_d_secure(client):
    pi = new_pi(client, payment_method="pm_card_threeDSecure2Required", confirm=True)
    assert re.fullmatch(rf"{re.escape(pi.id)}_secret_[A-Za-z0-9]+", pi.client_secret)
