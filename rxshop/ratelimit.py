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
    if redis_url.startswith(("redis://", "rediss://")):
        return strategies.MovingWindowRateLimiter(storage.storage_from_string(redis_url))
    return strategies.MovingWindowRateLimiter(_memory_storage())


EXPIRY_EVERY = 10.0  # seconds between two clean-ups of the in-memory counters


def _memory_storage():
    """The library's in-memory storage, cleaned up at most every EXPIRY_EVERY seconds and without leaving keys
    behind. The library starts a thread 10 ms after any hit that walks every key it holds: measured here, about
    0.5 ms of CPU per hit with 100 keys and 4.9 ms with 10,000, holding the interpreter the event loop needs; and
    it keeps an empty entry for every tab and IP it ever saw, so that walk grows for as long as the shop runs. The
    clean-up only frees memory: a check never counts an expired entry (it compares times). One lock around the
    storage's operations lets the clean-up drop keys safely. The hooks are private to limits (pinned in
    requirements.txt; tests/unit/test_payment_limits.py watches them)."""
    import threading
    import time

    from limits.storage import MemoryStorage

    class Storage(MemoryStorage):
        def __init__(self) -> None:
            self.guard = threading.RLock()
            self.next_pass = 0.0
            super().__init__()

        def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
            with self.guard:
                return super().acquire_entry(key, limit, expiry, amount)

        def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
            with self.guard:
                return super().get_moving_window(key, limit, expiry)

        def clear(self, key: str) -> None:
            with self.guard:
                super().clear(key)

        def _MemoryStorage__schedule_expiry(self) -> None:  # what MemoryStorage calls on every hit
            now = time.monotonic()
            if now < self.next_pass or self.timer.is_alive():
                return
            self.next_pass = now + EXPIRY_EVERY
            self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()

        def _MemoryStorage__expire_events(self) -> None:  # the library's pass, then the keys it leaves empty
            with self.guard:
                MemoryStorage._MemoryStorage__expire_events(self)
                for key in [k for k, entries in self.events.items() if not entries]:
                    del self.events[key]

    return Storage()


def allow_new_order(client_token: str, client_ip: str) -> bool:
    """Count one new order for this tab and this IP; False (nothing counted) when either is over its limit."""
    s = get_settings()
    keys = ((parse(s.rxshop_order_limit_client), "rxshop-orders-client:" + client_token[:80]),
            (parse(s.rxshop_order_limit_ip), "rxshop-orders-ip:" + client_ip[:64]))
    lim = limiter()
    if not all(lim.test(item, key) for item, key in keys):
        return False
    return all([lim.hit(item, key) for item, key in keys])
