"""Stripe Checkout (redirect to the hosted page)."""
from __future__ import annotations

import time
from datetime import datetime

from ..settings import get_settings
from .client import call
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
        session = await call("post", "/v1/checkout/sessions", idempotency_key=f"order-{order.number}-checkout-session",
                             **params)
    return CheckoutRedirect(session_id=session["id"], url=session["url"])


async def expire_checkout_session(session_id: str) -> PaymentResult:
    """Expire an open Checkout Session; a completed one is returned as it is."""
    async with stripe_errors("retrieve checkout session"):
        session = await call("get", "/v1/checkout/sessions/{}", session_id, expand=["payment_intent"])
    if session.get("status") == "open":
        async with stripe_errors("expire checkout session"):
            session = await call("post", "/v1/checkout/sessions/{}/expire", session_id,
                                 idempotency_key=f"expire-{session_id}")
    return from_checkout_session(session)


async def retrieve_checkout_session(session_id: str) -> PaymentResult:
    async with stripe_errors("retrieve checkout session"):
        session = await call("get", "/v1/checkout/sessions/{}", session_id, expand=["payment_intent"])
    return from_checkout_session(session)
