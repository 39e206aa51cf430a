"""Start, wait for and stop the processes the shop runs with: the Stripe sandbox, the mail sink and the shop itself.
One helper for `make run` (scripts/run.py), the tests (tests/e2e, tests/sandbox) and the benchmarks (bench/).

Every wait has a timeout; a process's stdout is read by a thread (never a blocking readline in the caller), so a
server that prints nothing, or dies, is reported with the tail of its output instead of hanging the caller.
"""
from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable, TypeVar

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float, interval: float = 0.05,
               message: str | Callable[[], str] = "") -> T:
    """Call `condition` until it returns something truthy and return that; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise TimeoutError(f"not within {timeout}s" + (f": {text}" if text else ""))
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class Process:
    """One child process in its own session (stopping it stops what it started), its output in a log file.

    `output`: a file for stdout+stderr (the tail is shown when it fails to start), or None for the terminal. With `first_line=True` the
    first stdout line (where a server says it listens) is kept for `wait_first_line`; the rest goes to the log."""

    def __init__(self, cmd: list[str], name: str = "", env: dict | None = None, output: Path | None = None,
                 first_line: bool = False, cwd: Path = ROOT):
        self.cmd, self.name, self.env, self.cwd = cmd, name or Path(cmd[0]).name, env, cwd
        self.output, self.capture_first_line = output, first_line
        self.proc: subprocess.Popen | None = None
        self.first_line = ""
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._log = None

    def start(self) -> Process:
        env = {**(self.env if self.env is not None else os.environ), "PYTHONUNBUFFERED": "1"}
        if self.output is not None:
            self._log = open(self.output, "a", encoding="utf-8")
        self.proc = subprocess.Popen(
            self.cmd, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL, start_new_session=True, text=True,
            stdout=subprocess.PIPE if self.capture_first_line else self._log,
            stderr=subprocess.STDOUT if self._log is not None else None,
        )
        if not self.capture_first_line and self._log is not None:
            self._log.close()  # the child has its own handle
            self._log = None
        if self.capture_first_line:
            threading.Thread(target=self._drain, name=f"{self.name}-stdout", daemon=True).start()
        return self

    def _drain(self) -> None:  # keeps reading, so a chatty server never blocks on a full pipe
        first = True
        for line in self.proc.stdout:
            if first:
                self._lines.put(line.rstrip("\r\n"))
                first = False
            out = self._log or sys.stdout  # no log file: the terminal, like an uncaptured process
            out.write(line)
            out.flush()
        self._lines.put(None)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_first_line(self, timeout: float = 30, prefix: str = "") -> str:
        """The first line the process printed (e.g. "… listening on http://127.0.0.1:PORT")."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise TimeoutError(f"{self.name} printed nothing within {timeout}s:\n{self.tail()}") from None
        if line is None or not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"{self.name} did not start (first line {line!r}):\n{self.tail()}")
        self.first_line = line
        return line

    def wait_http(self, url: str, timeout: float) -> None:
        """Until `url` answers 200; fails at once if the process exits first."""
        def ready() -> bool:
            if not self.running:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}) before {url} answered:\n{self.tail()}")
            return http_ok(url)

        wait_until(ready, timeout, interval=0.2, message=lambda: f"{url} did not answer\n{self.tail()}")

    def tail(self, lines: int = 60) -> str:
        if self.output is None or not self.output.exists():
            return ""
        return "\n".join(self.output.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM to the process group, SIGKILL after `timeout`; safe to call twice."""
        if self.running:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL to the process group, as when a machine dies: no graceful shutdown."""
        if self.running:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> Process:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def sandbox(*args: str, output: Path | None = None, env: dict | None = None, name: str = "Stripe sandbox") -> Process:
    """`python -m stripe_sandbox ARGS`, not started; `start_sandbox` starts it and returns its URL."""
    return Process([str(BIN / "python"), "-m", "stripe_sandbox", *args], name=name, env=env, output=output,
                   first_line=True)


SANDBOX_LISTENING = "stripe-sandbox listening on "


def start_sandbox(proc: Process, timeout: float = 30) -> str:
    return proc.start().wait_first_line(timeout, SANDBOX_LISTENING)[len(SANDBOX_LISTENING):].strip().rstrip("/")


def mail_sink(port: int, folder: Path, output: Path | None = None, env: dict | None = None) -> Process:
    """The local SMTP sink: every message becomes a .eml file in `folder`."""
    return Process([str(BIN / "python"), str(ROOT / "scripts" / "mail_sink.py"), "--port", str(port),
                    "--dir", str(folder)], name="mail sink", env=env, output=output, first_line=True)


def shop(port: int, env: dict | None = None, output: Path | None = None) -> Process:
    """The shop as `make run` serves it: pages, websocket and /api on one port, from a frontend built for this port
    (rebuilt only when its inputs changed), one process when there is no Redis."""
    from scripts import frontend

    env = dict(os.environ if env is None else env)
    frontend.ensure_built(env, port)
    cmd = [str(BIN / "python"), "scripts/serve.py", "--host", "127.0.0.1", "--port", str(port)]
    if not env.get("REFLEX_REDIS_URL"):
        cmd.append("--single-process")
    return Process(cmd, name=f"rxshop on :{port}", env=env, output=output)
