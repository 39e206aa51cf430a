"""What a start imports (README "Benchmarks", steps 20 and 25): the app leaves the payment libraries out, and they come in
on a worker thread once asked for (a shopper's first page load asks)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import sys
from rxshop import lazy

lazy.defer_start_imports()  # what scripts/serve.py does before the app
import rxshop.app

late = [name for name in (*lazy.DEFERRED, *lazy.STAND_INS, "httpx", "alembic", "charset_normalizer")
        if name in sys.modules and not isinstance(sys.modules[name], lazy.Deferred)]
assert not late, f"imported at start: {late}"
assert isinstance(sys.modules["aiohttp"], lazy.Deferred)  # python-engineio imported it: it got the stand-in
thread = lazy.load_soon()
thread.join(60)
assert all(name in sys.modules for name in lazy.DEFERRED)
stand_ins = [name for name in ("aiohttp", "requests") if isinstance(sys.modules[name], lazy.Deferred)]
assert not stand_ins, f"still stand-ins: {stand_ins}"
assert lazy.load_soon() is None  # once per process
print("ok")
"""


def test_the_app_starts_without_the_payment_libraries_and_loads_them_on_a_thread():
    done = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-3000:]


# Records which thread first imports a deferred library.
SPY = """
import asyncio, importlib.abc, os, sys, threading
importers = {}

class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ("stripe", "limits", "aiohttp"):
            importers.setdefault(name, threading.current_thread().name)

sys.meta_path.insert(0, Spy())
"""

WEBHOOK = SPY + """
from starlette.requests import Request
from rxshop.api import stripe_webhook

async def main():
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": b'{"id": "evt_1"}', "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/api/stripe/webhook", "query_string": b"",
             "headers": [(b"stripe-signature", b"t=1,v1=00"), (b"content-length", b"15")]}
    return await stripe_webhook(Request(scope, receive))

assert asyncio.run(main()).status_code == 400
print(importers["stripe"])
"""

PAYMENT = SPY + """
from rxshop import payments

async def main():
    try:
        await payments.retrieve_payment_intent("pi_123")
    except payments.PaymentError as exc:
        return exc.code

assert asyncio.run(main()) == "not_configured"
print(importers["stripe"])
"""


HEALTH = SPY + """
from rxshop import lazy

lazy.defer_start_imports()  # as scripts/serve.py does
importers.clear()  # (asking whether aiohttp is installed was not importing it)
from rxshop import health

result = asyncio.run(health._stripe())
assert result["ok"] is False and result["error"], result  # nothing listens there
assert "stripe" not in sys.modules, "the health probe imported the Stripe SDK"
print(importers["aiohttp"])
"""


def _importer(code: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_a_webhook_right_after_a_start_imports_the_sdk_off_the_event_loop():
    assert _importer(WEBHOOK, STRIPE_WEBHOOK_SECRET="whsec_test") != "MainThread"


def test_a_health_probe_right_after_a_start_imports_only_aiohttp_and_off_the_event_loop():
    assert _importer(HEALTH, STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_SECRET_KEY="sk_test_x") != "MainThread"


def test_a_first_stripe_call_imports_the_sdk_off_the_event_loop():
    assert _importer(PAYMENT, STRIPE_SECRET_KEY="") != "MainThread"


GC = """
import gc
from rxshop import gc_policy

gc_policy.pause_for_start()  # what scripts/serve.py --single-process does before the import
from rxshop.app import app

assert not gc.isenabled()
assert gc_policy.tune_for_serving in app.get_lifespan_tasks()
gc_policy.tune_for_serving()
assert gc.isenabled(), "the collector stayed off"
assert gc.get_threshold()[0] == gc_policy.YOUNG_THRESHOLD
assert gc.get_freeze_count() > 50_000  # what the start made is frozen
print("ok")
"""


def test_the_app_turns_the_collector_back_on_tuned_when_it_starts_serving():
    done = subprocess.run([sys.executable, "-c", GC], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-3000:]


STAND_IN = """
import sys
from rxshop import lazy

lazy.defer_start_imports()
import engineio.async_client  # imports aiohttp whenever it is installed

stand_in = engineio.async_client.aiohttp
assert isinstance(stand_in, lazy.Deferred) and "aiohttp.client" not in sys.modules
import importlib.util

assert importlib.util.find_spec("aiohttp") is not None  # "is it installed?" asked elsewhere: yes, and no import
assert "aiohttp.client" not in sys.modules
timeout = stand_in.ClientTimeout(total=1)  # the first attribute read imports the real library
import aiohttp
import aiohttp.web  # a submodule imports too

assert not isinstance(aiohttp, lazy.Deferred) and sys.modules["aiohttp"] is aiohttp
assert isinstance(timeout, aiohttp.ClientTimeout) and aiohttp.web.Application
assert stand_in.ClientError is aiohttp.ClientError  # what still holds the stand-in reads through it
lazy.defer_start_imports()  # too late now: the real one stays
assert sys.modules["aiohttp"] is aiohttp
print("ok")
"""


def test_a_stand_in_becomes_the_real_library_on_first_use():
    done = subprocess.run([sys.executable, "-c", STAND_IN], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-3000:]
