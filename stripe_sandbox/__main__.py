"""CLI: python -m stripe_sandbox --port 12111"""
from __future__ import annotations

import argparse
import os
import socket
import sys

from .config import SandboxConfig


def parse_args(argv=None) -> SandboxConfig:
    ap = argparse.ArgumentParser(prog="python -m stripe_sandbox", description="Offline Stripe test-mode sandbox")
    ap.add_argument("--host", default="127.0.0.1", help="bind address (default loopback only)")
    ap.add_argument("--secret-key", default="sk_test_sandbox", help="the only secret key accepted")
    ap.add_argument("--publishable-key", default="pk_test_sandbox", help="the only publishable key accepted")
    ap.add_argument("--port", type=int, default=12111, help="0 picks a free port")
    ap.add_argument("--public-url", default=None, help="browser-facing base URL (default http://HOST:PORT)")
    ap.add_argument("--state-file", default=None, help="JSON file to load state from and save it to (debounced)")
    ap.add_argument("--webhook-url", action="append", default=[], help="webhook endpoint (repeatable, pairs with "
                                                                       "--webhook-secret)")
    ap.add_argument("--webhook-secret", action="append", default=[], help="whsec_... signing secret for the "
                                                                          "matching --webhook-url")
    ap.add_argument("--webhook-delay", type=float, default=0.0, help="seconds before the first delivery attempt")
    ap.add_argument("--retry-schedule", choices=("test", "live"), default="test",
                    help="Stripe's retry schedule for failed deliveries: test mode (3 retries over ~2.5 h) or live "
                         "(up to 3 days)")
    ap.add_argument("--time-factor", type=float, default=float(os.environ.get("STRIPE_SANDBOX_TIME_FACTOR", 1.0)),
                    help="multiply every retry delay (0.001: 5 minutes become 0.3 s; env STRIPE_SANDBOX_TIME_FACTOR)")
    ap.add_argument("--max-attempts", type=int, default=20, help="cap on attempts per event and endpoint")
    ap.add_argument("--messy-webhooks", type=int, metavar="SEED",
                    default=int(os.environ["STRIPE_SANDBOX_MESSY_WEBHOOKS"])
                    if os.environ.get("STRIPE_SANDBOX_MESSY_WEBHOOKS") else None,
                    help="deliver some events twice and some late (out of order), choices made by SEED "
                         "(env STRIPE_SANDBOX_MESSY_WEBHOOKS); off by default")
    ap.add_argument("--messy-max-delay", type=float, default=1.0, help="longest hold-back in messy mode, seconds")
    ap.add_argument("--webhook-timeout", type=float, default=5.0)
    ap.add_argument("--processing-seconds", type=float, default=0.0,
                    help="test-only: succeeding card payments stay `processing` for S seconds before they settle "
                         "(0 = succeed at once)")
    ap.add_argument("--log-level", default="warning")
    a = ap.parse_args(argv)
    if a.processing_seconds < 0 or a.time_factor < 0 or a.messy_max_delay < 0:
        ap.error("--processing-seconds, --time-factor and --messy-max-delay must be >= 0")
    if not a.secret_key.startswith("sk_test_") or not a.publishable_key.startswith("pk_test_"):
        ap.error("--secret-key must start with sk_test_ and --publishable-key with pk_test_")
    if len(a.webhook_url) != len(a.webhook_secret):
        ap.error("--webhook-url and --webhook-secret must come in pairs")
    cfg = SandboxConfig(host=a.host, port=a.port, public_url=a.public_url, state_file=a.state_file,
                        webhooks=list(zip(a.webhook_url, a.webhook_secret)), webhook_delay=a.webhook_delay,
                        retry_schedule=a.retry_schedule, time_factor=a.time_factor,
                        max_attempts=a.max_attempts, messy_seed=a.messy_webhooks, messy_max_delay=a.messy_max_delay,
                        webhook_timeout=a.webhook_timeout,
                        processing_seconds=a.processing_seconds, secret_key=a.secret_key,
                        publishable_key=a.publishable_key)
    cfg.log_level = a.log_level  # type: ignore[attr-defined]
    return cfg


def main(argv=None) -> None:
    cfg = parse_args(argv)
    family = socket.AF_INET6 if ":" in cfg.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((cfg.host, cfg.port))
    except OSError as e:
        print(f"stripe-sandbox: cannot bind {cfg.host}:{cfg.port}: {e}", file=sys.stderr, flush=True)
        sys.exit(2)
    sock.listen(2048)
    sock.set_inheritable(True)
    cfg.port = sock.getsockname()[1]

    import uvicorn

    from .app import create_app

    app = create_app(cfg)
    host = f"[{cfg.host}]" if family == socket.AF_INET6 else cfg.host
    print(f"stripe-sandbox listening on http://{host}:{cfg.port}", flush=True)
    if cfg.messy_seed is not None:
        print(f"stripe-sandbox: messy webhook delivery, seed {cfg.messy_seed} (replay with --messy-webhooks "
              f"{cfg.messy_seed})", file=sys.stderr, flush=True)
    import importlib.util
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    # State only grows (objects are kept for the life of the process): fewer, cheaper GC passes keep tail latency low.
    import gc
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
    server = uvicorn.Server(uvicorn.Config(app, loop=loop, http=http, lifespan="on", access_log=False,
                                           log_level=cfg.log_level, server_header=False, date_header=False,
                                           timeout_graceful_shutdown=2))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
