"""The offline Stripe sandbox as a real subprocess, shared by the contract tests (conftest.py)
and the browser tests (conftest_pages.py).

Starts `python -m stripe_sandbox --host 127.0.0.1 --port 0 [extra args]`, waits for the first
stdout line `stripe-sandbox listening on http://HOST:PORT` and exposes the URL plus the
test-only `/_sandbox/*` endpoints.
"""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LISTEN_PREFIX = "stripe-sandbox listening on "
START_TIMEOUT = 15.0


class SandboxProcess:
    """One `python -m stripe_sandbox` subprocess on a free loopback port."""

    def __init__(self, *extra_args: str):
        self.args = [sys.executable, "-m", "stripe_sandbox", "--host", "127.0.0.1", "--port", "0", *extra_args]
        self._stderr = tempfile.TemporaryFile(mode="w+b")
        self.proc = subprocess.Popen(
            self.args,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        lines: queue.Queue[bytes] = queue.Queue()

        def drain() -> None:  # keep reading so a chatty server can never block on a full pipe
            assert self.proc.stdout is not None
            for line in iter(self.proc.stdout.readline, b""):
                lines.put(line)
            lines.put(b"")

        threading.Thread(target=drain, name="sandbox-stdout", daemon=True).start()
        try:
            first = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace").rstrip("\r\n")
        except queue.Empty:
            self.stop()
            raise RuntimeError(f"sandbox printed nothing within {START_TIMEOUT}s: {self.stderr_text()}")
        if not first.startswith(LISTEN_PREFIX):
            self.stop()
            raise RuntimeError(f"unexpected first stdout line {first!r}; stderr: {self.stderr_text()}")
        self.first_line = first
        self.url = first[len(LISTEN_PREFIX):].strip().rstrip("/")

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def reset(self) -> None:
        r = httpx.post(f"{self.url}/_sandbox/reset", timeout=10)
        assert r.status_code == 200, r.text

    def set_config(self, **config) -> None:
        r = httpx.post(f"{self.url}/_sandbox/config", json=config, timeout=10)
        assert r.status_code == 200, r.text

    def deliveries(self) -> list[dict]:
        r = httpx.get(f"{self.url}/_sandbox/deliveries", timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    def three_d_secure(self, pi_id: str, outcome: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/_sandbox/payment_intents/{pi_id}/three_d_secure", json={"outcome": outcome}, timeout=10
        )

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """terminate, then kill if it has not exited within 5 s; safe to call twice."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
