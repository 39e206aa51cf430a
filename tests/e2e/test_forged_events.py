"""Every public event handler of every state class, called over Reflex's websocket the way an attacker would: hostile
arguments, and the hostile sequences of issue 8 (card testing through the Charges path, Pay in a loop). Afterwards
the database and the sandbox show no new paid order, no charge, and a bounded number of pending orders, Customers
and PaymentIntents. New handlers are covered without editing this file."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import queue
import sqlite3
import time
import uuid

import reflex as rx
import socketio
import stripe

import rxshop.state
from rxshop.state import CartState, ExpressState

HOSTILE = [None, -1, 0, 10 ** 12, "x" * 5000, {"$ne": 0}, [1, 2], "1; drop table product", "../../etc/passwd",
           {"token": "tok_visa", "paymentIntent": "pi_forged", "status": "succeeded", "email": "a@x.com"}]


def shop_states() -> list[type[rx.State]]:
    for mod in pkgutil.iter_modules(rxshop.state.__path__):
        importlib.import_module(f"rxshop.state.{mod.name}")
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        if cls.__module__.startswith("rxshop."):
            found.append(cls)
    return found


def public_handlers() -> list[tuple[str, list[str]]]:
    """(full event name, argument names) of every public handler, `setvar` included."""
    out = []
    for cls in shop_states():
        for name, handler in cls.event_handlers.items():
            if name.startswith("_"):
                continue
            params = [p for p in inspect.signature(handler.fn).parameters if p != "self"]
            out.append((f"{cls.get_full_name()}.{name}", params))
    return out


class Tab:
    """One forged browser tab: raw events in, every server message collected."""

    def __init__(self, shop_url: str):
        self.inbox: queue.Queue = queue.Queue()
        self.sio = socketio.Client()
        self.sio.on("event", lambda data: self.inbox.put(data), namespace="/_event")
        self.sio.connect(f"{shop_url}?token={uuid.uuid4()}", socketio_path="/_event", namespaces=["/_event"],
                         transports=["websocket"])

    def send(self, name: str, payload: dict, path: str = "/cart") -> None:
        self.sio.emit("event", {"name": name, "payload": payload,
                                "router_data": {"pathname": path.split("?")[0], "asPath": path}},
                      namespace="/_event")

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        """Until a server message contains `needle`; returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                text = str(self.inbox.get(timeout=max(0.05, deadline - time.monotonic())))
            except queue.Empty:
                break
            if needle in text:
                return text
        raise TimeoutError(f"no server message with {needle!r} within {timeout}s")

    def round_trip(self) -> None:
        """Send a marker and wait for it to come back: every earlier (non-background) event has been handled."""
        marker = f"sentinel-{uuid.uuid4()}"  # comes back in the router part of the answer's delta
        self.send(f"{CartState.get_full_name()}.load", {}, path=f"/cart?marker={marker}")
        self.wait_for(marker, timeout=90)

    def close(self) -> None:
        self.sio.disconnect()


def snapshot(shop, sandbox) -> dict:
    con = sqlite3.connect(shop.db_path)
    try:
        db = {"paid": con.execute("select count(*) from \"order\" where status not in ('pending', 'canceled')")
              .fetchone()[0],
              "pending": con.execute("select count(*) from \"order\" where status = 'pending'").fetchone()[0],
              "orders": con.execute("select count(*) from \"order\"").fetchone()[0],
              "payments": con.execute("select count(*) from payment").fetchone()[0]}
    finally:
        con.close()
    client = stripe.StripeClient("sk_test_sandbox", base_addresses={"api": sandbox.url}, max_network_retries=0)
    for kind in ("charges", "payment_intents", "customers"):
        db[kind] = sum(1 for _ in getattr(client.v1, kind).list(params={"limit": 100}).auto_paging_iter())
    return db


def settled(shop, sandbox, tab: Tab, timeout: float = 60) -> dict:
    """Wait until the server is done: a round trip, and the database and sandbox unchanged across two of them."""
    deadline = time.monotonic() + timeout
    tab.round_trip()
    last = snapshot(shop, sandbox)
    while time.monotonic() < deadline:
        tab.round_trip()
        now = snapshot(shop, sandbox)
        if now == last:
            return now
        last = now
    raise TimeoutError("the shop kept changing")


def test_every_handler_with_hostile_arguments_changes_nothing_that_matters(shop, sandbox, shop_url):
    handlers = public_handlers()
    names = {n.rsplit(".", 1)[-1] for n, _ in handlers}
    assert {"add", "pay", "token_created", "card_confirmed", "start", "load"} <= names  # the enumeration works
    tab = Tab(shop_url)
    try:
        before = settled(shop, sandbox, tab)
        for name, params in handlers:
            for value in HOSTILE:
                tab.send(name, {p: value for p in params}, path="/express?product=python-patterns-ebook&qty=1")
            tab.send(name, {})  # arguments missing altogether
        after = settled(shop, sandbox, tab)
    finally:
        tab.close()
    assert after["paid"] == before["paid"] and after["payments"] == before["payments"]
    assert after["charges"] == before["charges"]
    assert after["pending"] - before["pending"] <= 2  # at most one open order per flow for this tab
    assert after["payment_intents"] - before["payment_intents"] <= 1
    assert after["customers"] - before["customers"] <= 1


def test_card_testing_through_the_charges_handler_is_refused(shop, sandbox, shop_url):
    """Default card API (PaymentIntents): Pay makes a pending order, then many forged tokens, also all at once."""
    express = ExpressState.get_full_name()
    tab = Tab(shop_url)
    try:
        before = settled(shop, sandbox, tab)
        path = "/express?product=python-patterns-ebook&qty=1"
        tab.send(f"{express}.load", {}, path=path)
        tab.send(f"{express}.pay", {"form_data": {"email": "card-tester@example.com"}}, path=path)
        tab.wait_for("confirmCard")  # the order and its PaymentIntent exist; the card form would confirm now
        for token in ["tok_visa", "tok_chargeDeclined", "tok_mastercard"] * 5:
            tab.send(f"{express}.token_created", {"outcome": {"token": token}}, path=path)
        after = settled(shop, sandbox, tab)
    finally:
        tab.close()
    assert after["charges"] == before["charges"], "a forged token made the shop's server charge a card"
    assert after["paid"] == before["paid"]


def test_pay_in_a_loop_is_bounded(shop, sandbox, shop_url):
    """Load + Pay again and again, each time for another quantity (so no open order can be reused)."""
    limit = int(shop.env["RXSHOP_ORDER_LIMIT_CLIENT"].split("/")[0])
    express = ExpressState.get_full_name()
    tab = Tab(shop_url)
    try:
        before = settled(shop, sandbox, tab)
        refused = 0
        for qty in range(1, limit + 4):
            path = f"/express?product=python-patterns-ebook&qty={qty}"
            tab.send(f"{express}.load", {}, path=path)
            tab.send(f"{express}.pay", {"form_data": {"email": "looper@example.com"}}, path=path)
            answer = tab.wait_for("confirmCard" if qty <= limit else "too many orders")
            refused += "too many orders" in answer
        after = settled(shop, sandbox, tab)
    finally:
        tab.close()
    assert refused == 3
    assert after["orders"] - before["orders"] == limit
    assert after["pending"] - before["pending"] <= 1  # each new order (or refused one) canceled the previous one
    assert after["payment_intents"] - before["payment_intents"] <= limit
    assert after["customers"] - before["customers"] <= limit
    assert after["charges"] == before["charges"] and after["paid"] == before["paid"]
