"""A run never waits forever: past `Settings.max_run_time` it stops, exits 1 with a reason
naming what it was waiting for (a response, or a retry a `Retry-After` holds back), writes its
report and leaves the published tables and the manifest byte-identical."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from etl.replay.server import serve
from tests.reliability import SNAP2, cli, cli_env, command, hashes, run

PAGE = "/tag/resolve/"


def test_a_slow_site_is_stopped_at_the_deadline_naming_what_it_waited_for(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        assert run(srv, data).exit_status == 0
        published = hashes(data / "processed")
        srv.latency = 3.0  # every answer: longer than the whole run may take
        began = time.monotonic()
        report = run(srv, data, max_run_time=0.5, read_timeout=10)
        took = time.monotonic() - began
    assert took < 2.8  # stopped at the deadline, not after the answer (3 s) or the timeout
    assert report.exit_status == 1 and report.status == "failed"
    robots = f"{srv.url}/robots.txt (response awaited for"
    assert report.reason is not None and report.reason.startswith("max_run_time (0.5 s) reached")
    assert f"waiting for {robots}" in report.reason
    assert report.stopped is not None and report.stopped["by"] == "deadline"
    assert [p.startswith(robots) for p in report.stopped["pending"]] == [True]
    assert not report.published and report.not_published == report.reason
    written = json.loads((data / "runs" / f"{report.run_id}.json").read_text(encoding="utf-8"))
    assert written["reason"] == report.reason and written["stopped"]["by"] == "deadline"
    assert hashes(data / "processed") == published


def test_a_retry_held_back_by_retry_after_is_named_at_the_deadline(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        srv.override(PAGE, 503, b"busy", [("Retry-After", "20")])
        began = time.monotonic()
        report = run(
            srv, data, archives=(PAGE,), retry_attempts=2, retry_max_wait=20, max_run_time=1.0
        )
        took = time.monotonic() - began
    assert took < 3
    assert report.exit_status == 1 and report.stopped is not None
    [pending] = report.stopped["pending"]
    assert pending.startswith(f"{srv.url}{PAGE} (retry in ")
    assert f"waiting for {pending}" in (report.reason or "")
    assert report.waits["count"] == 1 and report.waits["by_url"][0]["asked_s"] == 20
    assert not (data / "processed").exists()  # a first run stopped early publishes nothing


def test_the_command_line_exits_1_and_names_the_wait(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with serve(SNAP2, latency=3.0) as srv:
        done = cli(srv.url, data, ETL_MAX_RUN_TIME="0.5", ETL_READ_TIMEOUT="10")
    assert done.returncode == 1, done.stderr
    first, *rest = done.stderr.splitlines()
    assert "failed: max_run_time (0.5 s) reached while waiting for " in first
    assert f"{srv.url}/robots.txt" in first
    assert any(line.startswith(f"  PENDING {srv.url}/robots.txt") for line in rest)
    assert any("published tables unchanged" in line for line in rest)


def test_etl_crawl_has_the_same_deadline(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with serve(SNAP2, latency=3.0) as srv:
        argv = ["crawl" if a == "corpus" else a for a in command(srv.url, data)]
        began = time.monotonic()
        crawl = subprocess.run(argv, env=cli_env(ETL_MAX_RUN_TIME="0.5", ETL_READ_TIMEOUT="10"),
                               capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        took = time.monotonic() - began
    assert crawl.returncode == 1 and took < 10, crawl.stderr
    assert crawl.stderr.startswith(
        f"etl crawl: max_run_time (0.5 s) reached while waiting for {srv.url}/robots.txt"
    )
