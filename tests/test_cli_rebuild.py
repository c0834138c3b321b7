"""`etl rebuild` and its alias `etl load` from the command line: on a copy of the demo's data
folder with its tables removed, each rebuilds them from the raw archive alone (the replay
server is gone), and both give the same tables, the crawled corpus's own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from etl.cli.main import main

TABLES = ("posts", "teasers", "documents", "post_terms", "boilerplate", "rejects", "pages")
# Columns that only say when (run ids, fetch times).
RUN_COLUMNS = {"first_seen_at", "last_seen_at", "fetched_at", "run_id", "seen_at", "learned_at"}


def content(data_dir: Path, name: str) -> list[dict[str, Any]]:
    rows = pq.read_table(data_dir / "processed" / f"{name}.parquet").to_pylist()
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in rows]


def without_tables(demo: Path, folder: Path) -> Path:
    shutil.copytree(demo, folder)
    for table in (folder / "processed").glob("*.parquet"):
        table.unlink()
    return folder


def test_rebuild_and_load_rebuild_equal_tables_from_raw(
    demo_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = json.loads((demo_corpus / "processed" / "manifest.json").read_text())["site"]
    folders = {}
    for command in ("rebuild", "load"):
        folders[command] = without_tables(demo_corpus, tmp_path / command)
        assert main([command, "--site", site, "--data-dir", str(folders[command]), "-q"]) == 0
        assert capsys.readouterr().err == "", command
    for name in TABLES:
        assert content(folders["rebuild"], name) == content(folders["load"], name), name
        if name != "pages":  # the log of every run's pages: a rebuild adds its own
            assert content(folders["rebuild"], name) == content(demo_corpus, name), name
