"""Stripe Checkout (redirect to the hosted page)."""
from __future__ import annotations

import time
from datetime import datetime

from ..settings import get_settings
from .client import get_client
from .errors import stripe_errors
from .results import from_checkout_session
from .types import CheckoutRedirect, OrderRef, PaymentResult


async def create_checkout_session(order: OrderRef, success_url: str, cancel_url: str,
                                  expires_at: datetime | None = None) -> CheckoutRedirect:
    """A Checkout Session for exactly the order's lines. `success_url` may hold {CHECKOUT_SESSION_ID}. With the
    order's own expiry the parameters are the same each time, so asking again for the same order (idempotency
    key per order) returns the same session instead of making another."""
    s = get_settings()
    params = {
        "mode": "payment",
        "line_items": [
            {"quantity": ln.quantity,
             "price_data": {"currency": order.currency, "unit_amount": ln.unit_amount,
                            "product_data": {"name": ln.name, **({"images": [ln.image_url]} if ln.image_url else {})}}}
            for ln in order.lines
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": str(order.id),
        "metadata": {"order_id": str(order.id), "order_number": order.number},
        "payment_intent_data": {"metadata": {"order_id": str(order.id), "order_number": order.number}},
        "expires_at": int(expires_at.timestamp()) if expires_at else
        int(time.time()) + 60 * max(30, s.rxshop_checkout_expiry_minutes),
    }
    if order.email:
        params["customer_email"] = order.email
    async with stripe_errors("create checkout session"):
        # The raw request skips turning the whole Checkout Session into SDK objects (a tenth of a checkout's CPU)
        # only to read two fields; errors are raised the same way.
        session = (await get_client().raw_request_async(
            "post", "/v1/checkout/sessions", **params,
            idempotency_key=f"order-{order.number}-checkout-session")).data
    return CheckoutRedirect(session_id=session["id"], url=session["url"])


async def expire_checkout_session(session_id: str) -> PaymentResult:
    """Expire an open Checkout Session; a completed one is returned as it is."""
    client = get_client()
    async with stripe_errors("retrieve checkout session"):
        session = await client.v1.checkout.sessions.retrieve_async(session_id, params={"expand": ["payment_intent"]})
    if session.status == "open":
        async with stripe_errors("expire checkout session"):
            session = await client.v1.checkout.sessions.expire_async(
                session_id, options={"idempotency_key": f"expire-{session_id}"})
    return from_checkout_session(session.to_dict())


async def retrieve_checkout_session(session_id: str) -> PaymentResult:
    async with stripe_errors("retrieve checkout session"):
        session = await get_client().v1.checkout.sessions.retrieve_async(
            session_id, params={"expand": ["payment_intent"]})
    return from_checkout_session(session.to_dict())
