"""Signed, asynchronous webhook delivery, at least once and in no promised order, as Stripe does it.

Failed deliveries (non-2xx, timeout, no connection) are retried on Stripe's schedule (test mode: three retries over
a few hours; live: exponential backoff for up to three days), every delay multiplied by `time_factor` so tests see
the same shape compressed. In messy mode (a seed) some events are delivered twice and some held back a little, so
they arrive out of order; the same seed makes the same choices for the same sequence of events."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
import secrets
import time
from datetime import datetime, timezone

import httpx

from .sandbox import Sandbox

# seconds before each retry (https://docs.stripe.com/webhooks#retries: test mode retries three times over a few
# hours; live mode backs off exponentially for up to three days). Stripe does not publish exact intervals.
TEST_RETRIES = (300.0, 1800.0, 7200.0)
LIVE_RETRIES = (300.0, 600.0, 1200.0, 2400.0, 4800.0, 9600.0, 19200.0, 38400.0, 43200.0, 43200.0, 43200.0,
                43200.0)   # sums to ~2.9 days
SCHEDULES = {"test": TEST_RETRIES, "live": LIVE_RETRIES}

MESSY_DUPLICATE = 0.25     # share of events also delivered a second time
MESSY_HOLD = 0.35          # share of events held back (so later events overtake them)
_V0_KEY = secrets.token_bytes(32)   # test events' extra `v0=` signature: a scheme receivers must ignore


def sign(payload: str, secret: str, timestamp: int | None = None, test_mode: bool = True) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.{payload}".encode()
    header = f"t={t},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"
    if test_mode:
        header += f",v0={hmac.new(_V0_KEY, signed, hashlib.sha256).hexdigest()}"
    return header


class Dispatcher:
    def __init__(self, sandbox: Sandbox):
        self.sb = sandbox
        self.deliveries: list[dict] = []
        self.tasks: set[asyncio.Task] = set()
        self._client: httpx.AsyncClient | None = None
        self.rng = random.Random(sandbox.config.messy_seed)
        sandbox.on_event = self.enqueue

    def reset(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        self.tasks.clear()
        self.deliveries.clear()
        self.reset_rng()

    def reset_rng(self) -> None:
        """Messy choices start over: the same seed and events give the same deliveries."""
        self.rng = random.Random(self.sb.config.messy_seed)

    def retry_delays(self) -> tuple[float, ...]:
        cfg = self.sb.config
        return tuple(d * cfg.time_factor for d in SCHEDULES[cfg.retry_schedule])[:max(0, cfg.max_attempts - 1)]

    def enqueue(self, rec: dict, endpoints: list[dict]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:       # no loop (e.g. state mutated from a thread): nothing to deliver with
            return
        cfg = self.sb.config
        for we in endpoints:
            plans = [(cfg.webhook_delay, None)]
            if cfg.messy_seed is not None:
                plans = self._messy_plans(cfg.webhook_delay)
            for delay, note in plans:
                task = loop.create_task(self._deliver(rec, we["id"], we["url"], delay, note))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    def _messy_plans(self, base: float) -> list[tuple[float, str | None]]:
        """(delay before the first attempt, note) for each copy of one event to one endpoint."""
        cfg, rng = self.sb.config, self.rng
        hold, dup = rng.random() < MESSY_HOLD, rng.random() < MESSY_DUPLICATE
        first = base + (rng.uniform(0.2, 1.0) * cfg.messy_max_delay if hold else 0.0)
        plans = [(first, "held back" if hold else None)]
        if dup:
            plans.append((first + rng.uniform(0.1, 1.0) * cfg.messy_max_delay, "duplicate"))
        return plans

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.sb.config.webhook_timeout, trust_env=False)
        return self._client

    async def aclose(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _deliver(self, rec: dict, we_id: str, url: str, delay: float, note: str | None) -> None:
        cfg = self.sb.config
        if delay > 0:
            await asyncio.sleep(delay)
        retries = self.retry_delays()
        attempt = 0
        while True:
            attempt += 1
            secret = self.sb.webhook_secrets.get(we_id)
            if secret is None:             # endpoint deleted meanwhile
                return
            body = self.sb.render_event(rec)
            headers = {"Content-Type": "application/json; charset=utf-8",
                       "Stripe-Signature": sign(body, secret),
                       "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                       "Cache-Control": "no-cache", "Accept": "*/*; q=0.5, application/xml"}
            status, error = None, None
            try:
                resp = await self.client.post(url, content=body.encode(), headers=headers,
                                              timeout=cfg.webhook_timeout)
                status = resp.status_code
                ok = 200 <= status < 300
                if not ok:
                    error = f"HTTP {status}"
            except httpx.TimeoutException:
                ok, error = False, "timeout"
            except httpx.HTTPError as e:
                ok, error = False, f"{type(e).__name__}: {e}"
            self.deliveries.append({
                "event_id": rec["id"], "event_type": rec["type"], "url": url, "webhook_endpoint": we_id,
                "attempt": attempt, "status_code": status, "error": error, "messy": note,
                "delivered_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            })
            if ok:
                if note != "duplicate":
                    rec["pending"] = max(0, rec["pending"] - 1)
                return
            if attempt > len(retries):
                return
            await asyncio.sleep(retries[attempt - 1])
