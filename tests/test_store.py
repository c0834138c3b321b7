"""The corpus on disk: each run's tables written apart and published by the manifest swap, so
readers never see a half-written table nor the tables of two runs side by side."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.analysis import corpus as api
from etl.load import tables
from etl.load.merge import merge
from etl.load.store import (
    SETS,
    WRITE_POINTS,
    Corpus,
    is_consistent,
    published,
    read_corpus,
    write_corpus,
)
from etl.settings import Settings
from tests.expected_records import RUN_AT, snapshot_observations

ROOT = Path(__file__).parent.parent


def _corpus() -> Corpus:
    return merge(None, snapshot_observations(), full=True, settings=Settings()).corpus


def _half(corpus: Corpus) -> Corpus:
    """Another run's corpus: every table with half its rows (so each count tells the run)."""
    return Corpus(**{spec.name: t.slice(0, t.num_rows // 2) for spec, t in corpus.items()})


def _same(a: Corpus, b: Corpus) -> bool:
    return all(x.equals(y) for (_, x), (_, y) in zip(a.items(), b.items(), strict=True))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _write(corpus: Corpus, folder: Path, run_id: str, **kw: object) -> None:
    write_corpus(corpus, folder, run_id=run_id, site="s", generated_at=RUN_AT, **kw)  # type: ignore[arg-type]


def test_a_run_is_its_own_set_and_the_top_level_tables_link_to_it(tmp_path: Path) -> None:
    _write(_corpus(), tmp_path, "run-9")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["run_id"] == "run-9" and manifest["tables"]["posts"] == 65
    assert manifest["schema_version"] == tables.SCHEMA_VERSION
    assert manifest["set"].startswith(f"{SETS}/run-9.")
    for spec in tables.TABLES:
        top = tmp_path / f"{spec.name}.parquet"
        own = tmp_path / manifest["set"] / top.name
        assert os.path.samefile(top, own)  # a link: no second copy on disk
    assert is_consistent(tmp_path) and _same(read_corpus(tmp_path), _corpus())  # type: ignore[arg-type]


def test_old_sets_are_removed_keeping_the_previous_one_for_readers(tmp_path: Path) -> None:
    names = []
    for n in range(4):
        _write(_corpus(), tmp_path, f"run-{n}")
        names.append(json.loads((tmp_path / "manifest.json").read_text())["set"])
    left = sorted(f"{SETS}/{p.name}" for p in (tmp_path / SETS).iterdir())
    assert left == sorted(names[-2:])


def test_a_failed_write_leaves_the_previous_corpus_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(Corpus.empty(), tmp_path, "old")
    before = _files(tmp_path)
    from etl.load import store

    real, calls = store._write_parquet, []

    def fail_third(table: object, path: Path) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        real(table, path)

    monkeypatch.setattr(store, "_write_parquet", fail_third)
    with pytest.raises(OSError, match="disk full"):
        _write(_corpus(), tmp_path, "new")
    assert _files(tmp_path) == before  # no staging folder or temp file left either
    assert is_consistent(tmp_path)


class Stop(Exception):
    pass


@pytest.mark.parametrize("point", WRITE_POINTS)
def test_a_write_stopped_at_any_point_leaves_one_whole_run_and_the_next_repairs(
    tmp_path: Path, point: str
) -> None:
    old, new = _half(_corpus()), _corpus()
    _write(old, tmp_path, "old")
    before = _files(tmp_path)

    def stop(at: str) -> None:
        if at == point:
            raise Stop(at)

    with pytest.raises(Stop):
        _write(new, tmp_path, "new", hooks=stop)
    got = read_corpus(tmp_path)
    assert got is not None
    published_new = WRITE_POINTS.index(point) >= WRITE_POINTS.index("write.published")
    if not published_new:  # stopped before the swap: not even the run's own set is left
        assert _files(tmp_path) == before
    assert _same(got, new if published_new else old)  # one whole run, never a mix
    for spec in tables.TABLES:  # every top-level table whole and readable
        pq.read_table(tmp_path / f"{spec.name}.parquet")
    # The top-level files: the old run's until the manifest is swapped; then, until the
    # links are done, some old ones, which the next write repairs.
    assert is_consistent(tmp_path) == (not published_new)
    _write(new, tmp_path, "next")  # the next write repairs and cleans up
    assert is_consistent(tmp_path) and _same(read_corpus(tmp_path), new)  # type: ignore[arg-type]
    assert not list(tmp_path.glob(".*.tmp")) and not list((tmp_path / SETS).glob(".*"))
    assert len(list((tmp_path / SETS).iterdir())) <= 2


def test_a_folder_of_the_old_layout_reads_and_moves_to_table_sets(tmp_path: Path) -> None:
    processed = tmp_path / "processed"
    processed.mkdir()
    meta = {"schema_version": tables.SCHEMA_VERSION, "site": "s", "run_id": "legacy"}
    for spec, table in _corpus().items():
        exact = table.select(spec.names).cast(tables.arrow_schema(spec))
        pq.write_table(exact.replace_schema_metadata(meta), processed / f"{spec.name}.parquet")
    (processed / "manifest.json").write_text(json.dumps({**meta, "tables": {}}))
    current = published(processed)
    assert current is not None and current.name == "" and current.folder == processed
    assert _same(read_corpus(processed), _corpus())  # type: ignore[arg-type]
    assert len(api.read_table("posts", tmp_path)) == 65
    _write(_half(_corpus()), processed, "run-1")
    current = published(processed)
    assert current is not None and current.name.startswith(f"{SETS}/run-1.")
    assert is_consistent(processed) and _same(read_corpus(processed), _half(_corpus()))  # type: ignore[arg-type]
    assert len(api.read_table("posts", tmp_path)) == 32


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from etl.load.store import Corpus, write_corpus
    from etl.load.merge import merge
    from etl.settings import Settings
    from tests.expected_records import RUN_AT, snapshot_observations
    whole = merge(None, snapshot_observations(), full=True, settings=Settings()).corpus
    half = Corpus(**{s.name: t.slice(0, t.num_rows // 2) for s, t in whole.items()})
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        corpus = whole if n % 2 else half
        write_corpus(corpus, Path(sys.argv[1]), run_id=f"run-{n}", site="s", generated_at=RUN_AT)
    """
)


def test_readers_never_see_two_runs_while_runs_publish(tmp_path: Path) -> None:
    """A notebook reading in a loop while a writer publishes two different runs by turns: each
    read (the store's, the corpus API's) has the row counts of one run or the other."""
    data = tmp_path / "data"
    processed = data / "processed"
    whole, half = _corpus(), _half(_corpus())
    _write(whole, processed, "run-0")
    runs = [{spec.name: t.num_rows for spec, t in c.items()} for c in (whole, half)]
    names = list(api.TABLES)
    seen, reads = set(), 0
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(processed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
            # Enough reads to land between the writer's steps, and both runs seen; counted,
            # not timed, so a loaded machine only makes the test slower.
            deadline = time.monotonic() + 60
            while reads < 20 or len(seen) < 2:
                got = read_corpus(processed)
                assert got is not None
                counts = {spec.name: t.num_rows for spec, t in got.items()}
                assert counts in runs, counts
                frames = api.read_tables(names, data)
                counts = {name: len(frame) for name, frame in frames.items() if frame is not None}
                assert counts in [{n: r[n] for n in names} for r in runs], counts
                seen.add(counts["posts"])
                reads += 1
                assert time.monotonic() < deadline, "the writer never published twice"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
    assert reads >= 20 and len(seen) == 2


def test_a_reader_slower_than_two_publishes_still_reads_one_whole_run(tmp_path: Path) -> None:
    """The files of a set are opened before any is read: two runs published meanwhile remove
    the set, and what the reader had opened still reads as the run it started on."""
    whole, half = _corpus(), _half(_corpus())
    _write(whole, tmp_path, "run-0")
    current = published(tmp_path)
    assert current is not None and current.name
    names = [spec.name for spec in tables.TABLES]
    with current.opened(names) as files:
        _write(half, tmp_path, "run-1")
        _write(half, tmp_path, "run-2")
        assert not current.folder.exists()  # the set it opened is gone
        counts = {name: pq.read_table(f).num_rows for name, f in files.items()}
    assert counts == {spec.name: t.num_rows for spec, t in whole.items()}


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31])
def test_sigkill_during_writes_never_leaves_a_broken_table(tmp_path: Path, delay: float) -> None:
    before = _corpus()
    _write(before, tmp_path, "run-0")
    writer = _WRITER.replace("whole if n % 2 else half", "whole")
    with subprocess.Popen(
        [sys.executable, "-c", writer, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    for spec in tables.TABLES:
        pq.read_table(tmp_path / f"{spec.name}.parquet")  # every file complete and valid
    after = read_corpus(tmp_path)
    assert after is not None and _same(after, before)
    # The next write sweeps the killed run's temporary files and unpublished sets.
    _write(before, tmp_path, "run-x")
    assert not list(tmp_path.glob(".*.tmp")) and not list((tmp_path / SETS).glob(".*"))
    assert is_consistent(tmp_path)


def test_manifest_names_generated_at(tmp_path: Path) -> None:
    at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    write_corpus(_corpus(), tmp_path, run_id="run-9", site="s", generated_at=at)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["generated_at"] == "2025-03-01T00:00:00+00:00"


def test_tables_copied_without_their_sets_still_read(tmp_path: Path) -> None:
    _write(_corpus(), tmp_path / "a", "run-1")
    copy = tmp_path / "b"
    copy.mkdir()
    for path in (tmp_path / "a").glob("*.*"):  # what `cp processed/*.* elsewhere/` takes
        copy.joinpath(path.name).write_bytes(path.read_bytes())
    current = published(copy)
    assert current is not None and current.folder == copy
    assert _same(read_corpus(copy), _corpus())  # type: ignore[arg-type]


def test_a_stop_held_during_the_publication_waits_until_every_table_is_linked(
    tmp_path: Path,
) -> None:
    _write(_half(_corpus()), tmp_path, "old")
    held: list[str] = []

    @contextlib.contextmanager
    def publishing() -> Iterator[None]:
        yield
        held.append("done")
        raise Stop("held")  # as `Stop.held()` raises a signal that came during the block

    with pytest.raises(Stop):
        _write(_corpus(), tmp_path, "new", hooks=held.append, publishing=publishing())
    assert held[-2:] == ["write.linked_one", "done"]  # raised once the links were done
    assert is_consistent(tmp_path) and _same(read_corpus(tmp_path), _corpus())  # type: ignore[arg-type]
    assert len(list((tmp_path / SETS).iterdir())) == 2  # the new set and the one before
