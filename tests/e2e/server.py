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
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
