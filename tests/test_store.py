"""Crash safety of the table writes: readers never see a half-written table."""

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.load import tables
from etl.load.merge import merge
from etl.load.store import Corpus, is_consistent, read_corpus, write_corpus
from etl.settings import Settings
from tests.expected_records import RUN_AT, snapshot_observations


def _corpus() -> Corpus:
    return merge(None, snapshot_observations(), full=True, settings=Settings()).corpus


def _same(a: Corpus, b: Corpus) -> bool:
    return all(x.equals(y) for (_, x), (_, y) in zip(a.items(), b.items(), strict=True))


def test_failed_write_leaves_previous_corpus_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(Corpus.empty(), tmp_path, run_id="old", site="s", generated_at=RUN_AT)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("etl.load.store._write_parquet", _fail_on_third(fail))
    with pytest.raises(OSError, match="disk full"):
        write_corpus(_corpus(), tmp_path, run_id="new", site="s", generated_at=RUN_AT)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp files left
    assert is_consistent(tmp_path)


def _fail_on_third(fail: object) -> object:
    from etl.load import store

    real, calls = store._write_parquet, []

    def write(table: object, path: Path) -> None:
        calls.append(path)
        if len(calls) == 3:
            fail()  # type: ignore[operator]
        real(table, path)

    return write


def test_crash_between_renames_leaves_valid_tables_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(Corpus.empty(), tmp_path, run_id="old", site="s", generated_at=RUN_AT)
    real, calls = os.replace, []

    def replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("power cut")
        real(src, dst)

    monkeypatch.setattr("etl.load.store.os.replace", replace)
    with pytest.raises(OSError, match="power cut"):
        write_corpus(_corpus(), tmp_path, run_id="new", site="s", generated_at=RUN_AT)
    monkeypatch.undo()
    assert not is_consistent(tmp_path)  # posts are new, the rest old: the manifest tells
    mixed = read_corpus(tmp_path)
    assert mixed is not None and mixed.posts.num_rows == 65 and mixed.teasers.num_rows == 0
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    # The next run merges the mixed set into a whole one.
    redone = merge(mixed, snapshot_observations(), full=True, settings=Settings()).corpus
    write_corpus(redone, tmp_path, run_id="next", site="s", generated_at=RUN_AT)
    assert is_consistent(tmp_path) and _same(redone, _corpus())


_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from pathlib import Path
    from etl.load.merge import merge
    from etl.settings import Settings
    from etl.load.store import write_corpus
    from tests.expected_records import snapshot_observations
    corpus = merge(None, snapshot_observations(), full=True, settings=Settings()).corpus
    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        write_corpus(corpus, Path(sys.argv[1]), run_id=f"run-{n}", site="s", generated_at=at)
    """
)


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31])
def test_sigkill_during_writes_never_leaves_a_broken_table(tmp_path: Path, delay: float) -> None:
    before = _corpus()
    write_corpus(before, tmp_path, run_id="run-0", site="s", generated_at=RUN_AT)
    root = Path(__file__).parent.parent
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(tmp_path)],
        cwd=root,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(root)},
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    for spec in tables.TABLES:
        pq.read_table(tmp_path / f"{spec.name}.parquet")  # every file complete and valid
    after = read_corpus(tmp_path)
    assert after is not None and _same(after, before)
    # The next write sweeps the killed run's temporary files.
    write_corpus(before, tmp_path, run_id="run-x", site="s", generated_at=RUN_AT)
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_manifest_names_the_run(tmp_path: Path) -> None:
    at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    write_corpus(_corpus(), tmp_path, run_id="run-9", site="s", generated_at=at)
    import json

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["run_id"] == "run-9" and manifest["tables"]["posts"] == 65
    assert manifest["schema_version"] == tables.SCHEMA_VERSION
    assert is_consistent(tmp_path)
