"""bench/procs.py: the event loop thread's CPU is the first thread's alone, not the process's."""
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import procs  # noqa: E402

# Spins for a while in the main thread or in a second one, then waits to be measured.
SPIN = """
import sys, threading, time
def spin():
    end = time.process_time() + 0.4
    while time.process_time() < end:
        pass
if sys.argv[1] == "main":
    spin()
else:
    t = threading.Thread(target=spin); t.start(); t.join()
print("done", flush=True)
time.sleep(30)
"""


def _spun(where: str) -> tuple[float, float]:
    proc = subprocess.Popen([sys.executable, "-c", SPIN, where], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "done"
        return procs.main_thread_cpu_s(proc.pid), procs.cpu_s(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def test_main_thread_cpu_counts_the_first_thread_only():
    main, total = _spun("main")
    assert main >= 0.3 and total >= 0.3
    main, total = _spun("other")
    assert total >= 0.3 and main < 0.15  # the work ran on another thread: the whole process shows it, not the loop's


def test_a_gone_process_reads_as_zero():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    time.sleep(0.05)
    assert procs.main_thread_cpu_s(proc.pid) == 0.0
