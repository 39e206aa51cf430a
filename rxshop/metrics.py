"""Prometheus metrics at /api/metrics (prometheus-client).

Counted where things happen: webhook outcomes and their latency, event handler latency, event loop lag.
Read from the database at scrape time: orders and payments by status, the email outbox's backlog (the same numbers
on every instance). Several worker processes share counters through PROMETHEUS_MULTIPROC_DIR (scripts/serve.py
sets it); without it, one process's own registry.
The route answers only with `Authorization: Bearer $RXSHOP_METRICS_TOKEN`; without that variable it is off (404).
"""
from __future__ import annotations

import asyncio
import hmac
import os
import re
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

WEBHOOK_SECONDS = Histogram("rxshop_webhook_seconds", "Stripe webhook handling time by event type and outcome",
                            ["type", "outcome"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENT_SECONDS = Histogram("rxshop_event_handler_seconds", "Reflex event handler time (websocket events)",
                          ["handler"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))

LOOP_LAG_SECONDS = Histogram("rxshop_event_loop_lag_seconds",
                             "How late the event loop runs a timer: work blocking the loop (sync DB calls) shows here",
                             buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1))
LAG_INTERVAL = 0.25  # seconds between probes

_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_known_handlers: set[str] = set()


def handler_label(event_name: str) -> str:
    """The handler's method name; anything odd, or past 200 distinct names, is `other` (the browser picks names)."""
    name = event_name.rsplit(".", 1)[-1]
    if not _HANDLER.match(name) or (name not in _known_handlers and len(_known_handlers) >= 200):
        return "other"
    _known_handlers.add(name)
    return name


class DatabaseCollector(Collector):
    """Orders and payments by status, counted in the database when scraped."""

    def collect(self):
        from sqlalchemy import func
        from sqlmodel import select

        from .db import session
        from .models import Order, OutboxEmail, Payment
        from .models.base import utcnow

        orders = GaugeMetricFamily("rxshop_orders", "Orders by status", labels=["status"])
        payments = GaugeMetricFamily("rxshop_payments", "Payments by status", labels=["status"])
        emails = GaugeMetricFamily("rxshop_outbox_emails", "Outbox emails by status (queued = backlog)",
                                   labels=["status"])
        oldest = GaugeMetricFamily("rxshop_outbox_oldest_queued_seconds", "Age of the oldest email still queued")
        with session() as s:
            for status, count in s.exec(select(Order.status, func.count()).group_by(Order.status)):
                orders.add_metric([status], count)
            for status, count in s.exec(select(Payment.status, func.count()).group_by(Payment.status)):
                payments.add_metric([status], count)
            for status, count in s.exec(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)):
                emails.add_metric([status], count)
            first = s.exec(select(func.min(OutboxEmail.created_at)).where(OutboxEmail.status == "queued")).one()
        if first is not None and first.tzinfo is None:  # SQLite gives naive UTC back
            from datetime import timezone

            first = first.replace(tzinfo=timezone.utc)
        oldest.add_metric([], (utcnow() - first).total_seconds() if first is not None else 0.0)
        yield from (orders, payments, emails, oldest)


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        reg = CollectorRegistry()
        for collector in (WEBHOOK_SECONDS, EVENT_SECONDS, LOOP_LAG_SECONDS):
            reg.register(collector)
    reg.register(DatabaseCollector())
    return reg


def authorized(header: str | None) -> bool | None:
    """None: metrics are off (no token configured); else whether the bearer token matches."""
    token = os.environ.get("RXSHOP_METRICS_TOKEN", "")
    if not token:
        return None
    given = (header or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


def exposition() -> tuple[bytes, str]:
    return generate_latest(registry()), CONTENT_TYPE_LATEST


async def watch_event_loop() -> None:
    """Lifespan task: sleep a fixed interval and record how much later than asked the loop woke up."""
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(LAG_INTERVAL)
        LOOP_LAG_SECONDS.observe(max(0.0, loop.time() - start - LAG_INTERVAL))


_event_observers: dict = {}  # event name -> its histogram child's observe (a label lookup per event costs more)


class EventTimer:
    """Reflex middleware: an event's time from its preprocess until its task ends, per handler. Reflex 0.10 runs
    each websocket event in an asyncio task of its own and no longer calls a middleware's `postprocess`, so the
    end is the task's done callback (a background event's time includes its whole job, the Stripe call too)."""

    async def preprocess(self, app, state, event):
        task = asyncio.current_task()
        if task is not None:
            observe = _event_observers.get(event.name)
            if observe is None:
                observe = _event_observers[event.name] = EVENT_SECONDS.labels(handler_label(event.name)).observe
                if len(_event_observers) > 1000:  # forged names: forget them (their labels are already bounded)
                    _event_observers.clear()
            start = time.perf_counter()
            task.add_done_callback(lambda _t: observe(time.perf_counter() - start))
        return None

    async def postprocess(self, app, state, event, update):
        return update
