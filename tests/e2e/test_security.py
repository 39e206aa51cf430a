"""The browser is untrusted: events forged over Reflex's websocket, with any arguments, change nothing they shouldn't."""
import sqlite3
import time
import uuid

import socketio

from rxshop.state import CartState, CheckoutState, ExpressState, OrderState


def forge(shop_url: str, events: list[tuple[str, dict]], settle: float = 1.5) -> list:
    """Connect like a browser tab would and send raw events; returns what the server sent back."""
    received = []
    sio = socketio.Client()
    sio.on("event", lambda data: received.append(data), namespace="/_event")
    sio.connect(f"{shop_url}?token={uuid.uuid4()}", socketio_path="/_event", namespaces=["/_event"],
                transports=["websocket"])
    try:
        for name, payload in events:
            sio.emit("event", {"name": name, "payload": payload,
                               "router_data": {"pathname": "/cart", "asPath": "/cart"}}, namespace="/_event")
            time.sleep(0.2)
        time.sleep(settle)
    finally:
        sio.disconnect()
    return received


def counts(shop) -> tuple:
    con = sqlite3.connect(shop.db_path)
    try:
        return (con.execute("select count(*) from cartitem").fetchone()[0],
                con.execute("select count(*) from \"order\" where status != 'pending'").fetchone()[0],
                con.execute("select count(*) from payment").fetchone()[0],
                con.execute("select group_concat(stock) from product").fetchone()[0])
    finally:
        con.close()


def test_forged_events_change_nothing(shop, shop_url):
    cart, express, checkout, order = (s.get_full_name() for s in (CartState, ExpressState, CheckoutState, OrderState))
    before = counts(shop)
    received = forge(shop_url, [
        (f"{cart}.add", {"product_id": 2, "quantity": 1}),  # control: a well-formed event does work
        (f"{cart}.add", {"product_id": 1, "quantity": 1, "price_cents": 1}),  # a price is not even accepted
        (f"{cart}.add", {"product_id": "abc", "quantity": 1}),
        (f"{cart}.add", {"product_id": 1, "quantity": -5}),
        (f"{cart}.add", {"product_id": 1, "quantity": 10 ** 9}),
        (f"{cart}.add", {"product_id": 999999, "quantity": 1}),
        (f"{cart}.add", {"product_id": {"$ne": 0}, "quantity": [1]}),
        (f"{cart}.set_quantity", {"product_id": 1, "quantity": "1; drop table product"}),
        (f"{cart}.remove", {"product_id": 1}),
        (f"{cart}.setvar", {"var_name": "subtotal", "value": "$0.00"}),
        (f"{express}.card_confirmed", {"outcome": {"paymentIntent": "pi_forged", "status": "succeeded"}}),
        (f"{express}.token_created", {"outcome": {"token": "tok_visa"}}),
        (f"{express}.pay", {"form_data": {"email": "x@example.com", "amount": 1}}),  # no cart: no order
        (f"{checkout}.start", {}),
        (f"{order}.load", {}),
    ])
    assert received, "the forged client did get answers from the server"
    after = counts(shop)
    assert after[0] == before[0] + 1 and after[1:] == before[1:]
    con = sqlite3.connect(shop.db_path)
    newest = con.execute("select product_id, quantity from cartitem order by id desc limit 1").fetchone()
    con.close()
    assert newest == (2, 1)
