"""Test-only: hold a run at a named point so a crash test can SIGKILL it there.

When the environment variable `ETL_TEST_PAUSE_AT` names the point, the run says so on stderr
and sleeps; otherwise this is a no-op. Nothing in normal use sets the variable. It exists so
tests/test_reliability_crash.py can kill `etl corpus` at exact places (between two table
renames, say) instead of guessing with timers.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "ETL_TEST_PAUSE_AT"


def pause(point: str) -> None:
    if os.environ.get(ENV) == point:
        print(f"etl: paused at {point} (pid {os.getpid()})", file=sys.stderr, flush=True)
        time.sleep(600)
