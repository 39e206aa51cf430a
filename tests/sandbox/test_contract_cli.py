"""CLI flags that change what the API returns: --state-file and --public-url."""
from __future__ import annotations

import json

import httpx
import stripe

SK = "sk_test_sandbox"


def client_of(sb) -> stripe.StripeClient:
    return stripe.StripeClient(SK, base_addresses={"api": sb.url}, max_network_retries=0)


def test_state_file_survives_restart(start_sandbox, tmp_path):
    state = tmp_path / "sandbox-state.json"
    sb = start_sandbox("--state-file", str(state))
    c = client_of(sb)
    cus = c.v1.customers.create(params={"email": "kept@example.com"})
    pi = c.v1.payment_intents.create(params={"amount": 4200, "currency": "usd", "payment_method_types": ["card"],
                                             "payment_method": "pm_card_visa", "confirm": True})
    sb.stop()  # graceful stop (SIGTERM) right after the writes: nothing may be lost
    assert state.exists()
    json.loads(state.read_text())  # it is JSON

    sb2 = start_sandbox("--state-file", str(state))
    assert sb2.url != "" and sb2.proc.pid != sb.proc.pid
    c2 = client_of(sb2)
    assert c2.v1.customers.retrieve(cus.id).email == "kept@example.com"
    got = c2.v1.payment_intents.retrieve(pi.id)
    assert got.status == "succeeded" and got.latest_charge == pi.latest_charge
    # and the restored state keeps working: refund the restored payment
    c2.v1.refunds.create(params={"payment_intent": pi.id, "amount": 200})
    assert c2.v1.charges.retrieve(pi.latest_charge).amount_refunded == 200


def test_instances_do_not_share_state(sandbox, start_sandbox):
    other = start_sandbox()
    assert other.url != sandbox.url
    cus = client_of(other).v1.customers.create(params={"email": "only-here@example.com"})
    r = httpx.get(f"{sandbox.url}/v1/customers/{cus.id}", headers={"Authorization": f"Bearer {SK}"}, timeout=10)
    assert r.status_code == 404


def test_public_url_is_used_for_checkout_urls(start_sandbox):
    sb = start_sandbox("--public-url", "http://payments.shop.test:8443")
    s = client_of(sb).v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": "http://shop.test/ok", "cancel_url": "http://shop.test/cart",
        "line_items": [{"price_data": {"currency": "usd", "unit_amount": 100, "product_data": {"name": "X"}},
                        "quantity": 1}],
    })
    assert s.url.startswith("http://payments.shop.test:8443/")
    assert s.id in s.url
    # the page itself is still served by this process (path under the public base)
    path = s.url[len("http://payments.shop.test:8443"):]
    assert httpx.get(f"{sb.url}{path}", timeout=10).status_code == 200
