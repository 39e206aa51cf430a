"""How CPython's garbage collector runs in the shop's server (README "Benchmarks", step 23).

With the defaults, the collector took 12–25 % of the server's CPU per cart change: a young collection after every
700 new container objects (Reflex makes hundreds per event), and full collections that walked every object the
start had made, each pausing the event loop for 100 ms or more. Now a single-process server imports the app with
the collector off (about 2,000 unreachable objects are left from it, not worth a 120 ms full collection); once the
app is built, what exists is frozen (kept, never scanned again: it lives as long as the process) and the young
generation is collected after every 10,000 new objects. Cycles made while serving are still collected."""
from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # CPython's default is 700


def pause_for_start() -> None:
    """Before importing the app, in a process that will serve it (its lifespan turns the collector back on)."""
    gc.disable()


def tune_for_serving() -> None:
    """A lifespan task (before the first request): freeze what the start made, collect the young generation less
    often."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.enable()
