"""Failed logins are limited per account and per client IP, buyers' "email my links again" per order (the `limits` library, moving window). With Redis
configured the counters are shared by every worker; otherwise they live in the one worker's memory."""
from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from ..ratelimit import limiter as _limiter, parse
from ..settings import get_settings

if TYPE_CHECKING:
    from limits import RateLimitItem


def _items() -> tuple[RateLimitItem, RateLimitItem]:
    s = get_settings()
    return parse(s.rxshop_login_limit_account), parse(s.rxshop_login_limit_ip)


def _keys(email: str, ip: str) -> tuple[tuple[RateLimitItem, str], ...]:
    per_account, per_ip = _items()
    return ((per_account, "rxshop-login-account:" + email[:254]), (per_ip, "rxshop-login-ip:" + ip[:64]))


def wait_seconds(email: str, ip: str) -> int:
    """0 when a login attempt may be made now, else how many seconds until one may."""
    limiter, wait = _limiter(), 0
    for item, key in _keys(email, ip):
        if not limiter.test(item, key):
            reset = limiter.get_window_stats(item, key).reset_time
            wait = max(wait, math.ceil(reset - time.time()), 1)
    return wait


def failed(email: str, ip: str) -> None:
    limiter = _limiter()
    for item, key in _keys(email, ip):
        limiter.hit(item, key)


def clear(email: str) -> None:
    """A successful login forgets the account's failures (not the IP's)."""
    item, key = _keys(email, "")[0]
    _limiter().clear(item, key)


RESEND_PER_ORDER = "3/hour"  # a buyer asking for their links again


def resend_allowed(order_number: str) -> bool:
    """Counts the request; False when this order asked too often (an email goes to the order's own address)."""
    return _limiter().hit(parse(RESEND_PER_ORDER), "rxshop-resend:" + order_number[:20])
