"""Order rate limits (per tab, per IP), and what a Stripe timeout tells the shopper."""
import asyncio
import concurrent.futures

import pytest
import stripe

from rxshop import ratelimit
from rxshop.payments.errors import stripe_errors
from rxshop.payments.types import PaymentError
from rxshop.settings import get_settings


@pytest.fixture
def limits(monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_order_limit_client", "3/10 minutes")
    monkeypatch.setattr(get_settings(), "rxshop_order_limit_ip", "5/10 minutes")
    ratelimit.limiter.cache_clear()
    yield
    ratelimit.limiter.cache_clear()


def test_new_orders_are_limited_per_tab(limits):
    assert [ratelimit.allow_new_order("tab-a", "10.0.0.1") for _ in range(4)] == [True, True, True, False]


def test_new_orders_are_limited_per_ip_whatever_the_tab(limits):
    # a fresh websocket token per order (what a script does) still meets the per-IP limit
    allowed = [ratelimit.allow_new_order(f"tab-{i}", "10.0.0.2") for i in range(7)]
    assert allowed == [True] * 5 + [False] * 2
    assert ratelimit.allow_new_order("tab-x", "10.0.0.3") is True  # another IP is not affected


def test_a_refused_order_is_not_counted(limits):
    for _ in range(3):
        ratelimit.allow_new_order("tab-b", "10.0.0.4")
    assert ratelimit.allow_new_order("tab-b", "10.0.0.4") is False
    # the refusals above did not use up the IP's budget: another tab there still gets its orders
    assert ratelimit.allow_new_order("tab-c", "10.0.0.4") is True


def _run(coro_fn):
    """asyncio.run in a worker thread (Playwright's sync API may hold this thread's loop in a full run)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro_fn()).result()


def _timeout_during(action: str) -> str:
    async def run():
        async with stripe_errors(action):
            raise stripe.APIConnectionError("timed out")
    with pytest.raises(PaymentError) as info:
        _run(run)
    return info.value.message


@pytest.mark.parametrize("action", ["create charge", "retrieve payment intent", "retrieve checkout session"])
def test_a_timeout_after_money_may_have_moved_never_says_nothing_was_charged(action):
    assert "Nothing was charged" not in _timeout_during(action)
    assert "don't pay again" in _timeout_during(action)


def test_a_timeout_before_any_charge_says_so():
    assert "Nothing was charged" in _timeout_during("create checkout session")


def test_a_decline_is_marked_as_certain():
    async def run():
        async with stripe_errors("create charge"):
            raise stripe.CardError("Your card was declined.", "source", "card_declined")
    with pytest.raises(PaymentError) as info:
        _run(run)
    assert info.value.declined is True


def test_the_in_memory_counters_are_cleaned_up_rarely_not_after_every_hit(limits):
    """limits' memory storage walks all its keys in a new thread 10 ms after any hit; the shop's does it at most
    every EXPIRY_EVERY seconds (a pass over 10,000 keys costs about 14 ms of the interpreter)."""
    lim = ratelimit.limiter()
    storage = lim.storage
    storage.timer.join()  # the pass the library schedules when it is made
    passes = []
    clean = storage._MemoryStorage__expire_events
    storage._MemoryStorage__expire_events = lambda: (passes.append(1), clean())
    item = ratelimit.parse("3/10 minutes")
    for i in range(20):
        assert lim.hit(item, f"tab-{i}")
        storage.timer.join()  # whatever this hit scheduled has run
    assert len(passes) == 1  # the first hit's; the library's own storage makes 20

    # a pass still frees what expired: entries only ever count while their window lasts
    for entry in storage.events[item.key_for("tab-0")]:
        entry.expiry = entry.atime = 0.0
    assert lim.test(item, "tab-0")
    storage.next_pass = 0.0  # EXPIRY_EVERY has passed
    lim.hit(item, "tab-20")
    storage.timer.join()
    assert len(passes) == 2
    assert item.key_for("tab-0") not in storage.events and storage.events[item.key_for("tab-1")]  # no key left behind
