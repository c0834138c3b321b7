"""A run that crawled nothing (robots.txt answering 5xx, every archive failing after
discovery) publishes nothing: every file under processed/ (tables, sets, manifest, audit)
stays byte-identical, the run exits 1 and its report says why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from etl.replay.server import ReplayServer, serve
from tests.reliability import SNAP2, hashes, run

ARCHIVES = sorted(
    f"/{kind}/{folder.name}/"
    for kind in ("category", "tag")
    for folder in (SNAP2 / kind).iterdir()
    if folder.is_dir()
)


def robots_503(srv: ReplayServer) -> None:
    srv.override("/robots.txt", 503, b"unavailable")


def archives_fail(srv: ReplayServer) -> None:
    """Discovery still works (robots.txt, sitemaps, home page); every archive then fails."""
    for path in ARCHIVES:
        srv.override(path, 500, b"gone")


@pytest.mark.parametrize(
    ("break_site", "why"),
    [
        (robots_503, "robots.txt unreachable: every URL is disallowed"),
        (archives_fail, f"{len(ARCHIVES)} URL(s) failed"),
    ],
    ids=["robots-503", "every-archive-fails"],
)
def test_a_run_that_crawled_nothing_leaves_every_published_file_as_it_was(
    tmp_path: Path, break_site: Callable[[ReplayServer], None], why: str
) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        assert run(srv, data).exit_status == 0
        before = hashes(data / "processed")
        assert "manifest.json" in before and "audit.parquet" in before
        break_site(srv)
        report = run(srv, data, full=True)
    assert hashes(data / "processed") == before
    assert report.exit_status == 1 and report.pages["fetched"] == 0
    assert report.not_published is not None and report.not_published.startswith("nothing crawled: ")
    assert why in report.not_published
    written = json.loads((data / "runs" / f"{report.run_id}.json").read_text(encoding="utf-8"))
    assert written["status"] == "failed" and written["published"] is False
    assert written["not_published"] == report.not_published


def test_a_first_run_that_crawled_nothing_writes_no_tables(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        robots_503(srv)
        report = run(srv, data)
    assert report.exit_status == 1 and not report.published
    assert not (data / "processed").exists()
    assert (data / "runs" / f"{report.run_id}.json").is_file()
