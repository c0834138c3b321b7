"""The run report holds what stderr shows: every warning (logger, level, message, count,
bounded in size), and every long `Retry-After` wait with its URL and seconds, which the
failure text names too."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import warnings
from pathlib import Path
from typing import Any

from etl.replay.server import serve
from etl.runlog import MAX_WARNINGS, collect_warnings
from tests.reliability import SNAP2, cli_env, command

PAGE = "/tag/resolve/"
# The command line's log format: "2026-01-01 03:17:00,123 WARNING etl.crawl.client: ..."
LOGGED = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ (WARNING|ERROR|CRITICAL) (\S+): (.*)$")


def report_of(data: Path) -> dict[str, Any]:
    [path] = (data / "runs").glob("*.json")
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def slow_down_run(tmp_path: Path, quiet: bool) -> tuple[str, dict[str, Any], str]:
    """`etl corpus` where one archive answers 503 with `Retry-After: 120` every time (the
    client waits ETL_RETRY_MAX_WAIT, 0.3 s, and gives up), one redirects off the origin and
    one is good: (stderr, the run report, the 503 archive's URL)."""
    data = tmp_path / "data"
    data.mkdir()
    with serve(SNAP2) as srv:
        srv.override(PAGE, 503, b"busy", [("Retry-After", "120")])
        archives = ("--archive", PAGE, "--archive", "/tag/retention/", "--archive", "/__offsite__/")
        argv = [a for a in command(srv.url, data, *archives) if quiet or a != "--quiet"]
        done = subprocess.run(
            argv, env=cli_env(), cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 1, done.stderr
    return done.stderr, report_of(data), srv.url + PAGE


def test_every_warning_on_stderr_is_in_the_run_report(tmp_path: Path) -> None:
    stderr, report, url = slow_down_run(tmp_path, quiet=False)
    logged = [m.groups() for m in map(LOGGED.match, stderr.splitlines()) if m]
    assert len(logged) >= 5  # three waits, the give-up, two failures (the page, off-origin)
    counted: dict[tuple[str, str, str], int] = {}
    for level, logger, message in logged:
        counted[(logger, level, message)] = counted.get((logger, level, message), 0) + 1
    got = {(w["logger"], w["level"], w["message"]): w["count"] for w in report["warnings"]}
    assert got == counted
    waited = f"{url} asked to wait 120 s (Retry-After); waiting 0 s (Settings.retry_max_wait)"
    assert got[("etl.crawl.client", "WARNING", waited)] == 3


def test_quiet_runs_still_report_their_warnings_and_name_long_waits(tmp_path: Path) -> None:
    stderr, report, url = slow_down_run(tmp_path, quiet=True)
    assert not any(LOGGED.match(line) for line in stderr.splitlines())  # quiet on stderr
    messages = [w["message"] for w in report["warnings"]]
    assert any(m.startswith(f"Gave up retrying {url}") for m in messages)
    # Each wait with its URL and seconds, in the report and in the failure text.
    assert report["waits"]["count"] == 3 and report["waits"]["asked_s"] == 360
    assert report["waits"]["by_url"] == [
        {"url": url, "status": 503, "waits": 3, "asked_s": 120.0, "waited_s": 0.9}
    ]
    assert (
        f"  WAITED {url}: asked for up to 120 s (Retry-After, status 503) 3 time(s), "
        "waited 0.9 s (retry_max_wait)"
    ) in stderr.splitlines()
    assert "; 1 URL(s) asked to wait over 60 s (Retry-After)" in stderr


def test_the_report_keeps_a_bounded_number_of_distinct_warnings() -> None:
    log = logging.getLogger("etl.test")
    with collect_warnings() as rows:
        for n in range(MAX_WARNINGS + 50):
            log.warning("problem %d", n)
            log.warning("problem %d", n)
        log.info("not a warning")
        log.error("an error")
    assert len(rows) == MAX_WARNINGS + 1
    assert rows[0] == {"logger": "etl.test", "level": "WARNING", "message": "problem 0", "count": 2}
    assert rows[-1]["message"] == f"more than {MAX_WARNINGS} distinct warnings: not kept"
    assert rows[-1]["count"] == 2 * 50 + 1
    log.warning("after the run")  # the handler is gone
    assert sum(r["count"] for r in rows) == 2 * (MAX_WARNINGS + 50) + 1


def test_python_warnings_are_in_the_report_too_and_capturing_is_restored() -> None:
    shown = warnings.showwarning
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # not an error, as the test run makes it
        with collect_warnings() as rows:
            warnings.warn("a library's deprecation", DeprecationWarning, stacklevel=1)
        assert warnings.showwarning is shown  # as it was before the run
        logging.captureWarnings(True)  # a caller that captures already keeps capturing
        try:
            captured = warnings.showwarning
            with collect_warnings():
                pass
            assert warnings.showwarning is captured
        finally:
            logging.captureWarnings(False)
    [row] = rows
    assert (row["logger"], row["level"], row["count"]) == ("py.warnings", "WARNING", 1)
    assert "DeprecationWarning: a library's deprecation" in row["message"]
