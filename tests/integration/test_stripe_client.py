"""The shop's Stripe client (aiohttp under the SDK) when Stripe doesn't answer: bounded by STRIPE_TIMEOUT, retried,
then a clear message; and its connections closed when the shop stops."""
from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from rxshop import payments
from rxshop.payments import client as payment_client
from rxshop.payments.types import OrderLineRef, OrderRef
from rxshop.settings import get_settings

from .conftest import run

REF = OrderRef(1, "RX-TEST22", "usd", 1200, "", [OrderLineRef("Mug", 1200, 1, "")])


@pytest.fixture
def silent_stripe(monkeypatch):
    """A server that accepts connections and never answers; the client's timeout made short."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    s = get_settings()
    monkeypatch.setattr(s, "stripe_secret_key", "sk_test_sandbox")
    monkeypatch.setattr(s, "stripe_api_base", f"http://127.0.0.1:{server.getsockname()[1]}")
    monkeypatch.setattr(s, "stripe_timeout", 0.3)
    payment_client.reset_clients()
    yield accepted
    stop.set()
    t.join()
    for c in accepted:
        c.close()
    server.close()
    payment_client.reset_clients()


def test_a_stripe_that_never_answers_ends_in_a_clear_message_within_the_timeouts(silent_stripe):
    async def attempt():
        t0 = time.monotonic()
        with pytest.raises(payments.PaymentError) as info:
            await payments.create_checkout_session(REF, "http://shop.test/ok", "http://shop.test/cancel")
        return info.value, time.monotonic() - t0

    error, took = run(attempt())
    assert "Nothing was charged" in error.message and error.retryable
    assert len(silent_stripe) == 3  # the first try and two retries, each cut at the timeout
    assert took < 3 * 0.3 + 3.0  # three timeouts plus the SDK's short backoffs, not the default 80 s


def test_a_refused_connection_ends_in_a_clear_message(monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as free:
        port = free.getsockname()[1]  # closed again: nothing listens there
    s = get_settings()
    monkeypatch.setattr(s, "stripe_secret_key", "sk_test_sandbox")
    monkeypatch.setattr(s, "stripe_api_base", f"http://127.0.0.1:{port}")
    payment_client.reset_clients()

    async def attempt():
        with pytest.raises(payments.PaymentError) as info:
            await payments.create_checkout_session(REF, "http://shop.test/ok", "http://shop.test/cancel")
        return info.value

    assert "Nothing was charged" in run(attempt()).message
    payment_client.reset_clients()


def test_the_lifespan_task_closes_the_loops_connections(sandbox, monkeypatch):
    s = get_settings()
    monkeypatch.setattr(s, "stripe_secret_key", "sk_test_sandbox")
    monkeypatch.setattr(s, "stripe_api_base", sandbox.url)
    payment_client.reset_clients()

    async def life():
        task = asyncio.create_task(payment_client.close_clients())
        redirect = await payments.create_checkout_session(REF, "http://shop.test/ok", "http://shop.test/cancel")
        http = payment_client._clients[id(asyncio.get_running_loop())][1]
        session = http._session
        assert redirect.url and not session.closed
        task.cancel()  # what the app does at shutdown
        await asyncio.gather(task, return_exceptions=True)
        return session.closed, id(asyncio.get_running_loop()) in payment_client._clients

    closed, still_kept = run(life())
    assert closed and not still_kept
    payment_client.reset_clients()
