"""The offline Stripe sandbox as a real subprocess, shared by the contract tests (conftest.py)
and the browser tests (conftest_pages.py).

Starts `python -m stripe_sandbox --host 127.0.0.1 --port 0 [extra args]` through the project's process helper
(scripts/processes.py), waits for the first stdout line `stripe-sandbox listening on http://HOST:PORT` and exposes
the URL plus the test-only `/_sandbox/*` endpoints.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from scripts import processes

START_TIMEOUT = 15.0


class SandboxProcess:
    """One `python -m stripe_sandbox` subprocess on a free loopback port."""

    def __init__(self, *extra_args: str):
        self._output = Path(tempfile.mkstemp(prefix="stripe-sandbox-", suffix=".log")[1])
        self.process = processes.sandbox("--host", "127.0.0.1", "--port", "0", *extra_args, output=self._output)
        self.url = processes.start_sandbox(self.process, START_TIMEOUT)
        self.first_line = self.process.first_line
        self.proc = self.process.proc

    def stderr_text(self) -> str:
        return self.process.tail()

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
        self.process.stop(timeout=5)
        self._output.unlink(missing_ok=True)
