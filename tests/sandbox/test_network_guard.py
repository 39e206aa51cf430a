"""The sandbox on a shared network: loopback by default, only its configured keys, no cross-origin use of the
secret key or of the test-only endpoints, 3-D Secure results posted only to the page that asked."""
from __future__ import annotations

import re

import httpx
import pytest
import stripe

from stripe_sandbox.__main__ import parse_args

SK, PK = "sk_test_sandbox", "pk_test_sandbox"
EVIL = "http://evil.example"


def test_binds_loopback_and_default_keys_by_default():
    cfg = parse_args([])
    assert cfg.host == "127.0.0.1"
    assert (cfg.secret_key, cfg.publishable_key) == (SK, PK)


def test_configured_keys_replace_the_defaults(start_sandbox):
    sb = start_sandbox("--secret-key", "sk_test_other", "--publishable-key", "pk_test_other")
    ok = httpx.post(f"{sb.url}/v1/customers", data={"email": "a@example.com"}, auth=("sk_test_other", ""))
    assert ok.status_code == 200, ok.text
    for key in (SK, PK):
        r = httpx.get(f"{sb.url}/v1/customers", auth=(key, ""))
        assert r.status_code == 401
    pk = httpx.post(f"{sb.url}/v1/tokens", data={"key": "pk_test_other", "card[number]": "4242424242424242",
                                                   "card[exp_month]": "12", "card[exp_year]": "2040"})
    assert pk.status_code == 200, pk.text


def test_cors_only_for_publishable_key_calls(sandbox):
    tok = httpx.post(f"{sandbox.url}/v1/tokens", headers={"Origin": EVIL},
                     data={"key": PK, "card[number]": "4242424242424242", "card[exp_month]": "12",
                           "card[exp_year]": "2040"})
    assert tok.status_code == 200
    assert tok.headers["access-control-allow-origin"] == "*"
    refused = httpx.post(f"{sandbox.url}/v1/customers", headers={"Origin": EVIL}, data={"key": PK})
    assert refused.status_code == 401          # a publishable key can't do this; the page may read why
    assert refused.headers["access-control-allow-origin"] == "*"
    server = httpx.get(f"{sandbox.url}/v1/customers", auth=(SK, ""))
    assert server.status_code == 200
    assert "access-control-allow-origin" not in server.headers


def test_secret_key_from_another_origin_is_refused_and_does_nothing(sandbox, client):
    r = httpx.post(f"{sandbox.url}/v1/customers", headers={"Origin": EVIL},
                   data={"key": SK, "email": "csrf@example.com"})
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers
    assert "secret API key" in r.json()["error"]["message"]
    assert client.v1.customers.list().data == []


def test_preflight_does_not_allow_an_authorization_header(sandbox):
    r = httpx.options(f"{sandbox.url}/v1/customers", headers={
        "Origin": EVIL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    allowed = r.headers.get("access-control-allow-headers", "").lower()
    assert "authorization" not in allowed


@pytest.mark.parametrize("headers", [{"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site"}])
def test_test_only_endpoints_refuse_other_sites(sandbox, client, headers):
    client.v1.customers.create(params={"email": "keep@example.com"})
    r = httpx.post(f"{sandbox.url}/_sandbox/reset", headers=headers)
    assert r.status_code == 403
    assert len(client.v1.customers.list().data) == 1
    assert httpx.post(f"{sandbox.url}/_sandbox/config", headers=headers, json={"webhook_delay": 9}).status_code == 403
    assert httpx.get(f"{sandbox.url}/_sandbox/deliveries", headers=headers).status_code == 403
    own = httpx.post(f"{sandbox.url}/_sandbox/reset", headers={"Origin": sandbox.url})
    assert own.status_code == 200
    assert client.v1.customers.list().data == []


def _three_ds_pi(client, sandbox, origin: str | None) -> tuple[str, str]:
    pi = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd",
                                                  "payment_method_types": ["card"]})
    headers = {"Origin": origin} if origin else {}
    r = httpx.post(f"{sandbox.url}/v1/payment_intents/{pi.id}/confirm", headers=headers,
                   data={"key": PK, "client_secret": pi.client_secret,
                         "payment_method": "pm_card_threeDSecure2Required"})
    assert r.json()["status"] == "requires_action", r.text
    return pi.id, pi.client_secret


def _finish_3ds(sandbox, pid: str, secret: str) -> str:
    r = httpx.post(f"{sandbox.url}/3ds/{pid}", data={"client_secret": secret, "outcome": "complete"})
    assert r.status_code == 200
    return r.text


def test_3ds_result_is_posted_only_to_the_page_that_confirmed(sandbox, client):
    pid, secret = _three_ds_pi(client, sandbox, "http://shop.example:3000")
    page = _finish_3ds(sandbox, pid, secret)
    targets = set(re.findall(r'o=("[^"]*"|null)', page))
    assert targets == {'"http://shop.example:3000"'}
    assert "'*'" not in page and '"*"' not in page


def test_3ds_result_is_not_posted_when_no_page_is_known(sandbox, client):
    pid, secret = _three_ds_pi(client, sandbox, None)
    page = _finish_3ds(sandbox, pid, secret)
    assert "postMessage" not in page
    assert client.v1.payment_intents.retrieve(pid).status == "succeeded"
