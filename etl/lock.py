"""One run at a time: an advisory lock file in the data folder.

`flock` is released by the kernel when the holder dies, so a run killed with SIGKILL never
leaves a lock that blocks the next night; the file's content (pid, start time) is only there
to make the refusal message useful.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".etl.lock"


class LockedError(RuntimeError):
    """Another run holds the data folder."""


@contextmanager
def run_lock(data_dir: Path) -> Iterator[Path]:
    """Hold the data folder's lock for the duration of the block, or raise LockedError."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            raise LockedError(f"another etl run holds {path} ({holder})") from None
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {started}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock
