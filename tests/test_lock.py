import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from etl.lock import LockedError, run_lock

HOLD = """
import sys, time
from pathlib import Path
from etl.lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def _holder(data_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    with proc.stdout:
        assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_run_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    proc = _holder(tmp_path)
    try:
        with pytest.raises(LockedError, match=f"pid {proc.pid}"), run_lock(tmp_path):
            pass
    finally:
        proc.kill()
        proc.wait()


def test_lock_of_a_killed_run_does_not_block(tmp_path: Path) -> None:
    proc = _holder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (tmp_path / ".etl.lock").exists()  # the file stays; the lock does not
    with run_lock(tmp_path) as path:
        assert f"pid {os.getpid()}" in path.read_text()


def test_the_lock_is_released_when_a_run_ends(tmp_path: Path) -> None:
    # Held: a second run (its own open of the file, as another process would) is refused.
    refused = pytest.raises(LockedError, match=f"pid {os.getpid()}")
    with run_lock(tmp_path) as path, refused, run_lock(tmp_path):
        pass
    with run_lock(tmp_path) as again:  # released: the next run takes it
        assert again == path and f"pid {os.getpid()}" in path.read_text()
