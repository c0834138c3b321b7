"""SIGTERM and SIGINT during `etl corpus` (what cron wrappers, systemd, `timeout` and Ctrl-C
send), to a real child process against the replay server. Mid-crawl: the run stops asking,
keeps every response it fetched in a whole raw archive, leaves the published tables and the
manifest byte-identical, writes its report marked interrupted, says what it kept in one line
on stderr and exits 128 + the signal's number; the next run's tables equal those of a run
that was never interrupted. A second signal exits at once. Before the crawl (the site's
first connect hanging) and during the table write the run ends the same way; a signal
after the write's manifest swap ends it once every table of the run is published."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from etl.load.store import MANIFEST, WRITE_POINTS, is_consistent
from etl.replay.server import ReplayServer, serve
from tests.reliability import (
    SNAP1,
    SNAP2,
    cli,
    cli_env,
    command,
    content,
    hashes,
    never_interrupted,
    run,
    snapshot_1_then_2,
)

COMPARED = ("posts", "teasers", "documents", "post_terms", "boilerplate")
CONCURRENCY = 4  # tests.reliability.FAST_ENV's


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return never_interrupted(tmp_path_factory.mktemp("reference") / "data")


def asked(srv: ReplayServer) -> int:
    """Requests the server has begun to answer."""
    with srv.lock:
        return sum(srv.attempts.values())


def wait_for(ready: Any, proc: subprocess.Popen[str], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"the run ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.01)


def last_report(data: Path) -> dict[str, Any]:
    newest = sorted((data / "runs").glob("*.json"))[-1]
    report: dict[str, Any] = json.loads(newest.read_text(encoding="utf-8"))
    return report


def raw_records(warc: Path) -> tuple[int, int]:
    """(index lines, response records) of one run's raw files; the WARC must read whole."""
    index = warc.with_name(warc.name.replace(".warc.gz", ".index.jsonl"))
    lines = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
    with warc.open("rb") as stream:
        responses = sum(1 for r in ArchiveIterator(stream) if r.rec_type == "response")
    assert responses == sum(1 for entry in lines if entry["status"] is not None)
    return len(lines), responses


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_crawl_keeps_the_raw_archive_and_publishes_nothing(
    tmp_path: Path, sig: signal.Signals, reference: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    with serve(SNAP1) as srv:
        snapshot_1_then_2(srv, data)
        published = hashes(data / "processed")
        srv.latency = 0.03  # slow enough to signal with pages still to go
        start = asked(srv)
        argv = command(srv.url, data, "--full")
        with subprocess.Popen(argv, env=cli_env(), stderr=subprocess.PIPE, text=True) as proc:
            wait_for(lambda: asked(srv) >= start + 15, proc, "15 requests")  # of about 36
            os.kill(proc.pid, sig)
            at_signal = asked(srv)
            _, stderr = proc.communicate(timeout=30)
        # Stopped asking: at most those begun before the signal was handled.
        assert asked(srv) <= at_signal + 2 * CONCURRENCY
        srv.latency = 0.0

        assert proc.returncode == 128 + sig, stderr
        [line] = stderr.splitlines()  # --quiet: the one line, nothing else
        report = last_report(data)
        kept = report["stopped"]["kept"]
        assert line.startswith(f"etl: run {report['run_id']} interrupted by {sig.name}")
        assert f"{kept['records']} fetches" in line and kept["warc"] in line
        assert "published tables unchanged" in line

        # The report: interrupted, by which signal, what was kept; nothing published.
        assert report["status"] == "interrupted" and report["exit_status"] == 128 + sig
        assert report["stopped"]["by"] == sig.name and report["published"] is False
        assert all(p.startswith(srv.url) for p in report["stopped"]["pending"])  # in flight
        assert report["finished_at"] and sig.name in report["not_published"]
        lines, responses = raw_records(Path(kept["warc"]))  # closed cleanly: reads whole
        assert lines == kept["records"]
        assert 15 - CONCURRENCY <= responses <= asked(srv) - start  # in flight: dropped
        assert 0 < kept["archive_pages"] < 31  # mid-crawl indeed
        assert hashes(data / "processed") == published  # tables and manifest untouched

        # The next run goes on as after a kill: nothing lost, nothing doubled.
        done = cli(srv.url, data)
        assert done.returncode == 0, done.stderr
    got = content(data)
    for name in COMPARED:
        assert got[name] == reference[name], name


# `etl corpus` as the command line runs it, with the raw archive's close held (as a slow disk
# would hold it) so that a second signal arrives while the first one's stop is under way.
HELD_CLOSE = """
import sys, time
from etl.cli import main
from etl.crawl import rawwriter

close = rawwriter.RawWriter.__exit__

def held(self, *exc):
    print("closing the raw archive", file=sys.stderr, flush=True)
    time.sleep(600)
    return close(self, *exc)

rawwriter.RawWriter.__exit__ = held
sys.exit(main(sys.argv[1:]))
"""


def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(SNAP2, latency=0.03) as srv:
        assert run(srv, data).exit_status == 0
        published = hashes(data / "processed")
        argv = [sys.executable, "-c", HELD_CLOSE, *command(srv.url, data, "--full")[3:]]
        start = asked(srv)
        with subprocess.Popen(argv, env=cli_env(), stderr=subprocess.PIPE, text=True) as proc:
            assert proc.stderr is not None
            wait_for(lambda: asked(srv) >= start + 5, proc, "5 requests")
            os.kill(proc.pid, signal.SIGTERM)
            assert proc.stderr.readline().strip() == "closing the raw archive"
            os.kill(proc.pid, signal.SIGINT)
            began = time.monotonic()
            proc.wait(timeout=30)
            took = time.monotonic() - began
            rest = proc.stderr.read()
    assert proc.returncode == 128 + signal.SIGINT, rest
    assert took < 5  # at once: not after the 600 s the close is held for
    assert "SIGINT again while stopping: exiting at once" in rest
    assert hashes(data / "processed") == published


def test_etl_crawl_stops_the_same_way(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with serve(SNAP2, latency=0.03) as srv:
        argv = ["crawl" if a == "corpus" else a for a in command(srv.url, data)]
        with subprocess.Popen(argv, env=cli_env(), stderr=subprocess.PIPE, text=True) as proc:
            wait_for(lambda: asked(srv) >= 10, proc, "10 requests")
            os.kill(proc.pid, signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    [line] = stderr.splitlines()
    assert line.startswith("etl crawl: interrupted by SIGTERM after ")
    [warc] = (data / "raw").glob("*.warc.gz")
    lines, _ = raw_records(warc)  # closed whole
    assert f": {lines} fetches (" in line and line.endswith(f"kept in {warc}")


def connecting_to(port: int) -> bool:
    """Whether a socket on this machine waits for its connect to `port` (SYN sent, no answer)."""
    rows = [row.split() for row in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return any(row[2].endswith(f":{port:04X}") and row[3] == "02" for row in rows)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_the_first_connect_hangs_ends_the_run_the_same_way(
    tmp_path: Path, sig: signal.Signals
) -> None:
    data = tmp_path / "data"
    with serve(SNAP1) as srv:
        assert run(srv, data).exit_status == 0
        published = hashes(data / "processed")
        # The site stops answering: nothing accepts, and with the one-place backlog taken
        # the kernel drops the next connect's SYN, so that connect waits for its timeout.
        srv.shutdown()
        srv.socket.listen(0)
        port = srv.server_address[1]
        slow = cli_env(ETL_CONNECT_TIMEOUT="600")
        with (
            socket.create_connection(("127.0.0.1", port)),
            subprocess.Popen(
                command(srv.url, data), env=slow, stderr=subprocess.PIPE, text=True
            ) as proc,
        ):
            wait_for(lambda: connecting_to(port), proc, "a connect to the site")
            os.kill(proc.pid, sig)
            _, stderr = proc.communicate(timeout=30)  # not the connect's 600 s

    assert proc.returncode == 128 + sig, stderr
    [line] = stderr.splitlines()
    report = last_report(data)
    assert line == (
        f"etl: run {report['run_id']} interrupted by {sig.name} after "
        f"{report['stopped']['after_s']:.1f} s: nothing fetched yet; published tables unchanged"
    )
    assert report["status"] == "interrupted" and report["exit_status"] == 128 + sig
    assert report["stopped"]["by"] == sig.name and report["stopped"]["kept"] is None
    assert report["published"] is False and sig.name in report["not_published"]
    assert report["mode"] == "incremental" and report["finished_at"]
    assert not list((data / "raw").glob(f"{report['run_id']}*"))  # it asked nothing
    assert hashes(data / "processed") == published


# `etl corpus` as the command line runs it, its table write held at one of
# `store.WRITE_POINTS` until the test has signalled it (and writes a line to its stdin).
PAUSED_WRITE = """
import functools, sys
from etl import pipeline
from etl.cli import main
from etl.load import store

def pause(at):
    if at == sys.argv[1]:
        print(f"paused at {at}", flush=True)
        sys.stdin.readline()

pipeline.write_corpus = functools.partial(store.write_corpus, hooks=pause)
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("point", WRITE_POINTS)
def test_a_signal_during_the_table_write_ends_the_run_before_or_after_publishing(
    tmp_path: Path, point: str, reference: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    swapped = WRITE_POINTS.index(point) >= WRITE_POINTS.index("write.published")
    with serve(SNAP1) as srv:
        snapshot_1_then_2(srv, data)
        before = hashes(data / "processed")
        argv = [sys.executable, "-c", PAUSED_WRITE, point, *command(srv.url, data, "--full")[3:]]
        pipe = subprocess.PIPE
        with subprocess.Popen(
            argv, env=cli_env(), stdin=pipe, stdout=pipe, stderr=pipe, text=True
        ) as proc:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == f"paused at {point}"
            os.kill(proc.pid, signal.SIGTERM)
            _, stderr = proc.communicate("go on\n", timeout=30)  # a held write goes on

        assert proc.returncode == 128 + signal.SIGTERM, stderr
        [line] = stderr.splitlines()
        report = last_report(data)
        kept = report["stopped"]["kept"]
        assert line.startswith(f"etl: run {report['run_id']} interrupted by SIGTERM after ")
        assert f": {kept['records']} fetches (" in line and kept["warc"] in line
        assert kept["archive_pages"] > 0 and raw_records(Path(kept["warc"]))[0] == kept["records"]
        assert report["status"] == "interrupted" and report["exit_status"] == 143
        assert report["published"] is swapped and report["posts"]["total"] > 0
        processed = data / "processed"
        if swapped:  # the run's tables, whole: the manifest names them, every table links them
            assert line.endswith("; the run's tables published")
            manifest = json.loads((processed / MANIFEST).read_text(encoding="utf-8"))
            assert manifest["run_id"] == report["run_id"] and is_consistent(processed)
        else:  # nothing of the run left: not even its unpublished set
            assert line.endswith("; published tables unchanged")
            assert hashes(processed) == before

        # The next run goes on as after a kill: nothing lost, nothing doubled.
        done = cli(srv.url, data)
        assert done.returncode == 0, done.stderr
    got = content(data)
    for name in COMPARED:
        assert got[name] == reference[name], name
