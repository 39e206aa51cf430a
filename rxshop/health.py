"""What /api/health reports: the database (and whether migrations are pending), Redis, and Stripe (or the sandbox),
each separately. Ready = database reachable and migrated, Redis reachable when configured. Stripe is reported but
does not make an instance unready: browsing and carts work while Stripe is away, and every instance shares the
same Stripe, so taking them all out of rotation would not help."""
from __future__ import annotations

import asyncio
import os
import time

import sqlalchemy

from . import lazy, migrations
from .db import get_engine
from .settings import get_settings

CHECK_TIMEOUT = 3.0  # seconds per dependency
_stripe_cache: dict[str, tuple[float, dict]] = {}


def _database() -> dict:
    engine = get_engine()
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text("SELECT 1"))
    pending = migrations.pending(engine)
    return {"ok": not pending, "backend": engine.dialect.name, "migrations_pending": pending}


async def _redis() -> dict:
    url = os.environ.get("REFLEX_REDIS_URL", "")
    if not url:
        return {"ok": True, "configured": False}
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT)
    try:
        return {"ok": bool(await client.ping()), "configured": True}
    finally:
        await client.aclose()


async def _stripe() -> dict:
    """Reachability of the Stripe API (any HTTP answer counts), cached for 30 s so probes don't hammer it."""
    s = get_settings()
    base = (s.stripe_api_base or "https://api.stripe.com").rstrip("/")
    cached = _stripe_cache.get(base)
    if cached and time.monotonic() - cached[0] < 30:
        return cached[1]
    result = {"ok": False, "configured": bool(s.stripe_secret_key), "sandbox": bool(s.stripe_api_base)}
    aiohttp = await lazy.library("aiohttp")  # left out of the start: imported off the event loop
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT)) as client:
            async with client.get(base + "/v1"):
                pass
        result["ok"] = result["configured"]
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        result["error"] = type(exc).__name__
    _stripe_cache[base] = (time.monotonic(), result)
    return result


async def _guard(check) -> dict:
    try:
        return await asyncio.wait_for(check, CHECK_TIMEOUT + 1)
    except Exception as exc:  # the report names the failure; never its message (it may hold a URL with a password)
        return {"ok": False, "error": type(exc).__name__}


async def report() -> tuple[bool, dict]:
    db, rd, st = await asyncio.gather(_guard(asyncio.to_thread(_database)),
                                      _guard(_redis()), _guard(_stripe()))
    ready = db["ok"] and rd["ok"]
    return ready, {"ready": ready, "database": db, "redis": rd, "stripe": st}
