"""The Stripe client: keys, base address (the offline sandbox or Stripe), timeouts, retries. The SDK is imported
where it is used, not at start (rxshop/lazy.py)."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..settings import get_settings

if TYPE_CHECKING:
    import stripe

_clients: dict[int, tuple[stripe.StripeClient, stripe.HTTPClient]] = {}


class NotConfigured(RuntimeError):
    pass


def get_client() -> stripe.StripeClient:
    """One client per event loop (the async HTTP pool belongs to the loop that made it)."""
    try:
        key = id(asyncio.get_running_loop())
    except RuntimeError:
        key = 0
    found = _clients.get(key)
    if found is None:
        s = get_settings()
        if not s.stripe_secret_key:
            raise NotConfigured("STRIPE_SECRET_KEY is not set")
        import aiohttp
        import stripe

        # aiohttp: about half the client CPU per call of the SDK's default httpx client (README "Benchmarks")
        http = stripe.AIOHTTPClient(timeout=aiohttp.ClientTimeout(total=s.stripe_timeout))
        client = stripe.StripeClient(
            s.stripe_secret_key,
            base_addresses={"api": s.stripe_api_base} if s.stripe_api_base else None,
            http_client=http,
            max_network_retries=2,  # safe: every POST carries an idempotency key
        )
        found = _clients[key] = (client, http)
    return found[0]


async def call(method: str, path: str, *ids: str, idempotency_key: str = "", **params: Any) -> dict:
    """One Stripe API call answered as its JSON: the SDK's own request (keys, retries, timeouts, error classes)
    without turning the answer into SDK objects only to read a few fields (README "Benchmarks", steps 21–22).
    `path` holds a `{}` for each id. Run it inside `stripe_errors`."""
    if idempotency_key:
        params["idempotency_key"] = idempotency_key
    url = path.format(*(quote(i, safe="") for i in ids))
    return (await get_client().raw_request_async(method, url, **params)).data


def reset_clients() -> None:
    _clients.clear()


async def close_clients() -> None:
    """A lifespan task: at shutdown, close this loop's HTTP connections to Stripe."""
    try:
        await asyncio.Event().wait()
    finally:
        await close_loop_client()


async def close_loop_client() -> None:
    """Close this event loop's HTTP connections to Stripe and forget its client (a loop that ends must)."""
    found = _clients.pop(id(asyncio.get_running_loop()), None)
    if found is not None:
        await found[1].close_async()
