"""The Stripe client: keys, base address (the offline sandbox or Stripe), timeouts, retries."""
from __future__ import annotations

import asyncio

import stripe

from ..settings import get_settings

_clients: dict[int, stripe.StripeClient] = {}


class NotConfigured(RuntimeError):
    pass


def get_client() -> stripe.StripeClient:
    """One client per event loop (the async HTTP pool belongs to the loop that made it)."""
    try:
        key = id(asyncio.get_running_loop())
    except RuntimeError:
        key = 0
    client = _clients.get(key)
    if client is None:
        s = get_settings()
        if not s.stripe_secret_key:
            raise NotConfigured("STRIPE_SECRET_KEY is not set")
        client = stripe.StripeClient(
            s.stripe_secret_key,
            base_addresses={"api": s.stripe_api_base} if s.stripe_api_base else None,
            http_client=stripe.HTTPXClient(timeout=s.stripe_timeout),
            max_network_retries=2,  # safe: every POST carries an idempotency key
        )
        _clients[key] = client
    return client


def reset_clients() -> None:
    _clients.clear()
