"""Libraries the start leaves out because only paying, rate limits and the health report need them: the Stripe
SDK (with the `httpx` it imports), `limits`, `aiohttp` and `requests` (README "Benchmarks", steps 20 and 25).
A shopper's first page load starts importing them in a worker thread, so they are in place before anyone pays and
the event loop never waits for them; a module that uses one imports it where it is used, after `await ready()`
(or `await library(name)` for that one alone) when it runs on the event loop.

Some need a stand-in: python-engineio's client modules, which Reflex imports through python-socketio, import
`aiohttp`, `requests` and `websocket` whenever they are installed, though a server never uses those clients.
`defer_start_imports()` puts a `Deferred` module in their place for the start; the first attribute read on one,
`ready()` or `library(name)` imports the real library."""
from __future__ import annotations

import asyncio
import importlib
import importlib.util
import sys
import threading
import types

# Imported at start by python-engineio's clients, which the server never uses (aiohttp: the Stripe client's HTTP)
STAND_INS = ("aiohttp", "requests", "websocket")
DEFERRED = ("aiohttp", "requests", "stripe", "limits")
_started = threading.Event()
_loaded = threading.Event()
_swap = threading.Lock()


class Deferred(types.ModuleType):
    """Stands in for a library in `sys.modules` until something reads one of its attributes."""

    def __getattr__(self, attr: str):
        return getattr(real(self.__name__), attr)


def defer_start_imports() -> None:
    """Call before importing the app: its start then skips importing the `STAND_INS` (not when already imported)."""
    for name in STAND_INS:
        spec = None if name in sys.modules else importlib.util.find_spec(name)
        if spec is not None:
            stand_in = sys.modules[name] = Deferred(name)
            stand_in.__spec__ = spec  # `find_spec(name)` elsewhere still finds it (and does not import it)


def real(name: str) -> types.ModuleType:
    """The library itself, imported now if only its stand-in is there."""
    with _swap:
        if isinstance(sys.modules.get(name), Deferred):
            del sys.modules[name]
    return importlib.import_module(name)  # another thread's import under way: waits for it


def load_soon() -> threading.Thread | None:
    """Start importing the deferred libraries in a worker thread, once per process; the thread, or None if
    already started."""
    if _started.is_set() or all(_imported(name) for name in DEFERRED):
        return None
    _started.set()
    thread = threading.Thread(target=_load, name="rxshop-lazy-imports", daemon=True)
    thread.start()
    return thread


def _imported(name: str) -> bool:
    return name in sys.modules and not isinstance(sys.modules[name], Deferred)


async def library(name: str) -> types.ModuleType:
    """One of the deferred libraries, imported on a worker thread if it isn't yet (for code on the event loop that
    needs only that one)."""
    if _imported(name):
        return sys.modules[name]
    return await asyncio.to_thread(real, name)


async def ready() -> None:
    """Return once the deferred libraries are imported, importing them (or waiting for the import under way) on a
    worker thread, so a first payment, webhook or sign-in never makes the event loop wait for an import."""
    if not _loaded.is_set():
        await asyncio.to_thread(_load)


def _load() -> None:
    for name in DEFERRED:
        real(name)
    _loaded.set()
