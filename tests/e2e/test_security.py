"""The browser is untrusted: events forged over Reflex's websocket, with any arguments, change nothing they shouldn't."""
import json
import sqlite3
import uuid

import socketio

from rxshop.state import CartState, CheckoutState, ExpressState, OrderState
from scripts.processes import wait_until


class ForgedTab:
    """A websocket client that talks to the shop like a browser tab would, but sends raw events."""

    def __init__(self, shop_url: str):
        self.received: list = []
        self.sio = socketio.Client()
        self.sio.on("event", self.received.append, namespace="/_event")
        self.sio.connect(f"{shop_url}?token={uuid.uuid4()}", socketio_path="/_event", namespaces=["/_event"],
                         transports=["websocket"])

    def send(self, events: list[tuple[str, dict]]) -> None:
        for name, payload in events:
            self.sio.emit("event", {"name": name, "payload": payload,
                                    "router_data": {"pathname": "/cart", "asPath": "/cart"}}, namespace="/_event")

    def answered(self, text: str) -> int:
        return json.dumps(self.received).count(text)

    def close(self) -> None:
        self.sio.disconnect()


def counts(shop) -> tuple:
    con = sqlite3.connect(shop.db_path)
    try:
        return (con.execute("select count(*) from cartitem").fetchone()[0],
                con.execute("select count(*) from \"order\"").fetchone()[0],
                con.execute("select count(*) from payment").fetchone()[0],
                con.execute("select group_concat(stock) from product").fetchone()[0])
    finally:
        con.close()


def test_forged_events_change_nothing(shop, shop_url):
    cart, express, checkout, order = (s.get_full_name() for s in (CartState, ExpressState, CheckoutState, OrderState))
    before = counts(shop)
    tab = ForgedTab(shop_url)
    try:
        # Paying without a cart: each of these answers with its refusal, and none makes an order or a payment.
        tab.send([
            (f"{express}.card_confirmed", {"outcome": {"paymentIntent": "pi_forged", "status": "succeeded"}}),
            (f"{express}.token_created", {"outcome": {"token": "tok_visa"}}),  # Charges are off: refused
            (f"{express}.pay", {"form_data": {"email": "x@example.com", "amount": 1}}),
            (f"{checkout}.start", {}),
            (f"{order}.load", {}),
        ])
        wait_until(lambda: tab.answered("The payment did not go through.") and tab.answered("Please reload the page and pay again.")
                   and tab.answered("Your cart is empty.") >= 2 and tab.answered("not_found"), 20,
                   message=lambda: f"answers so far: {tab.received}")
        assert counts(shop) == before
        # Cart events with forged arguments change nothing; the well-formed add sent last does its work, so all
        # before it were handled by then (one tab's events are processed in order).
        tab.send([
            (f"{cart}.add", {"product_id": 1, "quantity": 1, "price_cents": 1}),  # a price is not even accepted
            (f"{cart}.add", {"product_id": "abc", "quantity": 1}),
            (f"{cart}.add", {"product_id": 1, "quantity": -5}),
            (f"{cart}.add", {"product_id": 1, "quantity": 10 ** 9}),
            (f"{cart}.add", {"product_id": 999999, "quantity": 1}),
            (f"{cart}.add", {"product_id": {"$ne": 0}, "quantity": [1]}),
            (f"{cart}.set_quantity", {"product_id": 1, "quantity": "1; drop table product"}),
            (f"{cart}.remove", {"product_id": 1}),
            (f"{cart}.setvar", {"var_name": "subtotal", "value": "$0.00"}),
            (f"{cart}.add", {"product_id": 2, "quantity": 1}),  # control: a well-formed event does work
        ])
        wait_until(lambda: counts(shop)[0] == before[0] + 1, 20, message=lambda: f"answers so far: {tab.received}")
    finally:
        tab.close()
    assert counts(shop)[1:] == before[1:]
    con = sqlite3.connect(shop.db_path)
    newest = con.execute("select product_id, quantity from cartitem order by id desc limit 1").fetchone()
    con.close()
    assert newest == (2, 1)


def test_pages_carry_security_headers_and_cors_is_the_shops_own(shop_url):
    import httpx
    import pytest

    with httpx.Client(base_url=shop_url, timeout=10) as c:
        for path in ("/", "/orders/RX-AAAAAA?token=secret", "/api/health"):
            h = c.get(path).headers
            assert "frame-ancestors 'none'" in h["content-security-policy"], path
            assert h["referrer-policy"] == "no-referrer" and h["x-frame-options"] == "DENY", path
            assert h["x-content-type-options"] == "nosniff", path
        evil = {"Origin": "https://evil.example"}
        for r in (c.get("/ping", headers=evil), c.options("/api/stripe/webhook", headers={
                **evil, "Access-Control-Request-Method": "POST"})):
            assert "access-control-allow-origin" not in r.headers
        own = c.get("/ping", headers={"Origin": shop_url}).headers
        assert own["access-control-allow-origin"] == shop_url
        for path in ("/docs", "/redoc", "/openapi.json"):
            r = c.get(path)
            assert "swagger" not in r.text.lower() and '"openapi"' not in r.text, path
    # the websocket refuses a page from another origin (it would act with the visitor's cart token)
    sio = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(f"{shop_url}?token={uuid.uuid4()}", socketio_path="/_event", namespaces=["/_event"],
                    transports=["websocket"], headers={"Origin": "https://evil.example"})
