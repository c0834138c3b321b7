"""Crash safety: SIGKILL `etl corpus` during the crawl, between stages and during the table
writes, then run it again: the raw archive reads back, every table on disk is always a whole,
readable Parquet file, and the rerun's tables equal those of a run that was never killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from etl.crawl.raw import RawArchive
from etl.load.store import SETS, WRITE_POINTS
from etl.replay.server import serve
from tests.reliability import (
    SNAP1,
    cli,
    cli_env,
    command,
    content,
    never_interrupted,
    snapshot_1_then_2,
)

# The crawl log (`pages`) keeps the rows of whatever a killed run did write: it is history,
# not content, so it is left out of the comparison with the never-killed run.
COMPARED = ("posts", "teasers", "documents", "post_terms", "boilerplate")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return never_interrupted(tmp_path_factory.mktemp("reference") / "data")


def every_table_reads(data: Path) -> dict[str, int]:
    """Every *.parquet in processed/ opens and reads in full; row counts by table."""
    return {p.stem: pq.read_table(p).num_rows for p in (data / "processed").glob("*.parquet")}


def raw_reads_back(data: Path, whole: bool) -> int:
    """Every WARC file iterates with warcio (the killed run's up to its last whole record)."""
    records = 0
    for warc in sorted((data / "raw").glob("*.warc.gz")):
        with warc.open("rb") as stream:
            try:
                records += sum(1 for _ in ArchiveIterator(stream))
            except Exception:
                if whole:
                    raise
    assert list(RawArchive(data / "raw").latest())
    return records


def kill_when(proc: subprocess.Popen[str], ready: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the run never reached the kill point"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def paused_at(proc: subprocess.Popen[str], point: str) -> Any:
    assert proc.stderr is not None
    return lambda: f"paused at {point}" in proc.stderr.readline()


# `etl corpus` as the command line runs it, its table writes given a hook that holds the run
# at one of `store.WRITE_POINTS` (the product reads no test switch).
PAUSED_CORPUS = """
import functools, sys, time
from etl import pipeline
from etl.cli import main
from etl.load import store

def pause(at):
    if at == sys.argv[1]:
        print(f"paused at {at}", file=sys.stderr, flush=True)
        time.sleep(600)

# The pipeline takes write_corpus from the store: give it the hook on the way.
hooked = functools.partial(store.write_corpus, hooks=pause)
store.write_corpus = hooked
if hasattr(pipeline, "write_corpus"):
    pipeline.write_corpus = hooked
sys.exit(main(sys.argv[2:]))
"""
# Killed before the manifest swap, the run published nothing.
UNPUBLISHED = ("crawl", "write.start", "write.staged", "write.manifest")


@pytest.mark.parametrize("point", ["crawl", *WRITE_POINTS])
def test_killed_anywhere_then_rerun_equals_a_clean_run(
    tmp_path: Path, point: str, reference: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    with serve(SNAP1) as srv:
        snapshot_1_then_2(srv, data)
        before = content(data)
        argv = command(srv.url, data, "--full")
        if point == "crawl":
            srv.latency = 0.03  # slow enough to kill with pages still to go
        else:
            argv = [sys.executable, "-c", PAUSED_CORPUS, point, *argv[3:]]
        start = srv.count()
        with subprocess.Popen(argv, env=cli_env(), stderr=subprocess.PIPE, text=True) as proc:
            if point == "crawl":
                kill_when(proc, lambda: srv.count() >= start + 15)  # of about 36
            else:
                kill_when(proc, paused_at(proc, point))
        assert proc.returncode == -signal.SIGKILL
        srv.latency = 0.0

        # At the kill point: every table whole and readable, the raw archive readable.
        counts = every_table_reads(data)
        assert set(counts) >= {"posts", "teasers", "documents", "pages"}
        raw_reads_back(data, whole=point != "crawl")
        if point in UNPUBLISHED:
            assert content(data) == before  # nothing of the killed run is published
        if point == "write.staged":
            assert list((data / "processed" / SETS).glob(".*.tmp"))  # killed mid-write

        # The rerun: not blocked by the dead run's lock, and the same tables as a clean run.
        done = cli(srv.url, data)
        assert done.returncode == 0, done.stderr
    assert not list((data / "processed").glob(".*.tmp"))
    assert not list((data / "processed" / SETS).glob(".*.tmp"))
    got = content(data)
    for name in COMPARED:
        assert got[name] == reference[name], name
