#!/usr/bin/env python
"""Throughput benchmark of the offline Stripe sandbox (a script, not a test).

Starts `python -m stripe_sandbox --port 0` (one process, so at most one core's worth of
Python), then for --seconds runs --concurrency clients on one asyncio loop, each doing
PaymentIntent create + confirm (pm_card_visa) in a loop, and prints the number of
create+confirm pairs, pairs/s, p50/p99 latency per pair, and the CPU seconds the server
used (from /proc), so per-core throughput is explicit. Loopback traffic only.

    .venv/bin/python bench/sandbox_bench.py [--seconds 10] [--concurrency 12] [--url URL]
                                            [--client raw|httpx|stripe]

--url benchmarks an already running sandbox instead (server CPU is then not reported).
--client picks the load generator: a minimal keep-alive HTTP/1.1 client on asyncio streams
(default: cheapest, so the single server process, not the client, is the bottleneck),
httpx.AsyncClient, or stripe-python's *_async methods (same server work, much more client CPU).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts import processes  # noqa: E402

SK = "sk_test_sandbox"


def start_sandbox(extra: list[str]) -> tuple[processes.Process, str]:
    proc = processes.sandbox("--host", "127.0.0.1", "--port", "0", *extra, output=Path(os.devnull))
    return proc, processes.start_sandbox(proc, timeout=20)


def cpu_seconds(pid: int) -> float:
    """utime+stime of the process and its threads (and reaped children), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


async def worker_httpx(url: str, stop_at: float, latencies: list[float], errors: list[str], n: int):
    headers = {"Authorization": f"Bearer {SK}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as c:
        i = 0
        while time.perf_counter() < stop_at:
            i += 1
            t0 = time.perf_counter()
            r = await c.post("/v1/payment_intents", data={
                "amount": str(1000 + i % 500), "currency": "usd", "payment_method_types[]": "card",
                "metadata[worker]": str(n)})
            if r.status_code != 200:
                errors.append(f"create {r.status_code} {r.text[:200]}")
                continue
            pi = r.json()["id"]
            r = await c.post(f"/v1/payment_intents/{pi}/confirm", data={"payment_method": "pm_card_visa"})
            if r.status_code != 200 or r.json().get("status") != "succeeded":
                errors.append(f"confirm {r.status_code} {r.text[:200]}")
                continue
            latencies.append(time.perf_counter() - t0)


class RawHTTP:
    """Minimal keep-alive HTTP/1.1 client on asyncio streams: far cheaper per request than httpx,
    so one client core can saturate the single-process server."""

    def __init__(self, url: str):
        u = httpx.URL(url)
        self.host, self.port = u.host, u.port or 80
        self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = urlencode(form or {}).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {SK}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            data = b"".join(chunks)
        else:
            raise RuntimeError("response without length")
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.reader = self.writer = None
        return status, data

    async def close(self):
        if self.writer is not None:
            self.writer.close()


async def worker_raw(url: str, stop_at: float, latencies: list[float], errors: list[str], n: int):
    c = RawHTTP(url)
    i = 0
    try:
        while time.perf_counter() < stop_at:
            i += 1
            t0 = time.perf_counter()
            st, body = await c.request("POST", "/v1/payment_intents", {
                "amount": str(1000 + i % 500), "currency": "usd", "payment_method_types[]": "card",
                "metadata[worker]": str(n)})
            if st != 200:
                errors.append(f"create {st} {body[:200]!r}")
                continue
            pi = json.loads(body)["id"]
            st, body = await c.request("POST", f"/v1/payment_intents/{pi}/confirm", {"payment_method": "pm_card_visa"})
            if st != 200 or json.loads(body).get("status") != "succeeded":
                errors.append(f"confirm {st} {body[:200]!r}")
                continue
            latencies.append(time.perf_counter() - t0)
    finally:
        await c.close()


async def worker_stripe(url: str, stop_at: float, latencies: list[float], errors: list[str], n: int):
    import stripe

    c = stripe.StripeClient(SK, base_addresses={"api": url}, max_network_retries=0)
    i = 0
    while time.perf_counter() < stop_at:
        i += 1
        t0 = time.perf_counter()
        try:
            pi = await c.v1.payment_intents.create_async(params={
                "amount": 1000 + i % 500, "currency": "usd", "payment_method_types": ["card"]})
            pi = await c.v1.payment_intents.confirm_async(pi.id, params={"payment_method": "pm_card_visa"})
            if pi.status != "succeeded":
                errors.append(f"status {pi.status}")
                continue
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(repr(exc)[:200])
            continue
        latencies.append(time.perf_counter() - t0)


WORKERS = {"raw": worker_raw, "httpx": worker_httpx, "stripe": worker_stripe}
CLIENT_NAMES = {"raw": "raw asyncio HTTP/1.1 keep-alive", "httpx": "httpx.AsyncClient",
                "stripe": "stripe-python *_async"}


async def run(url: str, seconds: float, concurrency: int, client: str):
    worker = WORKERS[client]
    latencies: list[float] = []
    errors: list[str] = []
    # short warm-up so connection setup / first-request imports are not measured
    await asyncio.gather(*[worker(url, time.perf_counter() + 0.5, [], [], n) for n in range(concurrency)])
    start = time.perf_counter()
    await asyncio.gather(*[worker(url, start + seconds, latencies, errors, n) for n in range(concurrency)])
    return latencies, errors, time.perf_counter() - start


def pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, default=12)
    ap.add_argument("--url", help="benchmark an already running sandbox")
    ap.add_argument("--client", choices=sorted(WORKERS), default="raw",
                    help="load generator: raw asyncio HTTP (default, cheapest), httpx.AsyncClient, or "
                         "stripe-python *_async (client CPU then dominates on a 2-core machine)")
    args = ap.parse_args()
    args.seconds = max(1.0, min(args.seconds, 300.0))

    proc = None
    url = args.url
    if not url:
        proc, url = start_sandbox([])
    try:
        httpx.post(f"{url}/_sandbox/reset", timeout=10)
        cpu0 = cpu_seconds(proc.proc.pid) if proc else None
        latencies, errors, elapsed = asyncio.run(run(url, args.seconds, args.concurrency, args.client))
        cpu1 = cpu_seconds(proc.proc.pid) if proc else None
    finally:
        if proc:
            proc.stop(timeout=5)

    lat = sorted(latencies)
    pairs = len(lat)
    rate = pairs / elapsed if elapsed else 0.0
    print(f"sandbox: {url}  client: {CLIENT_NAMES[args.client]}  "
          f"concurrency: {args.concurrency}  duration: {elapsed:.2f} s")
    print(f"pairs (PaymentIntent create + confirm pm_card_visa): {pairs}  errors: {len(errors)}")
    print(f"throughput: {rate:.1f} pairs/s  ({2 * rate:.1f} requests/s)")
    if lat:
        print(f"latency per pair: p50 {pct(lat, 50) * 1000:.2f} ms  p99 {pct(lat, 99) * 1000:.2f} ms  "
              f"mean {statistics.fmean(lat) * 1000:.2f} ms  max {lat[-1] * 1000:.2f} ms")
    if cpu0 is not None:
        used = cpu1 - cpu0
        print(f"server CPU: {used:.2f} s over {elapsed:.2f} s wall = {used / elapsed:.2f} cores busy; "
              f"{pairs / used if used else float('nan'):.1f} pairs per server CPU-second")
    for e in errors[:5]:
        print(f"  error: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
