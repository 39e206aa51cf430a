"""Libraries the start leaves out because only paying and rate limits need them: the Stripe SDK (with the `httpx`
and `requests` it imports) and `limits`, about a tenth of the start here (README "Benchmarks", step 20). A
shopper's first page load starts importing them in a worker thread, so they are in place before anyone pays and
the event loop never waits for them; a module that uses one imports it where it is used, after `await ready()`
when it runs on the event loop."""
from __future__ import annotations

import asyncio
import importlib
import sys
import threading

DEFERRED = ("stripe", "limits")
_started = threading.Event()
_loaded = threading.Event()


def load_soon() -> threading.Thread | None:
    """Start importing the deferred libraries in a worker thread, once per process; the thread, or None if
    already started."""
    if _started.is_set() or all(name in sys.modules for name in DEFERRED):
        return None
    _started.set()
    thread = threading.Thread(target=_load, name="rxshop-lazy-imports", daemon=True)
    thread.start()
    return thread


async def ready() -> None:
    """Return once the deferred libraries are imported, importing them (or waiting for the import under way) on a
    worker thread, so a first payment, webhook or sign-in never makes the event loop wait for an import."""
    if not _loaded.is_set():
        await asyncio.to_thread(_load)


def _load() -> None:
    for name in DEFERRED:
        importlib.import_module(name)  # waits, off the loop, for an import another thread has under way
    _loaded.set()
