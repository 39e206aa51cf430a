"""Optional state file: the sandbox's tables saved as JSON (debounced), loaded at start."""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from .common import dumps
from .sandbox import Sandbox


class Persister:
    def __init__(self, sb: Sandbox, path: str):
        self.sb, self.path = sb, path
        self.dirty = False
        sb.on_change = self.mark

    def mark(self) -> None:
        self.dirty = True

    def load(self) -> None:
        if os.path.exists(self.path) and os.path.getsize(self.path) > 0:
            with open(self.path, encoding="utf-8") as f:
                self.sb.restore(json.load(f))

    def flush(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        tmp = f"{self.path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(dumps(self.sb.snapshot()))
        os.replace(tmp, self.path)

    async def run(self, interval: float = 0.3) -> None:
        """Save when something changed, at most every `interval` seconds, and never spending more than a tenth of
        the time on it: a big state (thousands of sessions) takes a while to write, and the server waits meanwhile."""
        wait = interval
        while True:
            await asyncio.sleep(wait)
            started = time.perf_counter()
            try:
                self.flush()
            except Exception as e:  # keep saving later; never kill the server over the state file
                print(f"stripe-sandbox: could not save state to {self.path}: {e!r}", file=sys.stderr, flush=True)
            wait = max(interval, 9 * (time.perf_counter() - started))
