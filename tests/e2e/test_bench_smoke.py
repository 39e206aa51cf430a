"""`make bench` starts and prints its table: a tiny run against the test session's shop (the numbers mean nothing)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_and_prints_its_table(shop, sandbox, tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "bench/run_all.py", "--quick", "--url", shop.url, "--db-url", f"sqlite:///{shop.db_path}",
         "--sandbox-url", sandbox.url, "--skip", "browser", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| measure" in run.stdout and "cores" in run.stdout
    result = json.loads(out.read_text())
    assert result["pages"]["/"]["req_s"] > 0 and result["pages"]["/"]["non_200"] == 0
    assert result["ws_1"]["ok"] > 0 and result["ws_1"]["failed"] == 0  # the adds went through
    assert result["checkout_8"]["ok"] > 0 and result["checkout_8"]["failed"] == 0  # orders + Checkout Sessions made
    assert result["mixed_adds"]["ok"] > 0 and result["mixed_checkouts"]["ok"] > 0  # adds beside checkouts
    assert result["floor_1"]["ok"] > 0 and result["floor_1"]["failed"] == 0  # the bare Reflex cart answered
    original = result["original"]  # the re-created Django original served its page and made Checkout Sessions
    assert original["page"]["req_s"] > 0 and original["page"]["non_200"] == 0
    assert original["checkout"]["req_s"] > 0 and original["checkout"]["non_200"] == 0
