"""Socket.IO shoppers for the benchmarks: each one is a websocket speaking Reflex's event protocol, the way a
browser tab does. Runs as its own process (the orchestrator starts one or more), so the generator's CPU is
measured apart from the server's and one process can't stall the other. Prints one JSON line.

    python bench/loadgen_ws.py --url http://127.0.0.1:3000 --event <CartState.add full name> \
        --products 1,2,3 --shoppers 50 --rate 10 --seconds 20

--rate 0 is a closed loop: each shopper sends its next event as soon as the previous one is answered (saturation).
--mode checkout sends `set cart token` + `start` per iteration (tokens of prepared carts, one per line in
--tokens-file) and times `start` until the redirect arrives.
Engine.IO v4 framing (open `0`, ping `2`/pong `3`, namespace connect `40/_event,`, event `42/_event,[…]`) is written
here over the `websockets` library; it is all a Reflex tab needs.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

from websockets.asyncio.client import connect

NS = "/_event"
ROUTER = {"pathname": "/", "query": {}, "asPath": "/"}


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Shopper:
    """One tab: a socket, a FIFO of send times, and a reader that closes the oldest one per completed event."""

    def __init__(self, url: str, done_when: str):
        self.base = url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
        self.done_when = done_when  # "toast": the update carrying the cart's toast; "redirect": a redirect event
        self.pending: collections.deque[float] = collections.deque()
        self.latencies: list[float] = []
        self.ok = self.failed = 0
        self.idle = asyncio.Event()
        self.ws = None
        self.reader = None
        self.last_error = ""

    async def open(self) -> None:
        uri = f"{self.base}{NS}/?EIO=4&transport=websocket&token={uuid.uuid4()}"
        self.ws = await connect(uri, compression=None, max_size=None, ping_interval=None, open_timeout=30)
        first = await self.ws.recv()
        if not first.startswith("0"):
            raise RuntimeError(f"unexpected engine.io open: {first[:80]}")
        await self.ws.send(f"40{NS},")
        while not (await self.ws.recv()).startswith(f"40{NS}"):
            pass
        self.reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        if self.ws:
            await self.ws.close()

    async def emit(self, name: str, payload: dict, timed: bool = True) -> None:
        msg = json.dumps(["event", {"name": name, "payload": payload, "router_data": ROUTER}])
        if timed:
            self.pending.append(time.perf_counter())
            self.idle.clear()
        await self.ws.send(f"42{NS},{msg}")

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg == "2":
                await self.ws.send("3")
                continue
            if not msg.startswith(f"42{NS},"):
                continue
            now = time.perf_counter()
            name, update = json.loads(msg[len(NS) + 3:])[:2]
            if name != "event" or not isinstance(update, dict):
                continue
            if not self.pending:
                continue
            if self.done_when == "redirect":
                events = update.get("events") or []
                if not events:
                    continue
                text = json.dumps(events)
                success = '"_redirect"' in text or "window.location" in text
            else:  # an add is answered by the update carrying the cart's new flash (its toast)
                flash = next((d["flash_rx_state_"] for d in (update.get("delta") or {}).values()
                              if isinstance(d, dict) and "flash_rx_state_" in d), None)
                if flash is None:
                    continue
                text = json.dumps(flash)
                success = flash.get("level") == "success"
            if not success and len(self.last_error) == 0:
                self.last_error = text[:300]
            self.latencies.append((now - self.pending.popleft()) * 1000)
            if success:
                self.ok += 1
            else:
                self.failed += 1
            if not self.pending:
                self.idle.set()


async def run_add(args, shoppers: list[Shopper], stop_at: float) -> None:
    products = [int(p) for p in args.products.split(",")]
    per_cart = len(products) * 90  # each line stays under the 99 limit
    reset = {"vars": {args.token_var: ""}} if args.token_var else None

    async def one(i: int, sh: Shopper) -> None:
        n = i  # shoppers start on different products
        period = 1 / args.rate if args.rate else 0
        next_at = time.perf_counter() + (period * i / max(1, len(shoppers)) if period else 0)
        sent = 0
        while time.perf_counter() < stop_at:
            if sent and sent % per_cart == 0 and reset:
                await sh.idle.wait()
                await sh.emit(args.vars_event, reset, timed=False)  # a fresh cart (no line may pass 99)
            await sh.emit(args.event, {"product_id": products[n % len(products)], "quantity": 1})
            n += 1
            sent += 1
            if period:
                next_at += period
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                while len(sh.pending) >= args.max_pending:  # like a shopper waiting for the page to answer
                    await asyncio.sleep(0.005)
            else:
                await sh.idle.wait()

    await asyncio.gather(*(one(i, sh) for i, sh in enumerate(shoppers)))


async def run_checkout(args, shoppers: list[Shopper], stop_at: float) -> None:
    with open(args.tokens_file) as f:
        tokens = [t.strip() for t in f if t.strip()]
    it = iter(tokens)

    async def one(sh: Shopper) -> None:
        while time.perf_counter() < stop_at:
            token = next(it, None)
            if token is None:
                return
            await sh.emit(args.vars_event, {"vars": {args.token_var: token}}, timed=False)
            await sh.emit(args.event, {})
            await sh.idle.wait()

    await asyncio.gather(*(one(sh) for sh in shoppers))


async def main_async(args) -> dict:
    shoppers = [Shopper(args.url, "redirect" if args.mode == "checkout" else "toast") for _ in range(args.shoppers)]
    sem = asyncio.Semaphore(20)

    async def open_one(sh):
        async with sem:
            await sh.open()

    await asyncio.gather(*(open_one(sh) for sh in shoppers))
    if args.mode == "add":  # each tab's first event makes its state and its cart: a visit's start, not a click
        products = [int(p) for p in args.products.split(",")]

        async def warm(i: int, sh: Shopper) -> None:
            async with sem:
                await sh.emit(args.event, {"product_id": products[(i + len(products) - 1) % len(products)],
                                           "quantity": 1})
                await sh.idle.wait()
            sh.latencies.clear()
            sh.ok = sh.failed = 0

        await asyncio.gather(*(warm(i, sh) for i, sh in enumerate(shoppers)))
    if args.start_at:
        await asyncio.sleep(max(0.0, args.start_at - time.time()))
    cpu0, t0 = cpu_self(), time.perf_counter()
    stop_at = t0 + args.seconds
    if args.mode == "checkout":
        await run_checkout(args, shoppers, stop_at)
    else:
        await run_add(args, shoppers, stop_at)
    sent_end = time.perf_counter()
    try:  # let answers to what was sent arrive (bounded)
        await asyncio.wait_for(asyncio.gather(*(sh.idle.wait() for sh in shoppers if sh.pending)), 10)
    except asyncio.TimeoutError:
        pass
    elapsed = time.perf_counter() - t0
    result = {
        "shoppers": args.shoppers,
        "seconds": sent_end - t0,
        "elapsed": elapsed,
        "ok": sum(sh.ok for sh in shoppers),
        "failed": sum(sh.failed for sh in shoppers),
        "unanswered": sum(len(sh.pending) for sh in shoppers),
        "latencies_ms": [round(x, 3) for sh in shoppers for x in sh.latencies],
        "client_cpu_s": cpu_self() - cpu0,
        "error_sample": next((sh.last_error for sh in shoppers if sh.last_error), ""),
    }
    await asyncio.gather(*(sh.close() for sh in shoppers), return_exceptions=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--event", required=True, help="full name of the event handler to call")
    ap.add_argument("--mode", choices=["add", "checkout"], default="add")
    ap.add_argument("--products", default="1")
    ap.add_argument("--shoppers", type=int, default=1)
    ap.add_argument("--rate", type=float, default=0, help="events/s per shopper; 0 = closed loop")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--start-at", type=float, default=0, help="wall-clock time to start at (after connecting)")
    ap.add_argument("--vars-event", default="", help="full name of Reflex's update_vars_internal handler")
    ap.add_argument("--token-var", default="", help="full name of the cart-token client-storage var")
    ap.add_argument("--tokens-file", default="")
    ap.add_argument("--max-pending", type=int, default=5,
                    help="open loop: a shopper stops clicking while this many adds are unanswered (bounds the backlog)")
    ap.add_argument("--out", default="", help="write the result (JSON) to this file instead of stdout")
    args = ap.parse_args()
    try:
        import uvloop  # the cheaper loop: more of the machine left for the server

        result = uvloop.run(main_async(args))
    except ImportError:
        result = asyncio.run(main_async(args))
    if args.out:  # a file: a pipe once cut the long line at 64 KiB (the loop leaves stdout non-blocking)
        Path(args.out).write_text(json.dumps(result))
        return
    os.set_blocking(sys.stdout.fileno(), True)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
