"""`make run`: start what the shop needs in development, then the shop itself (production build, one port).

Without Stripe keys in the environment it starts the offline Stripe sandbox and points the shop at it.
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


def start(cmd: list[str], env: dict, name: str) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(cmd)}", flush=True)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def main() -> int:
    env = dict(os.environ)
    port = env.setdefault("RXSHOP_PORT", "3000")
    env.setdefault("RXSHOP_BASE_URL", f"http://localhost:{port}")
    procs: list[subprocess.Popen] = []

    if not env.get("STRIPE_SECRET_KEY") and (ROOT / "stripe_sandbox" / "__main__.py").exists():
        sandbox_port = env.setdefault("RXSHOP_SANDBOX_PORT", "12111")
        secret = env.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_" + secrets.token_hex(24))
        env.setdefault("STRIPE_API_BASE", f"http://localhost:{sandbox_port}")
        env.setdefault("STRIPE_JS_URL", f"http://localhost:{sandbox_port}/v3/")
        env.setdefault("STRIPE_SECRET_KEY", "sk_test_sandbox")
        env.setdefault("STRIPE_PUBLISHABLE_KEY", "pk_test_sandbox")
        procs.append(start([str(BIN / "python"), "-m", "stripe_sandbox", "--port", sandbox_port,
                            "--public-url", env["STRIPE_API_BASE"],
                            "--state-file", str(ROOT / "var" / "stripe-sandbox.json"),
                            "--webhook-url", f"http://localhost:{port}/api/stripe/webhook",
                            "--webhook-secret", secret], env, "Stripe sandbox"))
    (ROOT / "var").mkdir(exist_ok=True)

    shop = start([str(BIN / "reflex"), "run", "--env", "prod", "--frontend-port", port, "--backend-port", port],
                 env, f"rxshop on http://localhost:{port}")
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
