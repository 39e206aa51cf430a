"""How many orders one browser tab and one client IP may start (the `limits` library, moving window). With Redis
configured the counters are shared by every worker; otherwise they live in the one worker's memory."""
from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

from .settings import get_settings

if TYPE_CHECKING:
    from limits import RateLimitItem, strategies


@lru_cache
def parse(text: str) -> RateLimitItem:
    """A limit in the library's notation ("10/10 minutes"); the library is imported on first use (rxshop/lazy.py)."""
    from limits import parse as parse_limit

    return parse_limit(text)


@lru_cache
def limiter() -> strategies.MovingWindowRateLimiter:
    """The one limiter of the shop (order creation, console logins, link re-sends)."""
    from limits import storage, strategies

    redis_url = os.environ.get("REFLEX_REDIS_URL", "")
    uri = redis_url if redis_url.startswith(("redis://", "rediss://")) else "memory://"
    return strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))


def allow_new_order(client_token: str, client_ip: str) -> bool:
    """Count one new order for this tab and this IP; False (nothing counted) when either is over its limit."""
    s = get_settings()
    keys = ((parse(s.rxshop_order_limit_client), "rxshop-orders-client:" + client_token[:80]),
            (parse(s.rxshop_order_limit_ip), "rxshop-orders-ip:" + client_ip[:64]))
    lim = limiter()
    if not all(lim.test(item, key) for item, key in keys):
        return False
    return all([lim.hit(item, key) for item, key in keys])
