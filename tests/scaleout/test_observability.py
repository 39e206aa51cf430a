"""Structured logs (order number and event id, no card data or secrets) and Prometheus metrics (token-protected,
orders and payments by status from the database, webhook outcomes, several processes summed)."""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest
import sqlalchemy
from starlette.testclient import TestClient

from rxshop import logs, metrics, migrations


def json_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    logger = logging.getLogger(name)
    logger.handlers = [logs.make_handler(out, "json")]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def test_json_log_lines_carry_order_number_and_event_id():
    logger, out = json_logger("rxshop.test.bound")
    with logs.bound(event_id="evt_123", order_number="RX-ABCDEF"):
        logger.info("webhook %s handled", "payment_intent.succeeded")
    logger.info("outside")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["message"] == "webhook payment_intent.succeeded handled"
    assert first["event_id"] == "evt_123" and first["order_number"] == "RX-ABCDEF"
    assert first["level"] == "INFO" and first["logger"] == "rxshop.test.bound" and "time" in first
    assert "event_id" not in second


def test_logs_never_carry_card_numbers_or_secrets():
    live_key = "sk_" + "live_abcDEF123"  # built at run time: no key-shaped literal in the repo
    logger, out = json_logger("rxshop.test.scrub")
    try:
        raise ValueError("card 4242 4242 4242 4242 refused, key " + live_key)
    except ValueError:
        logger.exception("failed with %s and %s", "whsec_s3cr3t", "postgresql+psycopg://shop:pw123@db/shop")
    logger.info("Authorization: Bearer tok_abc.def and 4000000000000002")
    text = out.getvalue()
    for secret in ("4242 4242 4242 4242", live_key, "whsec_s3cr3t", "pw123", "tok_abc.def",
                   "4000000000000002"):
        assert secret not in text
    assert "[card]" in text and "[secret-key]" in text and "[webhook-secret]" in text and "[password]" in text
    assert "pi_3Abc" in logs.scrub("payment pi_3Abc for RX-ABCDEF")  # ids stay readable


@pytest.fixture
def shop_db(monkeypatch, tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path}/m.db")
    migrations.upgrade(engine)
    with engine.begin() as conn:
        for i, status in enumerate(["paid", "paid", "pending"]):
            conn.execute(sqlalchemy.text(
                'insert into "order" (number, access_token, status, flow, email, currency, total_cents, '
                "refunded_cents, watch_token, note, created_at, updated_at) values "
                "(:n, 't', :s, 'checkout', '', 'usd', 100, 0, '', '', '2026-01-01', '2026-01-01')"),
                {"n": f"RX-AAAAA{i + 2}", "s": status})
        for order_id, status in ((1, "sent"), (2, "queued"), (3, "queued")):
            conn.execute(sqlalchemy.text(
                "insert into outboxemail (order_id, kind, \"to\", subject, message, status, attempts, "
                "next_attempt_at, last_error, created_at) values (:o, 'receipt', 'b@example.com', '', 'm', :s, 0, "
                ":t, '', :t)"), {"o": order_id, "s": status, "t": "2026-01-01 00:00:00"})
    from rxshop import db

    monkeypatch.setattr(db, "get_engine", lambda: engine)
    return engine


def test_metrics_need_the_token_and_count_orders_by_status(monkeypatch, shop_db):
    from rxshop.api import api

    client = TestClient(api)
    monkeypatch.delenv("RXSHOP_METRICS_TOKEN", raising=False)
    assert client.get("/api/metrics").status_code == 404  # off without a token
    monkeypatch.setenv("RXSHOP_METRICS_TOKEN", "s3cret-token")
    assert client.get("/api/metrics").status_code == 401
    assert client.get("/api/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    client.post("/api/stripe/webhook", content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"})
    r = client.get("/api/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200
    assert 'rxshop_orders{status="paid"} 2.0' in r.text and 'rxshop_orders{status="pending"} 1.0' in r.text
    assert 'rxshop_webhook_seconds_count{outcome="invalid",type="unknown"}' in r.text
    assert "rxshop_event_handler_seconds" in r.text
    assert 'rxshop_outbox_emails{status="queued"} 2.0' in r.text
    assert 'rxshop_outbox_emails{status="sent"} 1.0' in r.text
    age = next(ln for ln in r.text.splitlines() if ln.startswith("rxshop_outbox_oldest_queued_seconds "))
    age = float(age.split()[-1])
    assert age > 3600  # queued since 2026-01-01


def test_forged_event_names_do_not_grow_metric_labels():
    assert metrics.handler_label("reflex___state____state.rxshop___cart_state.add") == "add"
    assert metrics.handler_label("x.add; drop table") == "other"
    assert metrics.handler_label("x." + "a" * 200) == "other"


def test_worker_processes_share_counters(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    observe = ("from rxshop import metrics; "
               "metrics.WEBHOOK_SECONDS.labels('charge.succeeded', 'processed').observe(0.01)")
    for _ in range(2):  # two workers
        subprocess.run([sys.executable, "-c", observe], env=env, check=True)
    count = ("from rxshop import metrics; from prometheus_client import CollectorRegistry, multiprocess; "
             "reg = CollectorRegistry(); multiprocess.MultiProcessCollector(reg); "
             "print(reg.get_sample_value('rxshop_webhook_seconds_count', "
             "{'type': 'charge.succeeded', 'outcome': 'processed'}))")
    out = subprocess.run([sys.executable, "-c", count], env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "2.0"


def test_event_loop_lag_shows_blocking_work():
    import asyncio
    import time

    def count() -> float:
        samples = metrics.LOOP_LAG_SECONDS.collect()[0].samples
        return next(s.value for s in samples if s.name.endswith("_sum"))  # total lag seen

    async def main():
        probe = asyncio.create_task(metrics.watch_event_loop())
        await asyncio.sleep(0.05)
        before = count()
        time.sleep(0.4)  # a blocking call on the loop (what a sync database call does)
        await asyncio.sleep(metrics.LAG_INTERVAL + 0.05)
        probe.cancel()
        return count() - before

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # its own thread: Playwright may hold an event loop in this one
        assert pool.submit(asyncio.run, main()).result() >= 0.1
