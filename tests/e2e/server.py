"""The real shop (production build, one port, throwaway SQLite), the Stripe sandbox and a mail sink for end-to-end
tests, started through the project's one process helper (scripts/processes.py)."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from email import policy
from email.parser import BytesParser
from pathlib import Path

from scripts import processes
from scripts.processes import BIN, ROOT, free_port, wait_until

__all__ = ["BIN", "ROOT", "MailSink", "Sandbox", "ShopServer"]


class ShopServer:
    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = workdir / "e2e.db"
        self.log = workdir / "shop.log"
        self.env = {
            **os.environ,
            "REFLEX_DB_URL": f"sqlite:///{self.db_path}",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            "RXSHOP_BASE_URL": self.url,
            **(extra_env or {}),
        }
        self.process: processes.Process | None = None

    def prepare(self) -> None:
        for cmd in ([str(BIN / "reflex"), "db", "migrate"], [str(BIN / "python"), "-m", "rxshop.seed"]):
            subprocess.run(cmd, cwd=ROOT, env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        self.process = processes.shop(self.port, env=self.env, output=self.log).start()
        self.process.wait_http(self.url + "/ping", 240)
        self.process.wait_http(self.url + "/", 60)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=20)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Sandbox:
    """The Stripe sandbox as strict as Stripe, with Stripe's test-mode retries (5 min, 30 min, 2 h) compressed 100
    times (3 s, 18 s, 72 s); with a seed also as messy: some events twice, some late."""

    def __init__(self, workdir: Path, webhook_url: str, webhook_secret: str, messy_seed: int | None = None):
        messy = ["--messy-webhooks", str(messy_seed)] if messy_seed is not None else []
        self.process = processes.sandbox("--port", "0", "--webhook-url", webhook_url, "--webhook-secret",
                                         webhook_secret, "--time-factor", "0.01", *messy,
                                         output=workdir / "sandbox.log")
        self.url = ""

    def start(self) -> str:
        self.url = processes.start_sandbox(self.process)
        return self.url

    def stop(self) -> None:
        self.process.stop()

    def post(self, path: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(self.url + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())


class MailSink:
    def __init__(self, workdir: Path):
        self.dir = workdir / "mail"
        self.port = free_port()
        self.process = processes.mail_sink(self.port, self.dir, output=workdir / "mail.log")

    def start(self) -> None:
        self.process.start().wait_first_line(30, "mail-sink listening on ")

    def stop(self) -> None:
        self.process.stop()

    def messages(self, to: str | None = None) -> list:
        found = []
        for path in sorted(self.dir.glob("*.eml")):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if to is None or msg["To"] == to:
                found.append(msg)
        return found

    def wait_for(self, to: str, count: int = 1, timeout: float = 20) -> list:
        """Wait until at least `count` messages to `to` arrived; returns all of them."""
        def enough() -> list | None:
            found = self.messages(to)
            return found if len(found) >= count else None

        return wait_until(enough, timeout, interval=0.1,
                          message=lambda: f"expected {count} email(s) to {to}, got {len(self.messages(to))}")
