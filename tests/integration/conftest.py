"""Payments and webhooks without a browser: `rxshop.payments`, fulfilment and the webhook route against the real
Stripe sandbox process, a real database file (migrated schema via SQLModel metadata) and a real SMTP sink."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import secrets
import time

import httpx
import pytest
import stripe
from sqlmodel import Session, SQLModel, create_engine, select

from rxshop import carts
from rxshop import db as rxdb
from rxshop import models  # noqa: F401  (registers tables)
from rxshop import orders
from rxshop.db import configure_engine
from rxshop.models import Product
from rxshop.payments import client as payment_client
from rxshop.settings import get_settings
from tests.e2e.server import MailSink
from tests.sandbox.sandbox_proc import SandboxProcess

SECRET_KEY, PUBLISHABLE_KEY = "sk_test_sandbox", "pk_test_sandbox"  # the keys the sandbox accepts by default
WEBHOOK_SECRET = "whsec_" + secrets.token_hex(16)


@pytest.fixture(scope="session")
def sandbox():
    with SandboxProcess() as sb:
        yield sb


@pytest.fixture(scope="session")
def mail_sink(tmp_path_factory):
    sink = MailSink(tmp_path_factory.mktemp("mail"))
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def shop(sandbox, mail_sink, tmp_path, monkeypatch):
    """The shop's settings pointed at the sandbox and the sink, and its database at a fresh file."""
    s = get_settings()
    for key, value in {"stripe_secret_key": SECRET_KEY, "stripe_publishable_key": PUBLISHABLE_KEY,
                       "stripe_webhook_secret": WEBHOOK_SECRET, "stripe_api_base": sandbox.url,
                       "stripe_timeout": 10.0, "smtp_host": "127.0.0.1", "smtp_port": mail_sink.port,
                       "smtp_starttls": False, "rxshop_base_url": "http://shop.test"}.items():
        monkeypatch.setattr(s, key, value)
    engine = configure_engine(create_engine(f"sqlite:///{tmp_path / 'integration.db'}"))
    SQLModel.metadata.create_all(engine)
    monkeypatch.setattr(rxdb, "get_engine", lambda: engine)
    payment_client.reset_clients()
    with Session(engine) as db:
        db.add_all([Product(slug="mug", name="Mug", price_cents=1200, delivery_url="https://x/mug"),
                    Product(slug="limited", name="Limited", price_cents=500, stock=1,
                            delivery_url="https://x/limited")])
        db.commit()
    yield engine
    payment_client.reset_clients()
    engine.dispose()


@pytest.fixture
def db(shop):
    with Session(shop, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def stripe_client(sandbox) -> stripe.StripeClient:
    """Stripe as an outsider would use it (to make objects the shop did not make)."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox.url}, max_network_retries=0)


def run(coro):
    """Run a coroutine on its own loop in a worker thread (Playwright's sync API may hold this thread's loop); the
    loop's Stripe connections are closed before it ends, as the shop's lifespan task closes them."""
    async def then_close():
        try:
            return await coro
        finally:
            await payment_client.close_loop_client()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, then_close()).result()


def new_order(db, slug="mug", qty=1, flow="express", email="buyer@example.com"):
    product = db.exec(select(Product).where(Product.slug == slug)).one()
    cart, _ = carts.add_item(db, None, product.id, qty)
    return orders.create_from_cart(db, cart.token, flow, "usd", email)


def event(obj: dict, type_: str, event_id: str | None = None) -> bytes:
    return json.dumps({"id": event_id or "evt_" + secrets.token_hex(12), "object": "event", "type": type_,
                       "created": int(time.time()), "data": {"object": obj}}).encode()


def signed(payload: bytes, secret: str = WEBHOOK_SECRET) -> dict:
    """Headers of a webhook delivery, signed with stripe-python's own helper."""
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload.decode(), secret),
            "Content-Type": "application/json"}


async def post_webhook(payload: bytes, headers: dict) -> httpx.Response:
    from rxshop.api import api

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://shop.test") as c:
        return await c.post("/api/stripe/webhook", content=payload, headers=headers)


def deliver(payload: bytes) -> httpx.Response:
    return run(post_webhook(payload, signed(payload)))
