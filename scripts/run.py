"""`make run`: start what the shop needs in development, then the shop itself (production build, one port).

Reads `.env` (if present) under the real environment. Without Stripe keys it starts the offline Stripe sandbox
and points the shop at it; with only some of them it refuses to start and says which are missing.
Ctrl-C stops everything.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import frontend  # noqa: E402
from dotenv import dotenv_values  # noqa: E402

from rxshop.settings import stripe_config_problem  # noqa: E402


def start(cmd: list[str], env: dict, name: str) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(cmd)}", flush=True)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


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
    procs: list[subprocess.Popen] = []

    (ROOT / "var").mkdir(exist_ok=True)
    if not env.get("STRIPE_SECRET_KEY"):
        sandbox_port = env.setdefault("RXSHOP_SANDBOX_PORT", "12111")
        secret = env.setdefault("STRIPE_WEBHOOK_SECRET", sandbox_webhook_secret())
        env.setdefault("STRIPE_API_BASE", f"http://localhost:{sandbox_port}")
        env.setdefault("STRIPE_JS_URL", f"http://localhost:{sandbox_port}/v3/")
        env.setdefault("STRIPE_SECRET_KEY", "sk_test_sandbox")
        env.setdefault("STRIPE_PUBLISHABLE_KEY", "pk_test_sandbox")
        procs.append(start([str(BIN / "python"), "-m", "stripe_sandbox", "--port", sandbox_port,
                            "--public-url", env["STRIPE_API_BASE"],
                            "--state-file", str(ROOT / "var" / "stripe-sandbox.json"),
                            "--webhook-url", f"http://localhost:{port}/api/stripe/webhook",
                            "--webhook-secret", secret,
                            "--secret-key", env["STRIPE_SECRET_KEY"],
                            "--publishable-key", env["STRIPE_PUBLISHABLE_KEY"]], env, "Stripe sandbox"))

    if not env.get("SMTP_HOST"):  # no mail server configured: a local sink keeps every email in var/mail/
        env["SMTP_HOST"] = "127.0.0.1"
        env.setdefault("SMTP_PORT", "8025")
        procs.append(start([str(BIN / "python"), "scripts/mail_sink.py", "--port", env["SMTP_PORT"],
                            "--dir", str(ROOT / "var" / "mail")], env, "mail sink (emails in var/mail/)"))

    # The frontend is built only when its sources (or the catalog prerendered into it) changed; the shop then
    # starts in about a second. One worker without Redis runs as a single process (least memory).
    built = frontend.ensure_built(env, port)
    print(f"[run] frontend: {'built' if built else 'up to date, not rebuilt'}", flush=True)
    serve = [str(BIN / "python"), "scripts/serve.py", "--port", port]
    if not env.get("REFLEX_REDIS_URL"):
        serve.append("--single-process")
    shop = start(serve, env, f"rxshop on http://localhost:{port}")
    procs.append(shop)

    def stop(*_):
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
    return shop.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
