"""The Django proof of concept, re-created (bench/original/poc), started beside the shop for `make bench`
(bench/run_all.py loads its product page and its create-checkout-session view at 8 connections, as the original was
measured with `wrk -c8`): gunicorn with 2 sync workers against the same Stripe sandbox. Needs its own venv
(`make bench` and `make test` make it: .tools/original, from bench/original/requirements.txt)."""
from __future__ import annotations

import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = ROOT / ".tools" / "original" / "bin" / "python"
CHECKOUT_PATH = "/create-checkout-session/1/"


class Original:
    """The re-created original on a free port, its SQLite database in a temporary folder."""

    def __init__(self, sandbox_url: str, port: int):
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        self.sandbox_url = sandbox_url
        self.tmp = tempfile.TemporaryDirectory(prefix="rxshop-original-")
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Original":
        if not PYTHON.exists():
            raise RuntimeError("no venv for the original: `make bench` makes it (.tools/original)")
        self.proc = subprocess.Popen(
            [str(PYTHON), str(HERE / "original" / "serve.py"), "--port", str(self.port),
             "--db", str(Path(self.tmp.name) / "poc.sqlite3"), "--stripe-api-base", self.sandbox_url,
             "--stripe-js-url", self.sandbox_url + "/v3/"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                error = self.proc.stderr.read()[-500:]
                self.stop()
                raise RuntimeError(f"the original exited during start: {error}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()  # no gunicorn left behind
        raise TimeoutError(self.url)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.tmp.cleanup()
