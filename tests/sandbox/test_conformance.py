"""Every kind of object the sandbox serves, checked against the schema of Stripe's published OpenAPI spec
(openapi/schemas.py; the schemas are test data extracted by openapi/extract.py, source, API version and date inside).
Besides this scenario, every answer the contract tests' stripe-python clients receive is checked the same way
(conftest.py, `objects_match_stripes_schemas`). The parameter tables are checked against the spec's requests."""
from __future__ import annotations

import httpx
import pytest

from tests.sandbox.openapi.schemas import DATA as SCHEMAS, problems

SK, PK = "sk_test_sandbox", "pk_test_sandbox"


def test_spec_file_says_where_it_comes_from():
    assert SCHEMAS["api_version"] and SCHEMAS["extracted"] and "stripe/openapi" in SCHEMAS["source"]


@pytest.fixture
def api(sandbox):
    with httpx.Client(base_url=sandbox.url, auth=(SK, ""), timeout=10) as c:
        def call(method: str, path: str, data: dict | None = None, expect: int = 200) -> dict:
            r = c.request(method, path, **({"params": data} if method == "GET" else {"data": data}))
            assert r.status_code == expect, r.text
            return r.json()
        yield call


def test_every_object_the_sandbox_serves_matches_stripes_schema(api, sandbox):
    seen: dict[str, int] = {}
    found: list[str] = []

    def check(obj: dict, schema: str | None = None) -> dict:
        found.extend(p for p in problems(obj, schema) if p not in found)
        name = schema or obj["object"]
        seen[name] = seen.get(name, 0) + 1
        return obj

    cus = check(api("POST", "/v1/customers", {"email": "ada@example.com", "name": "Ada", "metadata[a]": "1"}))
    check(api("POST", f"/v1/customers/{cus['id']}", {"email": "ada2@example.com"}))
    pm = check(api("POST", "/v1/payment_methods", {"type": "card", "card[number]": "4242424242424242",
                                                  "card[exp_month]": "12", "card[exp_year]": "2040",
                                                  "card[cvc]": "123"}))
    check(api("POST", f"/v1/payment_methods/{pm['id']}/attach", {"customer": cus["id"]}))
    tok = check(api("POST", "/v1/tokens", {"card[number]": "4242424242424242", "card[exp_month]": "12",
                                           "card[exp_year]": "2040", "card[cvc]": "123"}))
    check(tok["card"], "card")
    pi = check(api("POST", "/v1/payment_intents", {"amount": "2000", "currency": "usd", "customer": cus["id"],
                                                   "payment_method_types[]": "card", "receipt_email": "a@ex.com",
                                                   "metadata[order]": "1"}))
    pi = check(api("POST", f"/v1/payment_intents/{pi['id']}/confirm", {"payment_method": pm["id"]}))
    check(api("GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "latest_charge"}))
    declined = api("POST", "/v1/payment_intents", {"amount": "2000", "currency": "usd", "payment_method_types[]":
                                                   "card", "payment_method": "pm_card_chargeDeclined",
                                                   "confirm": "true"}, expect=402)
    check(declined["error"]["payment_intent"])
    manual = check(api("POST", "/v1/payment_intents", {"amount": "1500", "currency": "usd", "confirm": "true",
                                                       "payment_method_types[]": "card",
                                                       "payment_method": "pm_card_visa", "capture_method": "manual"}))
    check(api("POST", f"/v1/payment_intents/{manual['id']}/capture", {}))
    tds = check(api("POST", "/v1/payment_intents", {"amount": "1500", "currency": "usd", "confirm": "true",
                                                    "payment_method_types[]": "card",
                                                    "payment_method": "pm_card_threeDSecure2Required"}))
    check(api("POST", f"/v1/payment_intents/{tds['id']}/cancel", {}))
    ch = check(api("GET", f"/v1/charges/{pi['latest_charge']}"))
    check(api("POST", "/v1/refunds", {"payment_intent": pi["id"], "amount": "500"}))
    check(api("GET", f"/v1/charges/{ch['id']}"))
    legacy = check(api("POST", "/v1/charges", {"amount": "1000", "currency": "usd", "source": "tok_visa",
                                               "description": "legacy"}))
    check(api("POST", f"/v1/charges/{legacy['id']}", {"metadata[x]": "y"}))
    check(api("POST", "/v1/refunds", {"charge": legacy["id"]}))
    prod = check(api("POST", "/v1/products", {"name": "Book"}))
    price = check(api("POST", "/v1/prices", {"product": prod["id"], "unit_amount": "500", "currency": "usd"}))
    cs = check(api("POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": "https://shop.example/ok", "cancel_url": "https://shop.example/no",
        "customer_email": "ada@example.com", "line_items[0][price]": price["id"], "line_items[0][quantity]": "2",
        "line_items[1][quantity]": "1", "line_items[1][price_data][currency]": "usd",
        "line_items[1][price_data][unit_amount]": "700", "line_items[1][price_data][product_data][name]": "Font",
        "line_items[1][price_data][product_data][images][]": "https://cdn.example/font.png"}))
    r = httpx.post(cs["url"], data={"email": "ada@example.com", "cardnumber": "4242424242424242", "exp": "12/34",
                                    "cvc": "123"})
    assert r.status_code == 303
    check(api("GET", f"/v1/checkout/sessions/{cs['id']}", {"expand[]": "line_items"}))
    for item in api("GET", f"/v1/checkout/sessions/{cs['id']}/line_items")["data"]:
        check(item, "item")
    open_cs = api("POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": "https://shop.example/ok", "line_items[0][price]": price["id"],
        "line_items[0][quantity]": "1"})
    check(api("POST", f"/v1/checkout/sessions/{open_cs['id']}/expire", {}))
    we = api("POST", "/v1/webhook_endpoints", {"url": "https://shop.example/hook", "enabled_events[]": "*"})
    check(we)
    check(api("DELETE", f"/v1/webhook_endpoints/{we['id']}"), "deleted_webhook_endpoint")
    check(api("DELETE", f"/v1/customers/{cus['id']}"), "deleted_customer")
    for resource in ("customers", "payment_intents", "charges", "refunds", "products", "prices",
                     "checkout/sessions", "payment_methods"):
        params = {"customer": cus["id"]} if resource == "payment_methods" else {}
        for obj in api("GET", f"/v1/{resource}", {"limit": "100", **params})["data"]:
            check(obj)
    events = api("GET", "/v1/events", {"limit": "100"})["data"]
    for evt in events:
        check(evt)
        check(evt["data"], "notification_event_data")
        check(evt["data"]["object"])
    check(api("GET", "/v1/customers/cus_missing", expect=404), "error")
    assert not found, "\n".join(found)
    assert {"customer", "payment_intent", "payment_method", "token", "card", "charge", "refund", "product", "price",
            "checkout.session", "item", "event", "webhook_endpoint", "deleted_customer"} <= set(seen), seen


def _names(table: dict, prefix: str = "") -> list[tuple[str, ...]]:
    """Every parameter path of a table: ("line_items", "price_data", "currency"), …"""
    out = []
    for name, spec in table.items():
        out.append((*prefix, name) if prefix else (name,))
        sub = spec[0] if isinstance(spec, list) else spec
        if isinstance(sub, dict):
            out += _names(sub, (*prefix, name) if prefix else (name,))
    return out


def test_every_parameter_the_sandbox_accepts_is_one_stripe_accepts():
    from stripe_sandbox.routes import ROUTES

    unknown = []
    for method, pattern, _fn, table, _pk in ROUTES:
        table = table[0] if isinstance(table, tuple) else table     # secret-key calls: the public API
        spec = SCHEMAS["requests"].get(f"{method} {pattern}")
        assert spec is not None, f"{method} {pattern} is not in Stripe's spec"
        for path in _names(table):
            node = spec
            for part in path:
                if part not in node:
                    unknown.append(f"{method} {pattern}: {'.'.join(path)}")
                    break
                node = node[part]
    assert not unknown, "\n".join(unknown)
