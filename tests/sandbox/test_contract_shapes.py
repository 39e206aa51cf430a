"""Objects and events as the current API shows them: no retired Charge fields, refunds on charges, payment_method
on refunds, customer_details with name and address, previous_attributes on *.updated, asynchronous capture."""
from __future__ import annotations

import httpx

SK = "sk_test_sandbox"


def events(client, type_: str) -> list:
    return list(reversed(client.v1.events.list(params={"type": type_, "limit": 100}).data))


def raw_event(sandbox, evt_id: str) -> dict:
    return httpx.get(f"{sandbox.url}/v1/events/{evt_id}", auth=(SK, "")).json()


def paid_pi(client, **extra):
    return client.v1.payment_intents.create(params={"amount": 2000, "currency": "usd", "payment_method_types": ["card"],
                                                    "payment_method": "pm_card_visa", "confirm": True, **extra})


def test_charge_has_no_retired_fields_and_lists_its_refunds(client, http):
    pi = paid_pi(client)
    ch = http.get(f"/v1/charges/{pi.latest_charge}").json()
    assert not {"destination", "dispute", "order"} & set(ch)
    assert ch["refunds"] == {"object": "list", "data": [], "has_more": False,
                             "url": f"/v1/charges/{ch['id']}/refunds"}
    re1 = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})
    re2 = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 300})
    ch = http.get(f"/v1/charges/{pi.latest_charge}").json()
    assert [r["id"] for r in ch["refunds"]["data"]] == [re2.id, re1.id]
    assert re1.payment_method == ch["payment_method"] and re1.payment_method.startswith("pm_")


def test_updated_events_carry_previous_attributes(client, sandbox):
    cus = client.v1.customers.create(params={"email": "old@example.com", "metadata": {"a": "1"}})
    client.v1.customers.update(cus.id, params={"email": "new@example.com", "metadata": {"b": "2"}})
    evt = raw_event(sandbox, events(client, "customer.updated")[-1].id)
    assert evt["data"]["object"]["email"] == "new@example.com"
    assert evt["data"]["previous_attributes"] == {"email": "old@example.com", "metadata": {"a": "1"}}
    created = raw_event(sandbox, events(client, "customer.created")[-1].id)
    assert "previous_attributes" not in created["data"]


def test_async_capture_sets_the_balance_transaction_after_charge_succeeded(client, sandbox):
    pi = paid_pi(client)
    assert pi.capture_method == "automatic_async"
    succeeded = [raw_event(sandbox, e.id) for e in events(client, "charge.succeeded")]
    updated = [raw_event(sandbox, e.id) for e in events(client, "charge.updated")]
    assert succeeded[-1]["data"]["object"]["balance_transaction"] is None
    assert updated[-1]["data"]["object"]["id"] == pi.latest_charge
    assert updated[-1]["data"]["object"]["balance_transaction"].startswith("txn_")
    assert updated[-1]["data"]["previous_attributes"] == {"balance_transaction": None}
    assert client.v1.charges.retrieve(pi.latest_charge).balance_transaction.startswith("txn_")


def test_sync_capture_has_the_balance_transaction_at_once(client):
    pi = paid_pi(client, capture_method="automatic")
    assert client.v1.charges.retrieve(pi.latest_charge).balance_transaction.startswith("txn_")
    assert events(client, "charge.updated") == []


def test_completed_checkout_session_has_customer_details_with_name_and_address(client, sandbox):
    cs = client.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": "https://shop.example/ok", "cancel_url": "https://shop.example/no",
        "line_items": [{"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 500,
                                                      "product_data": {"name": "Book"}}}]})
    r = httpx.post(cs.url, data={"email": "ada@example.com", "cardnumber": "4242424242424242", "exp": "12/34",
                                 "cvc": "123"})
    assert r.status_code == 303
    done = client.v1.checkout.sessions.retrieve(cs.id)
    assert done.status == "complete"
    details = done.customer_details
    assert details.email == "ada@example.com"
    assert "name" in details and set(details.address.to_dict()) == {"city", "country", "line1", "line2",
                                                                 "postal_code", "state"}
