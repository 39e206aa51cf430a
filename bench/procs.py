"""Process-tree measurements from /proc (Linux): RSS and CPU time of a server and everything it started."""
from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def main_thread_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process's first thread: in the shop (one process, Granian embedded) that is
    the thread running the event loop, which every event needs and which caps a single process's rate."""
    try:
        st = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(st[11]) + int(st[12])) / _TICK


def loop_cpu_s(pid: int) -> float | None:
    """The event loop thread's CPU seconds (`main_thread_cpu_s`), or None when the server runs worker processes:
    a supervisor's first thread runs none of the app's event loops, they are in its workers."""
    return main_thread_cpu_s(pid) if tree(pid) == [pid] else None


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))):
            children.setdefault(int(st[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid: int) -> float:
    """Sum of the resident set sizes of the tree (shared pages counted once per process, as `ps` shows them)."""
    total = 0
    for p in tree(pid):
        if st := _stat(p):
            total += int(st[21]) * _PAGE
    return total / 2**20


def pss_mb(pid: int) -> float:
    """Proportional set size of the tree: shared pages split between the processes sharing them."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total / 2**20


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of the live processes of the tree."""
    total = 0
    for p in tree(pid):
        if st := _stat(p):
            total += int(st[11]) + int(st[12])
    return total / _TICK


def cores() -> int:
    return len(os.sched_getaffinity(0))
