"""`make run`: start what the shop needs in development, then the shop itself (production build, one port).

Reads `.env` (if present) under the real environment. Without Stripe keys it starts the offline Stripe sandbox
and points the shop at it; with only some of them it refuses to start and says which are missing.
Ctrl-C stops everything.
"""
from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import frontend  # noqa: E402
from dotenv import dotenv_values  # noqa: E402

from rxshop import routes  # noqa: E402
from rxshop.settings import stripe_config_problem  # noqa: E402
from scripts import processes  # noqa: E402


def start(proc: processes.Process, listening: str = "") -> processes.Process:
    """Start it; a server that says where it listens is waited for (with a timeout) before the next one starts."""
    print(f"[run] starting {proc.name}: {' '.join(proc.cmd)}", flush=True)
    proc.start()
    if listening:
        proc.wait_first_line(30, listening)
    return proc


def sandbox_webhook_secret() -> str:
    """One signing secret per checkout, kept in var/ (the sandbox keeps its endpoints in its state file)."""
    path = ROOT / "var" / "sandbox-webhook-secret"
    if not path.exists():
        path.write_text("whsec_" + secrets.token_hex(24))
    return path.read_text().strip()


def environment() -> dict[str, str]:
    """The real environment over `.env` (a file of KEY=value lines in the project folder, never committed)."""
    dotenv = ROOT / ".env"
    values = {k: v for k, v in dotenv_values(dotenv).items() if v is not None} if dotenv.exists() else {}
    return {**values, **os.environ}


def main() -> int:
    env = environment()
    problem = stripe_config_problem(env)
    if problem:
        print(f"[run] refusing to start: {problem}", file=sys.stderr, flush=True)
        return 2
    port = env.setdefault("RXSHOP_PORT", "3000")
    env.setdefault("RXSHOP_BASE_URL", f"http://localhost:{port}")
    procs: list[processes.Process] = []

    (ROOT / "var").mkdir(exist_ok=True)
    try:
        if not env.get("STRIPE_SECRET_KEY"):
            sandbox_port = env.setdefault("RXSHOP_SANDBOX_PORT", "12111")
            secret = env.setdefault("STRIPE_WEBHOOK_SECRET", sandbox_webhook_secret())
            env.setdefault("STRIPE_API_BASE", f"http://localhost:{sandbox_port}")
            env.setdefault("STRIPE_JS_URL", f"http://localhost:{sandbox_port}/v3/")
            env.setdefault("STRIPE_SECRET_KEY", "sk_test_sandbox")
            env.setdefault("STRIPE_PUBLISHABLE_KEY", "pk_test_sandbox")
            procs.append(start(processes.sandbox(
                "--port", sandbox_port, "--public-url", env["STRIPE_API_BASE"],
                "--state-file", str(ROOT / "var" / "stripe-sandbox.json"),
                "--webhook-url", f"http://localhost:{port}{routes.API_STRIPE_WEBHOOK}", "--webhook-secret", secret,
                "--secret-key", env["STRIPE_SECRET_KEY"], "--publishable-key", env["STRIPE_PUBLISHABLE_KEY"],
                env=env), processes.SANDBOX_LISTENING))

        if not env.get("SMTP_HOST"):  # no mail server configured: a local sink keeps every email in var/mail/
            env["SMTP_HOST"] = "127.0.0.1"
            env.setdefault("SMTP_PORT", "8025")
            sink = processes.mail_sink(int(env["SMTP_PORT"]), ROOT / "var" / "mail", env=env)
            sink.name = "mail sink (emails in var/mail/)"
            procs.append(start(sink, "mail-sink listening on "))

        # The frontend is built only when its sources (or the catalog prerendered into it) changed; the shop then
        # starts in about a second. One worker without Redis runs as a single process (least memory).
        built = frontend.ensure_built(env, port)
        print(f"[run] frontend: {'built' if built else 'up to date, not rebuilt'}", flush=True)
        serve = [str(processes.BIN / "python"), "scripts/serve.py", "--port", port]
        if not env.get("REFLEX_REDIS_URL"):
            serve.append("--single-process")
        shop = start(processes.Process(serve, name=f"rxshop on http://localhost:{port}", env=env))
        procs.append(shop)
    except (OSError, RuntimeError, TimeoutError) as exc:
        print(f"[run] {exc}", file=sys.stderr, flush=True)
        for p in procs:
            p.stop()
        return 1

    def stop(*_):
        for p in procs:
            p.stop(timeout=15)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.running for p in procs):
            time.sleep(0.5)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop()
    return shop.proc.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
