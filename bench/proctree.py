"""Wall time and peak memory of a command, summed over its process and every one it starts.

A pipeline may run workers (a parsing process, a pool): its memory is the sum over the tree.
`/proc/PID/task/*/children` needs a kernel option this machine lacks, so descendants are
found by their parent pid in `/proc/*/stat`, reading only processes not seen before.

CPU time is what the command's processes used (user + system): on a shared machine it moves
far less with the neighbours' load than wall time does.

Two memory figures, because the processes' peaks need not coincide:
- `peak_mb`: each process's own high-water mark (VmHWM) summed: an upper bound. A forked
  worker starts with its parent's resident pages in its mark (copy-on-write, counted twice);
- `peak_rss_sum_mb`: the largest sum of the current resident sets (VmRSS) seen at one poll:
  a lower bound (a peak between two polls is missed).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

POLL_S = 0.01  # memory of the known processes
SCAN_EVERY = 10  # polls between looks for new descendants (a worker lives for the run)


@dataclass(frozen=True, slots=True)
class TreeRun:
    """One finished command: how long, how much memory, what it printed."""

    seconds: float
    cpu_seconds: float  # user + system of the command and the descendants it waited for
    peak_mb: float  # sum of every process's VmHWM
    peak_rss_sum_mb: float  # the largest VmRSS sum seen at one poll
    processes: int  # the command's process and its descendants seen
    stdout: str


def _ppid(pid: int) -> int | None:
    with suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after it.
        return int(stat.rsplit(")", 1)[1].split()[1])
    return None


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of a live process in kB; zeros once it is gone."""
    hwm = rss = 0
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
                break  # VmRSS comes after VmHWM
    return hwm, rss


def _pids() -> set[int]:
    return {int(name) for name in os.listdir("/proc") if name.isdigit()}


class ProcessTree:
    """The processes of one command, found as they appear, with each one's peak."""

    def __init__(self, root: int, before: set[int]) -> None:
        self.members = {root}
        self._seen = before - {root}  # processes that existed before the command: not ours
        self.hwm_kb: dict[int, int] = {}
        self.rss_sum_kb = 0

    def scan(self) -> None:
        """Add the new processes whose parent is in the tree (their children too)."""
        fresh = _pids() - self._seen - self.members
        parents = {pid: ppid for pid in sorted(fresh) if (ppid := _ppid(pid)) is not None}
        self._seen |= fresh
        grew = True
        while grew:  # a grandchild may come before its parent in the listing
            grew = False
            for pid, ppid in parents.items():
                if pid not in self.members and ppid in self.members:
                    self.members.add(pid)
                    grew = True

    def poll(self) -> None:
        rss_now = 0
        for pid in self.members:
            hwm, rss = _memory_kb(pid)
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
            rss_now += rss
        self.rss_sum_kb = max(self.rss_sum_kb, rss_now)


def run_tree(cmd: Sequence[str], cwd: Path) -> TreeRun:
    """Run a command to its end, polling its process tree; raises if it fails.

    stdout is kept (in a file: a pipe nobody reads while polling could fill and block the
    child); stderr goes to ours, so errors show.
    """
    before = _pids()
    # The children reaped while it runs: this command only (one runs at a time, and a
    # process's usage, reported when it is reaped, includes the children it reaped).
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(list(cmd), cwd=cwd, stdout=out)
        tree = ProcessTree(child.pid, before)
        polls = 0
        while child.poll() is None:
            if polls % SCAN_EVERY == 0:
                tree.scan()
            tree.poll()
            polls += 1
            time.sleep(POLL_S)
        seconds = time.perf_counter() - start
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        printed = out.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... exited with {child.returncode}")
    return TreeRun(
        seconds,
        now.ru_utime - used.ru_utime + now.ru_stime - used.ru_stime,
        sum(tree.hwm_kb.values()) / 1024,
        tree.rss_sum_kb / 1024,
        len(tree.hwm_kb),
        printed,
    )
