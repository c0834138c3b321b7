"""Fault matrix: `etl corpus` over a replay server whose paths fail their first attempts in
every way it can fail gives the same tables as a fault-free run; a path that never recovers
is named (URL, reason, attempts) and fails the run while every other record is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl.replay.faults import FAULT_KINDS, FaultPlan
from etl.replay.server import serve
from tests.reliability import SNAP2, cli, content, reports, run

FRACTION = 0.3


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], set[str]]:
    """A fault-free run: its tables, and every path it requested."""
    data = tmp_path_factory.mktemp("clean") / "data"
    with serve(SNAP2) as srv:
        report = run(srv, data)
        paths = {entry.path for entry in srv.log}
    assert report.exit_status == 0, report.reason
    return content(data), paths


def plan_covering(paths: set[str]) -> FaultPlan:
    """The first seed whose plan fails ~30% of these paths in every kind of fault."""
    for seed in range(10_000):
        plan = FaultPlan(seed=seed, fraction=FRACTION, slow_seconds=1.0, retry_after=1)
        faults = [f for p in sorted(paths) if (f := plan.fault_for(p))]
        kinds = {kind for kind, _ in faults}
        if kinds == set(FAULT_KINDS) and len(faults) <= 0.4 * len(paths):
            return plan
    raise AssertionError("no seed covers every fault kind")


def test_every_kind_of_transient_fault_gives_identical_tables(
    tmp_path: Path, clean: tuple[dict[str, Any], set[str]]
) -> None:
    tables, paths = clean
    plan = plan_covering(paths)
    data = tmp_path / "data"
    with serve(SNAP2, faults=plan) as srv:
        done = cli(srv.url, data)
        seen = [e for e in srv.log if e.fault]
    assert done.returncode == 0, done.stderr
    # Every kind really happened, on about 30% of the paths, and each was retried away.
    assert {e.fault for e in seen} == set(FAULT_KINDS)
    # (Look-ahead past an archive's end may ask a page or two the clean run did not.)
    faulted = {e.path for e in seen} & paths
    assert 0.15 * len(paths) <= len(faulted) <= 0.4 * len(paths)
    report = reports(data)[-1]
    assert report["failures"] == [] and sum(report["retries"].values()) >= len(seen)
    # Row content identical to the fault-free run, table by table (the crawl log included).
    got = content(data)
    assert got.keys() == tables.keys()
    for name in tables:
        assert got[name] == tables[name], name


def test_a_path_that_never_recovers_is_named_and_every_other_record_kept(
    tmp_path: Path, clean: tuple[dict[str, Any], set[str]]
) -> None:
    tables, _ = clean
    broken = "/tag/service-recovery/page/2/"
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        srv.override(broken, 503, b"down for maintenance")
        done = cli(srv.url, data)
        attempts = srv.count(broken)
    assert done.returncode == 1
    url = srv.url + broken
    assert attempts == 4  # the default retry budget, then give up
    # stderr names the URL, the reason and the attempts ...
    line = next(line for line in done.stderr.splitlines() if url in line and "FAILED" in line)
    assert "503" in line and "4 attempts" in line
    # ... and so does the run report.
    report = reports(data)[-1]
    assert report["exit_status"] == 1 and url in report["reason"]
    assert report["failures"] == [
        {
            "url": url,
            "status": 503,
            "reason": "gave_up",
            "attempts": 4,
            "detail": "gave up after 4 attempts: 503",
        }
    ]
    # Every other record is kept: the posts on that page also stand in other archives.
    got = content(data)
    for name in ("posts", "teasers", "documents", "post_terms"):
        assert got[name] == tables[name], name
    failed = [r for r in got["pages"] if r["url"] == "SITE" + broken]
    assert len(failed) == 1 and failed[0]["status"] == 503
    site_free = "SITE" + broken
    reasons = [r["reason"] for r in got["rejects"] if r["source_url"] == site_free]
    assert reasons == ["fetch.gave_up"]
