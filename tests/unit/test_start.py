"""What a start imports (README "Benchmarks", step 20): the app leaves the payment libraries out, and they come in
on a worker thread once asked for (a shopper's first page load asks)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import sys
import rxshop.app
from rxshop import lazy

late = [name for name in (*lazy.DEFERRED, "httpx", "alembic") if name in sys.modules]
assert not late, f"imported at start: {late}"
thread = lazy.load_soon()
thread.join(60)
assert all(name in sys.modules for name in lazy.DEFERRED)
assert lazy.load_soon() is None  # once per process
print("ok")
"""


def test_the_app_starts_without_the_payment_libraries_and_loads_them_on_a_thread():
    done = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-3000:]
