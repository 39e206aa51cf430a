"""Authentication, key scopes, unknown paths and Stripe-shaped errors."""
from __future__ import annotations

import httpx
import pytest
import stripe

SK = "sk_test_sandbox"
PK = "pk_test_sandbox"


def error_of(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"}, body
    assert body["error"]["message"]
    return body["error"]


# --------------------------------------------------------------------------- secret keys


@pytest.mark.parametrize("bad_key", ["sk_bogus", "not_a_key", "Bearer"])
def test_invalid_api_key_is_401(client_for, bad_key):
    c = client_for(bad_key)
    with pytest.raises(stripe.AuthenticationError) as ei:
        c.v1.customers.create(params={"email": "a@example.com"})
    assert ei.value.http_status == 401
    assert ei.value.json_body["error"]["type"] == "invalid_request_error"
    assert "Invalid API Key provided" in ei.value.user_message


def test_missing_api_key_is_401(sandbox):
    r = httpx.get(f"{sandbox.url}/v1/customers", timeout=10)
    assert r.status_code == 401
    assert error_of(r)["type"] == "invalid_request_error"


def test_invalid_key_creates_nothing(client, client_for):
    with pytest.raises(stripe.AuthenticationError):
        client_for("sk_bogus").v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    assert client.v1.payment_intents.list().data == []


@pytest.mark.parametrize("other_key", ["sk_test_anything_else_123", "rk_test_sandbox", "pk_test_other"])
def test_only_the_configured_keys_are_accepted(client_for, other_key):
    with pytest.raises(stripe.AuthenticationError) as ei:
        client_for(other_key).v1.customers.create(params={"email": "x@example.com"})
    assert ei.value.http_status == 401


def test_basic_auth_like_curl_u(sandbox):
    # curl -u sk_test_...: ; Stripe accepts the key as the HTTP Basic username.
    r = httpx.post(f"{sandbox.url}/v1/customers", data={"email": "c@example.com"}, auth=(SK, ""), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["id"].startswith("cus_")


# --------------------------------------------------------------------------- publishable keys


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("POST", "/v1/customers", {"email": "a@example.com"}),
        ("POST", "/v1/payment_intents", {"amount": "100", "currency": "usd"}),
        ("POST", "/v1/charges", {"amount": "100", "currency": "usd", "source": "tok_visa"}),
        ("POST", "/v1/checkout/sessions", {"mode": "payment", "success_url": "http://x/s", "cancel_url": "http://x/c"}),
        ("POST", "/v1/refunds", {"charge": "ch_x"}),
        ("GET", "/v1/events", None),
        ("GET", "/v1/webhook_endpoints", None),
        ("GET", "/v1/payment_intents", None),
    ],
)
def test_publishable_key_refused_on_server_only_endpoints(browser_http, method, path, data):
    for how in ("bearer", "form"):
        if how == "bearer":
            r = browser_http.request(method, path, data=data, headers={"Authorization": f"Bearer {PK}"})
        elif method == "POST":
            r = browser_http.post(path, data={**data, "key": PK})
        else:
            r = browser_http.get(path, params={"key": PK})
        assert r.status_code in (401, 403), (how, r.status_code, r.text)
        assert error_of(r)["type"] == "invalid_request_error"


def test_publishable_key_via_stripe_python_raises(client_for):
    with pytest.raises((stripe.AuthenticationError, stripe.PermissionError)) as ei:
        client_for(PK).v1.customers.create(params={"email": "a@example.com"})
    assert ei.value.http_status in (401, 403)


def test_publishable_key_refused_on_payment_intent_cancel(client, browser_http):
    pi = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd", "payment_method_types": ["card"]})
    r = browser_http.post(f"/v1/payment_intents/{pi.id}/cancel", data={"key": PK, "client_secret": pi.client_secret})
    assert r.status_code in (401, 403), r.text
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_publishable_key_with_client_secret_retrieve_and_confirm(client, browser_http):
    pi = client.v1.payment_intents.create(params={"amount": 2500, "currency": "usd", "payment_method_types": ["card"]})
    r = browser_http.get(f"/v1/payment_intents/{pi.id}", params={"key": PK, "client_secret": pi.client_secret})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == pi.id and r.json()["status"] == "requires_payment_method"

    r = browser_http.post(
        f"/v1/payment_intents/{pi.id}/confirm",
        data={"key": PK, "client_secret": pi.client_secret, "payment_method": "pm_card_visa"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_publishable_key_confirm_with_payment_method_data(client, browser_http):
    # Stripe.js confirmCardPayment(secret, {payment_method: {card}}) sends payment_method_data[...]
    pi = client.v1.payment_intents.create(params={"amount": 2500, "currency": "usd", "payment_method_types": ["card"]})
    r = browser_http.post(
        f"/v1/payment_intents/{pi.id}/confirm",
        data={
            "key": PK,
            "client_secret": pi.client_secret,
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": "4242424242424242",
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "2034",
            "payment_method_data[card][cvc]": "123",
            "payment_method_data[billing_details][email]": "ada@example.com",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    pm_id = client.v1.payment_intents.retrieve(pi.id).payment_method
    assert pm_id.startswith("pm_")


def test_publishable_key_needs_the_right_client_secret(client, browser_http):
    pi = client.v1.payment_intents.create(params={"amount": 2500, "currency": "usd", "payment_method_types": ["card"]})
    other = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd", "payment_method_types": ["card"]})
    r = browser_http.get(f"/v1/payment_intents/{pi.id}", params={"key": PK})
    assert r.status_code in (400, 401, 403), r.text
    r = browser_http.get(f"/v1/payment_intents/{pi.id}", params={"key": PK, "client_secret": other.client_secret})
    assert 400 <= r.status_code < 500 and "id" not in r.json(), r.text
    r = browser_http.post(
        f"/v1/payment_intents/{pi.id}/confirm",
        data={"key": PK, "client_secret": other.client_secret, "payment_method": "pm_card_visa"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_decline_via_publishable_key_is_402_card_error(client, browser_http):
    pi = client.v1.payment_intents.create(params={"amount": 2500, "currency": "usd", "payment_method_types": ["card"]})
    r = browser_http.post(
        f"/v1/payment_intents/{pi.id}/confirm",
        data={"key": PK, "client_secret": pi.client_secret, "payment_method": "pm_card_chargeDeclinedInsufficientFunds"},
    )
    assert r.status_code == 402
    err = error_of(r)
    assert (err["type"], err["code"], err["decline_code"]) == ("card_error", "card_declined", "insufficient_funds")
    assert err["message"] == "Your card has insufficient funds."


# --------------------------------------------------------------------------- unknown paths, missing objects


@pytest.mark.parametrize("method,path", [("POST", "/v1/xyz"), ("GET", "/v1/subscriptions/sub_123"),
                                         ("DELETE", "/v1/no/such/thing")])
def test_unknown_path_is_404_naming_it(http, method, path):
    r = http.request(method, path)
    assert r.status_code == 404
    err = error_of(r)
    assert err["type"] == "invalid_request_error"
    assert f"Unrecognized request URL ({method}: {path})" in err["message"]


def test_unknown_path_via_stripe_python(client):
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.raw_request("post", "/v1/xyz", foo="bar")
    assert ei.value.http_status == 404
    assert "/v1/xyz" in ei.value.user_message


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda c: c.v1.customers.retrieve("cus_missing"), "No such customer: 'cus_missing'"),
        (lambda c: c.v1.payment_intents.retrieve("pi_missing"), "No such payment_intent: 'pi_missing'"),
        (lambda c: c.v1.charges.retrieve("ch_missing"), "No such charge: 'ch_missing'"),
        (lambda c: c.v1.checkout.sessions.retrieve("cs_test_missing"), "No such checkout.session: 'cs_test_missing'"),
        (lambda c: c.v1.refunds.retrieve("re_missing"), "No such refund: 're_missing'"),
        (lambda c: c.v1.events.retrieve("evt_missing"), "No such event: 'evt_missing'"),
    ],
)
def test_missing_object_is_404_resource_missing(client, call, message):
    with pytest.raises(stripe.InvalidRequestError) as ei:
        call(client)
    assert ei.value.http_status == 404
    assert ei.value.code == "resource_missing"
    assert ei.value.user_message == message


def test_unknown_payment_method_on_confirm(client):
    pi = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd", "payment_method_types": ["card"]})
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_nope"})
    assert ei.value.http_status in (400, 404)
    assert ei.value.code == "resource_missing"


def test_missing_required_param(client):
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.payment_intents.create(params={"currency": "usd"})
    assert ei.value.http_status == 400
    assert ei.value.code == "parameter_missing"
    assert ei.value.param == "amount"


def test_invalid_amount(client):
    with pytest.raises(stripe.InvalidRequestError) as ei:
        client.v1.payment_intents.create(params={"amount": -5, "currency": "usd"})
    assert ei.value.http_status == 400
    assert ei.value.param == "amount"


def test_request_id_header(http):
    r = http.post("/v1/customers", data={"email": "a@example.com"})
    assert r.headers.get("request-id", "").startswith("req_")
    assert r.headers["content-type"].startswith("application/json")
