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


def test_a_server_with_worker_processes_has_no_loop_reading():
    """A supervisor's first thread runs none of the app's loops: its reading would show 0 % for a busy server."""
    code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); " \
           "print('up', flush=True); time.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "up"
        assert len(procs.tree(proc.pid)) == 2
        assert procs.loop_cpu_s(proc.pid) is None
    finally:
        for p in reversed(procs.tree(proc.pid)):
            subprocess.run(["kill", str(p)], check=False)
        proc.wait()


def test_a_single_process_server_reads_its_first_thread():
    proc = subprocess.Popen([sys.executable, "-c", SPIN, "main"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "done"
        assert procs.loop_cpu_s(proc.pid) == procs.main_thread_cpu_s(proc.pid) >= 0.3
    finally:
        proc.kill()
        proc.wait()
