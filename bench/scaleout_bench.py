#!/usr/bin/env python
"""Throughput of the production topology (a script, not a test): one instance, and two instances behind nginx,
sharing PostgreSQL and Redis, started exactly as the topology test starts them (tests/topology/stack.py).
Needs PostgreSQL and Redis running and nginx installed.

Load: bench/loadgen_ws.py shoppers (Reflex's websocket protocol, like browser tabs) adding to their carts in a
closed loop (next add as soon as the previous one is answered), for --seconds; each add is a cart update in
PostgreSQL plus the state round trip through Redis. Then (--checkout-shoppers, 0 to skip) checkout creation the
way `bench/run_all.py` measures it for one process: closed-loop shoppers starting Checkout on prepared carts (the
pending order in PostgreSQL and a Checkout Session against the sandbox). Run once with REFLEX_OPLOCK_ENABLED=true
and once without. Prints rates and latency per setup and writes JSON (--json, default var/bench/scaleout.json).
Loopback only.

    .venv/bin/python bench/scaleout_bench.py [--seconds 10] [--shoppers 32] [--checkout-shoppers 8] \
        [--oplock both|on|off]
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import sqlalchemy  # noqa: E402

PG_ADMIN = os.environ.get("RXSHOP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("RXSHOP_TEST_REDIS", "redis://127.0.0.1:6379")
_handlers: dict = {}


def loop_lag(ports: list[int], token: str) -> dict[str, float]:
    """rxshop_event_loop_lag_seconds summed over the instances (from their /api/metrics)."""
    import urllib.request

    total = {"sum": 0.0, "count": 0.0, "le_0.01": 0.0}
    for port in ports:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/metrics",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            for line in resp.read().decode().splitlines():
                if line.startswith("rxshop_event_loop_lag_seconds_sum "):
                    total["sum"] += float(line.split()[-1])
                elif line.startswith("rxshop_event_loop_lag_seconds_count "):
                    total["count"] += float(line.split()[-1])
                elif line.startswith('rxshop_event_loop_lag_seconds_bucket{le="0.01"}'):
                    total["le_0.01"] += float(line.split()[-1])
    return total


def run(oplock: bool, args) -> dict:
    from run_all import fmt_ws, ws_run

    from tests.topology.stack import Topology

    admin = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"rxshop_bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'create database "{name}"'))
    db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    topo = Topology(Path(tempfile.mkdtemp(prefix="rxshop-bench-")), db_url,
                    f"{REDIS.rstrip('/')}/{1 + secrets.randbelow(15)}")
    topo.env["REFLEX_OPLOCK_ENABLED"] = "true" if oplock else "false"
    topo.env["RXSHOP_METRICS_TOKEN"] = token = secrets.token_hex(8)
    # the load generators start orders far faster than a shopper may
    topo.env.update(RXSHOP_ORDER_LIMIT_CLIENT="1000000/minute", RXSHOP_ORDER_LIMIT_IP="1000000/minute")
    results = {}
    try:
        topo.start()
        if not _handlers:  # the same in every run (same seed); Reflex keeps its first engine for the process
            os.environ["REFLEX_DB_URL"] = db_url
            from fixtures import names

            _handlers.update(names())
        handlers = _handlers
        setups = {"one instance": (f"http://127.0.0.1:{topo.ports[0]}", topo.instances[topo.ports[0]].proc.pid),
                  "two instances behind nginx": (topo.url, None)}
        for label, (url, pid) in setups.items():
            ws_run(url, handlers, None, 4, 0, 1)  # warm up
            lag0 = loop_lag(topo.ports, token)
            r = ws_run(url, handlers, pid, args.shoppers, 0, args.seconds)
            lag = {k: loop_lag(topo.ports, token)[k] - lag0[k] for k in lag0}
            r["loop_lag_mean_ms"] = lag["sum"] * 1000 / lag["count"] if lag["count"] else 0.0
            r["loop_lag_over_10ms"] = 1 - lag["le_0.01"] / lag["count"] if lag["count"] else 0.0
            results[label] = {k: r[k] for k in ("per_s", "p50_ms", "p99_ms", "ok", "failed", "unanswered",
                                                "server_cpu", "client_cpu", "loop_lag_mean_ms",
                                                "loop_lag_over_10ms")}
            results[label]["load_average_1m"] = round(os.getloadavg()[0], 1)  # a shared machine shows here
            print(f"oplock {'on ' if oplock else 'off'} | {label:27s} | {fmt_ws(r)} | event loop late by "
                  f"{r['loop_lag_mean_ms']:.1f} ms on average, >10 ms in {r['loop_lag_over_10ms']:.0%} of probes"
                  f" | load average {os.getloadavg()[0]:.1f}", flush=True)
            if getattr(args, "checkout_shoppers", 0):
                tokens = Path(tempfile.mkdtemp(prefix="rxshop-bench-")) / "carts.txt"
                subprocess.run([sys.executable, str(HERE / "fixtures.py"), "carts", str(int(1000 * args.seconds)),
                                str(tokens)], cwd=ROOT, env={**os.environ, "REFLEX_DB_URL": db_url}, check=True)
                c = ws_run(url, handlers, pid, args.checkout_shoppers, 0, args.seconds, mode="checkout",
                           tokens_file=str(tokens))
                results[label]["checkout"] = {k: c[k] for k in ("shoppers", "per_s", "p50_ms", "p99_ms", "ok",
                                                                "failed", "unanswered", "server_cpu", "client_cpu")}
                print(f"oplock {'on ' if oplock else 'off'} | {label:27s} | checkout creation, "
                      f"{args.checkout_shoppers} shoppers: {fmt_ws(c)}", flush=True)
    finally:
        topo.stop()
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--shoppers", type=int, default=32)
    ap.add_argument("--checkout-shoppers", type=int, default=8, help="0: no checkout run")
    ap.add_argument("--oplock", choices=["both", "on", "off"], default="both")
    ap.add_argument("--json", default=str(ROOT / "var" / "bench" / "scaleout.json"))
    args = ap.parse_args()
    out = {"cpus": os.cpu_count(), "shoppers": args.shoppers, "checkout_shoppers": args.checkout_shoppers,
           "seconds": args.seconds, "closed_loop": True, "runs": {}}
    for oplock in {"both": [True, False], "on": [True], "off": [False]}[args.oplock]:
        out["runs"]["oplock_" + ("on" if oplock else "off")] = run(oplock, args)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2))
    print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
