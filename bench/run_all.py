"""`make bench`: every speed measure of the shop in one run, one table (also written as JSON to var/bench.json).

    python bench/run_all.py                 # everything (about 6-8 minutes on 2 cores, including one frontend build)
    python bench/run_all.py --quick         # tiny durations: checks the harness, the numbers mean nothing
    python bench/run_all.py --skip browser,multi --seconds 5
    python bench/run_all.py --url http://127.0.0.1:3000 --db-url sqlite:///…   # a running shop (no start/memory)

It starts its own stack on free ports with a throwaway SQLite database: the Stripe sandbox, a mail sink and the
shop (started like `make run`: frontend built once, one process), then measures pages, websocket add-to-cart,
checkout creation, adds beside checkouts, the framework's floor, the Django original re-created (bench/original),
the browser, memory and cold start; then the scale-out mode (PostgreSQL +
Redis, one instance and two behind nginx: bench/scaleout_bench.py). Load generators run in their own processes
(bench/loadgen_*.py) and their CPU is reported beside the server's. Prints numbers, asserts nothing: the machine may
be shared, so compare numbers within one run.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import procs  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import frontend  # noqa: E402
from scripts import processes  # noqa: E402
from tests.e2e.server import MailSink, Sandbox, ShopServer  # noqa: E402

PY = sys.executable
# Targets of issue 12 (the Django original's numbers from its side-by-side run, and the framework's floor); the
# re-created original's rows (bench/original_bench.py) give the original's numbers in the same run.
TARGETS = {
    "pages": "≥ 1,000 req/s",
    "ws_1": "p50 ≤ 1.0 ms",
    "ws_50": "p99 ≤ 30 ms",
    "ws_200": "≥ 1,900/s, p99 ≤ 150 ms",
    "ws_sat": "≥ 1,900 adds/s",
    "checkout": "≥ 759/s, p50 ≤ 10.3 ms",
    "nav": "≤ 189 ms", "fcp": "≤ 134 ms", "click": "p50 ≤ 15 ms", "leave": "~14 ms",
    "mem_idle": "≤ 200 MB", "mem_200": "≤ 250 MB", "cold": "≤ 1.0 s",
    # issue 13: a product page paints like the catalog; Lighthouse scores
    "product_nav": "same as the catalog", "lighthouse": "≥ 90 each",
}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def run_json(cmd: list[str], env: dict | None = None, timeout: float = 600) -> dict:
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class Stack:
    """Sandbox + mail sink + shop on free ports, with a throwaway SQLite database (or the given env). The shop starts
    the way `make run` starts it: the frontend built once (scripts/frontend.py), then scripts/serve.py."""

    def __init__(self, workdir: Path, extra_env: dict | None = None, port: int | None = None, workers: int = 1):
        secret = "whsec_" + secrets.token_hex(16)
        self.mail = MailSink(workdir)
        self.shop = ShopServer(workdir, {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.mail.port),
                                         "STRIPE_SECRET_KEY": "sk_test_sandbox",
                                         "STRIPE_PUBLISHABLE_KEY": "pk_test_sandbox",
                                         "STRIPE_WEBHOOK_SECRET": secret,
                                         # the load generators start orders far faster than a shopper may
                                         "RXSHOP_ORDER_LIMIT_CLIENT": "1000000/minute",
                                         "RXSHOP_ORDER_LIMIT_IP": "1000000/minute", **(extra_env or {})})
        if port:  # reuse a port the frontend was already built for
            self.shop.port, self.shop.url = port, f"http://127.0.0.1:{port}"
            self.shop.env["RXSHOP_BASE_URL"] = self.shop.url
        self.workers = workers
        self.sandbox = Sandbox(workdir, self.shop.url + "/api/stripe/webhook", secret)
        self.started: list = []

    def start(self, build: bool = True) -> None:
        self.started = []
        self.mail.start()
        self.started.append(self.mail)
        self.sandbox.start()
        self.started.append(self.sandbox)
        self.shop.env.update({"STRIPE_API_BASE": self.sandbox.url, "STRIPE_JS_URL": self.sandbox.url + "/v3/"})
        self.shop.prepare()  # migrate + seed
        if build:
            frontend.ensure_built(self.shop.env, self.shop.port)
        self.launch()
        self.started.append(self.shop)

    def launch(self) -> float:
        """Start the shop; seconds to its first 200 on /."""
        t0 = time.perf_counter()
        self.shop.process = processes.Process(start_cmd(self.shop, self.workers), name="rxshop", env=self.shop.env,
                                              output=self.shop.log).start()
        return first_200(self.shop.url + "/", self.shop.process, t0)

    def stop(self) -> None:
        for p in reversed(self.started):
            p.stop()


def start_cmd(shop: ShopServer, workers: int = 1) -> list[str]:
    """How `make run` starts the shop (scripts/run.py): one process for one worker, Granian workers otherwise."""
    cmd = [PY, "scripts/serve.py", "--host", "127.0.0.1", "--port", str(shop.port)]
    if workers == 1:
        return cmd + ["--single-process"]
    return cmd + (["--workers", str(workers)] if workers else [])  # 0: Reflex's choice


def first_200(url: str, proc: processes.Process, t0: float, timeout: float = 300) -> float:
    while time.perf_counter() - t0 < timeout:
        if not proc.running:
            raise RuntimeError("the shop exited during start")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.01)
    raise TimeoutError(url)


def cold_start(stack: Stack, runs: int) -> dict:
    """Stop the shop, start it again exactly as the stack did (frontend already built), time to the first 200 on /;
    each time also the bare Reflex app of bench/floor, served the same way, so the shop's own share shows."""
    times, floor = [], []
    for _ in range(runs):
        stack.shop.stop()
        floor.append(floor_start())
        times.append(stack.launch())
    return {"runs_s": times, "median_s": statistics.median(times), "command": " ".join(start_cmd(stack.shop)[1:]),
            "floor_runs_s": floor, "floor_median_s": statistics.median(floor)}


def floor_start() -> float:
    """Seconds from starting bench/floor's app to its first 200 (on /ping: it has no pages)."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([PY, str(HERE / "floor" / "serve_floor.py"), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_200(f"http://127.0.0.1:{port}/ping", proc, poll=0.01)
        return time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)


def pages(url: str, server_pid: int | None, paths: dict[str, str], seconds: float, method: str = "GET") -> dict:
    """8 keep-alive connections per path (a server that closes each one pays a connect per request, as under wrk)."""
    out = {}
    for label, path in paths.items():
        cpu0 = procs.cpu_s(server_pid) if server_pid else 0.0
        r = run_json([PY, str(HERE / "loadgen_http.py"), "--url", url, "--paths", path, "--connections", "8",
                      "--seconds", str(seconds), "--gzip", "--method", method])
        lat = r.pop("latencies_ms")
        cpu = procs.cpu_s(server_pid) - cpu0 if server_pid else None
        out[label] = {"path": path, "req_s": r["requests"] / r["elapsed"], "p50_ms": pct(lat, 50),
                      "p99_ms": pct(lat, 99), "non_200": r["non_200"],
                      "client_cpu": r["client_cpu_s"] / r["elapsed"],
                      "server_cpu": cpu / r["elapsed"] if cpu is not None else None,
                      "server_ms_per_request": cpu * 1000 / max(1, r["requests"]) if cpu is not None else None}
    return out


def settle(pid: int | None, timeout: float = 60) -> None:
    """Wait until the server is idle (under 10 % of a core for a second): the previous run's work is done."""
    if not pid:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cpu0 = procs.cpu_s(pid)
        time.sleep(1)
        if procs.cpu_s(pid) - cpu0 < 0.1:
            return


def ws_run(url: str, names: dict, server_pid: int | None, shoppers: int, rate: float, seconds: float,
           generators: int = 1, mode: str = "add", tokens_file: str = "", sample_rss: bool = False,
           idle_first: bool = True) -> dict:
    """Shoppers split over `generators` processes that start together after connecting (`idle_first`: once the
    server is idle)."""
    if idle_first:
        settle(server_pid)
    connect_time = 1 + shoppers * 0.03  # connect and warm every shopper before the clock starts
    start_at = time.time() + connect_time
    per = [shoppers // generators + (1 if i < shoppers % generators else 0) for i in range(generators)]
    cmds = []
    for i, n in enumerate(per):
        cmd = [PY, str(HERE / "loadgen_ws.py"), "--url", url, "--mode", mode, "--shoppers", str(n),
               "--rate", str(rate), "--seconds", str(seconds), "--start-at", str(start_at),
               "--vars-event", names["vars"], "--token-var", names["token_var"],
               "--products", ",".join(map(str, names["products"]))]
        if mode == "checkout":
            part = Path(tokens_file).read_text().split()[i::generators]
            pf = Path(tokens_file + f".{i}")
            pf.write_text("\n".join(part))
            cmd += ["--event", names["checkout"], "--tokens-file", str(pf)]
        else:
            cmd += ["--event", names["add"]]
        cmds.append(cmd)
    outs = [Path(tempfile.mkstemp(prefix="rxshop-loadgen-", suffix=".json")[1]) for _ in cmds]
    gens = [subprocess.Popen([*c, "--out", str(o)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for c, o in zip(cmds, outs)]
    time.sleep(max(0.0, start_at - time.time()))
    cpu0 = procs.cpu_s(server_pid) if server_pid else 0.0
    loop0 = procs.loop_cpu_s(server_pid) if server_pid else None
    rss = []
    if sample_rss and server_pid:
        time.sleep(seconds / 2)
        rss.append(procs.rss_mb(server_pid))
        time.sleep(seconds / 2)
    else:
        time.sleep(seconds)
    cpu = procs.cpu_s(server_pid) - cpu0 if server_pid else None
    loop1 = procs.loop_cpu_s(server_pid) if server_pid else None
    loop_cpu = loop1 - loop0 if loop0 is not None and loop1 is not None else None
    results = []
    for g, o in zip(gens, outs):
        out, err = g.communicate(timeout=120)
        text = o.read_text()
        o.unlink()
        if g.returncode != 0 or not text:
            raise RuntimeError(f"load generator failed:\n{err[-2000:]}")
        results.append(json.loads(text))
    lat = [x for r in results for x in r["latencies_ms"]]
    span = max(r["seconds"] for r in results)
    done = sum(r["ok"] + r["failed"] for r in results)
    return {
        "shoppers": shoppers, "rate_per_shopper": rate, "seconds": span, "generators": generators,
        "ok": sum(r["ok"] for r in results), "failed": sum(r["failed"] for r in results),
        "unanswered": sum(r["unanswered"] for r in results), "per_s": done / span if span else 0,
        "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "max_ms": max(lat) if lat else None,
        "server_cpu": cpu / span if cpu is not None and span else None,
        "server_ms_per_event": cpu * 1000 / done if cpu is not None and done else None,
        # the event loop's thread alone: at 100 % of a core it is what limits one process
        "loop_cpu": loop_cpu / span if loop_cpu is not None and span else None,
        "loop_ms_per_event": loop_cpu * 1000 / done if loop_cpu is not None and done else None,
        "client_cpu": sum(r["client_cpu_s"] for r in results) / span if span else None,
        "rss_mb": rss[0] if rss else None,
        "error_sample": next((r["error_sample"] for r in results if r["error_sample"]), ""),
    }


def fmt_ws(r: dict) -> str:
    s = f"{r['per_s']:,.0f}/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.1f} ms"
    if r.get("server_cpu") is not None:
        s += f"; server {r['server_cpu'] * 100:.0f}% CPU ({r['server_ms_per_event']:.2f} ms/event"
        if r.get("loop_ms_per_event") is not None:
            s += f"; event loop thread {r['loop_cpu'] * 100:.0f}%, {r['loop_ms_per_event']:.2f} ms/event"
        s += ")"
    s += f", generator {r['client_cpu'] * 100:.0f}%"
    if r["failed"] or r["unanswered"]:
        s += f"; {r['failed']} failed, {r['unanswered']} unanswered"
    return s


def measure_shop(url: str, names: dict, pid: int | None, a, env: dict, workdir: Path, res: dict, rows: list,
                 prefix: str = "") -> None:
    """Websocket and checkout measures against one running shop."""
    if "ws" not in a.skip:
        section(rows, prefix + "add to cart", lambda: _ws_all(url, names, pid, a, res, rows, prefix))
    if "checkout" not in a.skip:
        section(rows, prefix + "checkout", lambda: _checkout(url, names, pid, a, env, workdir, res, rows, prefix))
    if "mixed" not in a.skip:
        section(rows, prefix + "adds beside checkouts", lambda: _mixed(url, names, pid, a, env, workdir, res, rows,
                                                                      prefix))


def _ws_all(url: str, names: dict, pid: int | None, a, res: dict, rows: list, prefix: str) -> None:
    q, sec = a.quick, a.seconds
    r = ws_run(url, names, pid, 1, 0, sec)
    res[prefix + "ws_1"] = r
    rows.append((prefix + "add to cart, 1 shopper (sequential)", fmt_ws(r), TARGETS["ws_1"]))
    r = ws_run(url, names, pid, 5 if q else 50, 10, sec)
    res[prefix + "ws_50"] = r
    rows.append((prefix + f"add to cart, {r['shoppers']} shoppers × 10/s", fmt_ws(r), TARGETS["ws_50"]))
    r = ws_run(url, names, pid, 10 if q else 200, 10, sec, generators=1 if q else 2, sample_rss=True)
    res[prefix + "ws_200"] = r
    rows.append((prefix + f"add to cart, {r['shoppers']} shoppers × 10/s", fmt_ws(r), TARGETS["ws_200"]))
    if r["rss_mb"] is not None:
        res[prefix + "mem_200_mb"] = r["rss_mb"]
        rows.append((prefix + f"memory with {r['shoppers']} shoppers (RSS of the tree)", f"{r['rss_mb']:.0f} MB",
                     TARGETS["mem_200"]))
    r = ws_run(url, names, pid, 5 if q else 50, 0, sec)
    res[prefix + "ws_sat"] = r
    rows.append((prefix + f"add to cart, saturation ({r['shoppers']} closed-loop shoppers)", fmt_ws(r),
                 TARGETS["ws_sat"]))


def _fresh_carts(a, env: dict, workdir: Path, name: str) -> Path:
    """Carts with one line each for checkout shoppers, new for each run: a used one would reuse its order."""
    tokens = workdir / f"carts-{name}.txt"
    count = 50 if a.quick else int(1000 * a.seconds)
    subprocess.run([PY, str(HERE / "fixtures.py"), "carts", str(count), str(tokens)], cwd=ROOT, env=env, check=True)
    return tokens


def _checkout(url: str, names: dict, pid: int | None, a, env: dict, workdir: Path, res: dict, rows: list,
              prefix: str) -> None:
    q, sec = a.quick, a.seconds
    for shoppers in [2] if q else a.checkout_shoppers:
        tokens = _fresh_carts(a, env, workdir, str(shoppers))
        r = ws_run(url, names, pid, shoppers, 0, sec, mode="checkout", tokens_file=str(tokens))
        res[prefix + ("checkout_8" if q else f"checkout_{shoppers}")] = r  # the quick run's 2 under the usual key
        who = f"{shoppers} shopper" + ("s" if shoppers != 1 else "")
        rows.append((prefix + f"checkout creation, {who} (order + Checkout Session)", fmt_ws(r),
                     TARGETS["checkout"] if q or shoppers == 8 else ""))  # the target is set at 8 shoppers


def _mixed(url: str, names: dict, pid: int | None, a, env: dict, workdir: Path, res: dict, rows: list,
           prefix: str) -> None:
    """What a sale does to browsing: 50 shoppers adding 10 times a second while 8 others check out without pause
    (the checkouts start first and outlast the adds). No server CPU reading: it would mix the two."""
    import threading

    q, sec = a.quick, a.seconds
    adders, buyers = (5, 2) if q else (50, 8)
    tokens = _fresh_carts(a, env, workdir, "mixed")
    settle(pid)
    out: dict = {}
    lead = 2 + adders * 0.03  # the adders' connecting time, and a margin
    buying = threading.Thread(target=lambda: out.update(r=ws_run(url, names, None, buyers, 0, sec + lead,
                                                                 mode="checkout", tokens_file=str(tokens),
                                                                 idle_first=False)))
    buying.start()
    try:
        r = ws_run(url, names, None, adders, 10, sec, idle_first=False)
    finally:
        buying.join()
    res[prefix + "mixed_adds"], res[prefix + "mixed_checkouts"] = r, out.get("r")
    rows.append((prefix + f"add to cart, {adders} shoppers × 10/s while {buyers} check out", fmt_ws(r), ""))
    if out.get("r"):
        rows.append((prefix + f"  checkout creation beside them, {buyers} shoppers", fmt_ws(out["r"]), ""))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_floor(a, res: dict, rows: list) -> None:
    """The framework's floor: a bare Reflex cart (bench/floor: lines in the tab's state, no database, no rules),
    served the same way and driven by the same load generator, so the shop's add is compared in the same run."""
    port = free_port()
    proc = subprocess.Popen([PY, str(HERE / "floor" / "serve_floor.py"), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        event = proc.stdout.readline().strip()
        url = f"http://127.0.0.1:{port}"
        _wait_200(url + "/ping", proc)
        names = {"add": event, "vars": "", "token_var": "", "products": [1, 2, 3]}
        q, sec = a.quick, a.seconds
        for key, label, shoppers, rate in (("floor_1", "1 shopper (sequential)", 1, 0),
                                           ("floor_200", "{} shoppers × 10/s", 10 if q else 200, 10),
                                           ("floor_sat", "saturation ({} closed-loop shoppers)", 5 if q else 50, 0)):
            r = ws_run(url, names, proc.pid, shoppers, rate, sec)
            res[key] = r
            rows.append((f"framework floor (bare Reflex cart, bench/floor): {label.format(shoppers)}", fmt_ws(r), ""))
        ours, floor = res.get("ws_sat"), res["floor_sat"]
        if ours and ours.get("server_ms_per_event") and floor.get("server_ms_per_event"):
            rows.append(("  the shop's add against the floor (saturation)",
                         f"{ours['per_s'] / floor['per_s'] * 100:.0f}% of its rate; server CPU per add "
                         f"{ours['server_ms_per_event'] / floor['server_ms_per_event']:.2f}× the floor's"
                         + (f", event loop thread per add {ours['loop_ms_per_event'] - floor['loop_ms_per_event']:+.2f} ms"
                            if ours.get("loop_ms_per_event") and floor.get("loop_ms_per_event") else ""),
                         "at the floor"))
    finally:
        proc.terminate()
        proc.wait(10)


def _wait_200(url: str, proc: subprocess.Popen, timeout: float = 60, poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the floor app exited during start")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(poll)
    raise TimeoutError(url)


def multi_worker(a, res: dict, rows: list) -> None:
    """The scale-out mode (PostgreSQL + Redis with oplock): one instance, and two behind nginx, as
    bench/scaleout_bench.py starts them (the topology test's stack); closed-loop add-to-cart throughput."""
    import scaleout_bench

    shoppers, buyers = (4, 2) if a.quick else (32, 8)
    runs = scaleout_bench.run(True, argparse.Namespace(seconds=a.seconds, shoppers=shoppers,
                                                       checkout_shoppers=buyers))
    res["multi"] = runs
    for label, r in runs.items():
        rows.append((f"scale-out, {label} (PostgreSQL + Redis, oplock), {shoppers} closed-loop shoppers",
                     f"{r['per_s']:,.0f} adds/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms", ""))
        c = r.get("checkout")
        if c:
            rows.append((f"  checkout creation there, {buyers} shoppers",
                         f"{c['per_s']:,.0f}/s, p50 {c['p50_ms']:.1f} ms, p99 {c['p99_ms']:.1f} ms"
                         + (f"; {c['failed']} failed, {c['unanswered']} unanswered"
                            if c["failed"] or c["unanswered"] else ""), ""))


def section(rows: list, name: str, fn) -> None:
    """Run one measure; a failure becomes a row of the table instead of ending the run."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the other measures still run
        rows.append((name, f"FAILED: {exc.__class__.__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}",
                     ""))


def memory_idle(url: str, pid: int, a, res: dict, rows: list) -> None:
    for _ in range(20):  # warm: pages and assets once
        urllib.request.urlopen(url + "/").read()
    time.sleep(1 if a.quick else 3)
    res["mem_idle_mb"], res["mem_idle_pss_mb"] = procs.rss_mb(pid), procs.pss_mb(pid)
    rows.append(("memory idle (RSS of the process tree)",
                 f"{res['mem_idle_mb']:.0f} MB (PSS {res['mem_idle_pss_mb']:.0f} MB, "
                 f"{len(procs.tree(pid))} processes)", TARGETS["mem_idle"]))


def measure_pages(url: str, pid: int | None, names: dict, a, res: dict, rows: list) -> None:
    res["pages"] = pages(url, pid, {"/": "/", "product page": f"/product/{names['slug']}"}, a.seconds)
    for label, r in res["pages"].items():
        cpu = f", server {r['server_cpu'] * 100:.0f}% CPU" if r["server_cpu"] is not None else ""
        rows.append((f"GET {label}, 8 connections",
                     f"{r['req_s']:,.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms{cpu}, "
                     f"generator {r['client_cpu'] * 100:.0f}%"
                     + (f"; {r['non_200']} not 200" if r["non_200"] else ""), TARGETS["pages"]))


def measure_original(orig, a, res: dict, rows: list) -> None:
    """The re-created Django original (bench/original_bench.py) under the same load, beside the shop's rows."""
    import original_bench

    settle(orig.pid)
    page = pages(orig.url, orig.pid, {"/": "/"}, a.seconds)["/"]
    settle(orig.pid)
    buy = pages(orig.url, orig.pid, {"checkout": original_bench.CHECKOUT_PATH}, a.seconds, "POST")["checkout"]
    res["original"] = {"page": page, "checkout": buy}
    for label, r in (("GET / (its product page)", page), ("POST create-checkout-session (a Checkout Session)", buy)):
        rows.append((f"the original re-created (bench/original), {label}, 8 connections",
                     f"{r['req_s']:,.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms; server "
                     f"{r['server_cpu'] * 100:.0f}% CPU ({r['server_ms_per_request']:.2f} ms/request), generator "
                     f"{r['client_cpu'] * 100:.0f}%" + (f"; {r['non_200']} not 200" if r["non_200"] else ""), ""))
    ours = res.get("checkout_8")
    if ours and buy["req_s"]:
        rows.append(("  the shop's checkout (8 shoppers) against the original's",
                     f"{ours['per_s'] / buy['req_s'] * 100:.0f}% of its rate; p50 {ours['p50_ms']:.1f} against "
                     f"{buy['p50_ms']:.1f} ms", "≥ 100%, p50 ≤ its p50"))


def measure_browser(url: str, a, res: dict, rows: list, pid: int | None = None, original: str = "") -> None:
    import storefront_bench

    settle(pid)

    b = storefront_bench.run(url, 3 if a.quick else 20, 6 if a.quick else 80, 1 if a.quick else 10, original)
    res["browser"] = b
    rows.append(("navigation → first product visible (median, Playwright side)",
                 f"{b['nav_median_ms']:.0f} ms (p90 {b['nav_p90_ms']:.0f})", TARGETS["nav"]))
    rows.append(("first contentful paint (median)", f"{b['fcp_median_ms']:.0f} ms (p90 {b['fcp_p90_ms']:.0f})",
                 TARGETS["fcp"]))
    if original:
        rows.append(("  the original re-created, its product page: name visible / FCP (median, same turns)",
                     f"{b['original_nav_median_ms']:.0f} / {b['original_fcp_median_ms']:.0f} ms (p90 "
                     f"{b['original_nav_p90_ms']:.0f} / {b['original_fcp_p90_ms']:.0f})", "the shop ≤ these"))
    rows.append(("click → cart badge (in page)", f"p50 {b['click_badge_median_ms']:.1f} ms, "
                 f"p99 {b['click_badge_p99_ms']:.1f} ms", TARGETS["click"]))
    rows.append(("  clicked from the page's script (no input event, so no wait for the frame after it)",
                 f"p50 {b['scripted_click_badge_median_ms']:.1f} ms, p99 {b['scripted_click_badge_p99_ms']:.1f} ms",
                 ""))
    rows.append((f"direct navigation to {b['product_page_path']} → name visible (median, Playwright side)",
                 f"{b['product_page_nav_median_ms']:.0f} ms (p90 {b['product_page_nav_p90_ms']:.0f}; catalog "
                 f"{b['nav_median_ms']:.0f}, p90 {b['nav_p90_ms']:.0f})", TARGETS["product_nav"]))
    rows.append(("  product page: first frame with the name laid out / first contentful paint (median)",
                 f"{b['product_page_frame_median_ms']:.0f} / {b['product_page_fcp_median_ms']:.0f} ms (p90 "
                 f"{b['product_page_frame_p90_ms']:.0f} / {b['product_page_fcp_p90_ms']:.0f}; catalog "
                 f"{b['product_frame_median_ms']:.0f} / {b['fcp_median_ms']:.0f}, p90 {b['frame_p90_ms']:.0f} / "
                 f"{b['fcp_p90_ms']:.0f})", TARGETS["product_nav"]))
    if b["checkout_leave_median_ms"] is not None:
        rows.append(("click on Checkout → leaving for the hosted page (in page)",
                     f"{b['checkout_leave_median_ms']:.1f} ms (clicked from the page's script "
                     f"{b['scripted_checkout_leave_median_ms']:.1f} ms)", TARGETS["leave"]))
    if b.get("original_leave_median_ms") is not None:
        rows.append(("  the original re-created: click on Checkout → leaving (its view's answer, then Stripe.js)",
                     f"{b['original_leave_median_ms']:.1f} ms (clicked from the page's script "
                     f"{b['original_scripted_leave_median_ms']:.1f} ms)", "the shop ≤ this"))


def measure_lighthouse(url: str, res: dict, rows: list) -> None:
    import lighthouse_bench

    if not lighthouse_bench.LIGHTHOUSE.exists():
        raise RuntimeError("no Lighthouse: `make bench` installs it (npm, into .tools/lighthouse)")
    res["lighthouse"] = lighthouse_bench.run(url, ["/", "/product/python-patterns-ebook"])
    for name, r in res["lighthouse"].items():
        below = [f"{cat}: {', '.join(titles)}" for cat, titles in r["failing"].items() if titles]
        rows.append((f"Lighthouse {name}", " / ".join(f"{k} {v}" for k, v in r["scores"].items())
                     + (f" (under 0.9: {'; '.join(below)})" if below else ""), TARGETS["lighthouse"]))


def measure_cold(stack: Stack, a, res: dict, rows: list) -> None:
    r = cold_start(stack, 1 if a.quick else 3)
    res["cold_start"] = r
    rows.append(("cold start to first 200 on / (frontend built)",
                 f"{r['median_s']:.2f} s (runs {', '.join(f'{x:.2f}' for x in r['runs_s'])})", TARGETS["cold"]))
    rows.append(("  a bare Reflex app (bench/floor) started the same way, to its first 200",
                 f"{r['floor_median_s']:.2f} s (runs {', '.join(f'{x:.2f}' for x in r['floor_runs_s'])}); the shop "
                 f"{r['median_s'] - r['floor_median_s']:.2f} s more", ""))


def git_rev() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny durations and loads (a smoke run)")
    ap.add_argument("--seconds", type=float, default=10, help="length of each load run")
    ap.add_argument("--skip", default="",
                    help="comma list of: pages,ws,checkout,mixed,floor,original,browser,lighthouse,memory,cold,"
                         "multi")
    ap.add_argument("--checkout-shoppers", default="8", type=lambda v: [int(x) for x in v.split(",")],
                    help="comma list of checkout runs' shopper counts, e.g. 1,8 (the target is set at 8)")
    ap.add_argument("--url", help="measure a running shop (skips memory, cold start and multi-worker)")
    ap.add_argument("--db-url", help="with --url: the shop's REFLEX_DB_URL (prepared carts for checkout)")
    ap.add_argument("--sandbox-url", help="with --url: the shop's Stripe sandbox (the original is measured against it)")
    ap.add_argument("--pid", type=int, help="with --url: the shop's process id (server CPU and memory)")
    ap.add_argument("--json", default=str(ROOT / "var" / "bench.json"))
    a = ap.parse_args()
    a.skip = set(filter(None, a.skip.split(",")))
    if a.quick:
        a.seconds = min(a.seconds, 1.0)
    if a.url:
        a.skip |= {"cold", "multi"} | (set() if a.pid else {"memory"})
    load = os.getloadavg()
    res: dict = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                 "cores": procs.cores(), "loadavg_at_start": load, "git": git_rev(), "seconds": a.seconds,
                 "quick": a.quick}
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="rxshop-bench-") as tmp:
        workdir = Path(tmp)
        stack = None
        if a.url:
            url, pid = a.url.rstrip("/"), a.pid
            env = {**os.environ, **({"REFLEX_DB_URL": a.db_url} if a.db_url else {})}
        else:
            print("[bench] starting the stack (builds the frontend once)…", flush=True)
            stack = Stack(workdir)
        try:
            if stack is not None:
                stack.start()
                url, pid, env = stack.shop.url, stack.shop.process.proc.pid, stack.shop.env
            names = run_json([PY, str(HERE / "fixtures.py"), "names"], env=env)
            if "memory" not in a.skip:
                section(rows, "memory idle", lambda: memory_idle(url, pid, a, res, rows))
            if "pages" not in a.skip:
                print("[bench] pages…", flush=True)
                section(rows, "pages", lambda: measure_pages(url, pid, names, a, res, rows))
            print("[bench] websocket shoppers and checkout…", flush=True)
            measure_shop(url, names, pid, a, env, workdir, res, rows)
            if "floor" not in a.skip:
                print("[bench] the framework's floor (a bare Reflex cart)…", flush=True)
                section(rows, "framework floor", lambda: measure_floor(a, res, rows))
            original = None
            sandbox_url = stack.sandbox.url if stack is not None else a.sandbox_url
            if "original" not in a.skip and sandbox_url:
                import original_bench

                print("[bench] the original, re-created (Django, gunicorn)…", flush=True)
                try:
                    original = original_bench.Original(sandbox_url, free_port()).start()
                    section(rows, "the original", lambda: measure_original(original, a, res, rows))
                except Exception as exc:  # noqa: BLE001 - the other measures still run
                    rows.append(("the original re-created", f"FAILED: {exc.__class__.__name__}: {exc}"[:200], ""))
                    original = None
            try:
                if "browser" not in a.skip:
                    print("[bench] Chromium…", flush=True)
                    section(rows, "browser", lambda: measure_browser(url, a, res, rows, pid,
                                                                     original.url + "/" if original else ""))
            finally:
                if original is not None:
                    original.stop()
            if "lighthouse" not in a.skip and not a.quick:
                print("[bench] Lighthouse…", flush=True)
                section(rows, "lighthouse", lambda: measure_lighthouse(url, res, rows))
            if "cold" not in a.skip:
                print("[bench] cold start…", flush=True)
                section(rows, "cold start", lambda: measure_cold(stack, a, res, rows))
        finally:
            if stack is not None:
                stack.stop()
        if "multi" not in a.skip:
            print("[bench] scale-out (PostgreSQL + Redis, one instance and two behind nginx)…", flush=True)
            section(rows, "scale-out", lambda: multi_worker(a, res, rows))
    res["table"], res["json"] = rows, a.json
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(res, indent=1, default=str))
    print_table(res, rows)
    return 0


def print_table(res: dict, rows: list) -> None:
    print()
    print(f"rxshop bench · {res['when']} · git {res['git']} · {res['cores']} cores · load average at start "
          f"{res['loadavg_at_start'][0]:.2f} · {res['seconds']:g} s per load run"
          + (" · QUICK (numbers meaningless)" if res["quick"] else ""))
    w1 = max(len(r[0]) for r in rows)
    w2 = max(len(r[1]) for r in rows)
    print(f"| {'measure'.ljust(w1)} | {'result'.ljust(w2)} | target |")
    print(f"|{'-' * (w1 + 2)}|{'-' * (w2 + 2)}|---|")
    for label, value, target in rows:
        print(f"| {label.ljust(w1)} | {value.ljust(w2)} | {target} |")
    print(f"(also in {res['json']})")


if __name__ == "__main__":
    sys.exit(main())
