"""Start the real shop (production build, one port, throwaway SQLite) for end-to-end tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before {url} answered:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s:\n{tail(log)}")


def stop_group(proc: subprocess.Popen | None, timeout: float) -> None:
    """Stop a process started with start_new_session=True, and everything it started."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def tail(log: Path | None, n: int = 60) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-n:])


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
        self.proc: subprocess.Popen | None = None

    def prepare(self) -> None:
        for cmd in ([str(BIN / "reflex"), "db", "migrate"], [str(BIN / "python"), "-m", "rxshop.seed"]):
            subprocess.run(cmd, cwd=ROOT, env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "reflex"), "run", "--env", "prod", "--frontend-port", str(self.port),
                 "--backend-port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_http(self.url + "/ping", 240, self.proc, self.log)
        wait_http(self.url + "/", 60, self.proc, self.log)

    def stop(self) -> None:
        stop_group(self.proc, 20)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


class LineServer:
    """A helper process that prints its address on its first stdout line (the sandbox, the mail sink)."""

    def __init__(self, cmd: list[str], log: Path, env: dict | None = None):
        self.cmd, self.log, self.env = cmd, log, env
        self.proc: subprocess.Popen | None = None
        self.first_line = ""

    def start(self, timeout: float = 30) -> str:
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env or os.environ.copy(), stdout=subprocess.PIPE,
                                     stderr=self.log.open("a"), text=True, start_new_session=True)
        deadline = time.monotonic() + timeout
        line = self.proc.stdout.readline()  # blocks until the server says where it listens
        if not line or time.monotonic() > deadline:
            raise RuntimeError(f"{self.cmd[2] if len(self.cmd) > 2 else self.cmd} did not start:\n{tail(self.log)}")
        self.first_line = line.strip()
        return self.first_line

    def stop(self) -> None:
        stop_group(self.proc, 10)


class Sandbox(LineServer):
    """The Stripe sandbox as strict as Stripe, with Stripe's test-mode retries (5 min, 30 min, 2 h) compressed 100
    times (3 s, 18 s, 72 s); with a seed also as messy: some events twice, some late."""

    def __init__(self, workdir: Path, webhook_url: str, webhook_secret: str, messy_seed: int | None = None):
        messy = ["--messy-webhooks", str(messy_seed)] if messy_seed is not None else []
        super().__init__([str(BIN / "python"), "-m", "stripe_sandbox", "--port", "0", "--webhook-url", webhook_url,
                          "--webhook-secret", webhook_secret, "--time-factor", "0.01", *messy],
                         workdir / "sandbox.log")
        self.url = ""

    def start(self, timeout: float = 30) -> str:
        self.url = super().start(timeout).rsplit(" ", 1)[-1]
        return self.url

    def post(self, path: str, body: dict | None = None) -> dict:
        import json

        req = urllib.request.Request(self.url + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def get(self, path: str) -> dict:
        import json

        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())


class MailSink(LineServer):
    def __init__(self, workdir: Path):
        self.dir = workdir / "mail"
        self.port = free_port()
        super().__init__([str(BIN / "python"), "scripts/mail_sink.py", "--port", str(self.port), "--dir",
                          str(self.dir)], workdir / "mail.log")

    def messages(self, to: str | None = None) -> list:
        from email import policy
        from email.parser import BytesParser

        found = []
        for path in sorted(self.dir.glob("*.eml")):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if to is None or msg["To"] == to:
                found.append(msg)
        return found

    def wait_for(self, to: str, count: int = 1, timeout: float = 20) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages(to)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise TimeoutError(f"expected {count} email(s) to {to}, got {len(self.messages(to))}")
