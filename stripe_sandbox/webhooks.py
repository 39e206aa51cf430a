"""Signed, asynchronous, retried webhook delivery (at least once)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from datetime import datetime, timezone

import httpx

from .sandbox import Sandbox


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class Dispatcher:
    def __init__(self, sandbox: Sandbox):
        self.sb = sandbox
        self.deliveries: list[dict] = []
        self.tasks: set[asyncio.Task] = set()
        self._client: httpx.AsyncClient | None = None
        sandbox.on_event = self.enqueue

    def reset(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        self.tasks.clear()
        self.deliveries.clear()

    def enqueue(self, rec: dict, endpoints: list[dict]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:       # no loop (e.g. state mutated from a thread): nothing to deliver with
            return
        for we in endpoints:
            task = loop.create_task(self._deliver(rec, we["id"], we["url"]))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            cfg = self.sb.config
            self._client = httpx.AsyncClient(timeout=cfg.webhook_timeout, trust_env=False)
        return self._client

    async def aclose(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _deliver(self, rec: dict, we_id: str, url: str) -> None:
        cfg = self.sb.config
        if cfg.webhook_delay > 0:
            await asyncio.sleep(cfg.webhook_delay)
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
                "attempt": attempt, "status_code": status, "error": error,
                "delivered_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            })
            if ok:
                rec["pending"] = max(0, rec["pending"] - 1)
                return
            if attempt >= cfg.max_attempts:
                return
            await asyncio.sleep(cfg.retry_base * 2 ** (attempt - 1))
