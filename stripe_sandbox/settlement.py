"""Timers that settle `processing` payments (test-only `processing_seconds`)."""
from __future__ import annotations

import asyncio
import sys
import time

from .sandbox import Sandbox


class Settler:
    """Timers that settle `processing` payments (test-only `processing_seconds`) when their time comes.

    One asyncio timer per payment; the state (`sb.pending_settles`, pi id -> unix time) is the source of truth, so a
    timer that fires after a reset or a cancel does nothing, and the once-a-second sweeper settles anything whose
    timer could not be armed (no running loop, or restored from --state-file)."""

    def __init__(self, sb: Sandbox):
        self.sb = sb
        self.handles: dict[str, asyncio.TimerHandle] = {}
        sb.on_settle_scheduled = self.schedule

    def schedule(self, pid: str, at: float) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:       # no loop: the sweeper settles it
            return
        old = self.handles.pop(pid, None)
        if old is not None:
            old.cancel()
        self.handles[pid] = loop.call_later(max(0.0, at - time.time()), self._fire, pid)

    def _fire(self, pid: str) -> None:
        self.handles.pop(pid, None)
        try:
            self.sb.settle_pi(pid)
        except Exception as e:  # never kill the loop over a settle
            print(f"stripe-sandbox: could not settle {pid}: {e!r}", file=sys.stderr, flush=True)

    def schedule_all(self) -> None:
        for pid, at in list(self.sb.pending_settles.items()):
            self.schedule(pid, at)

    def reset(self) -> None:
        for h in self.handles.values():
            h.cancel()
        self.handles.clear()
