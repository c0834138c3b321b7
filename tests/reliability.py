"""Shared helpers of the reliability tests: run the real `etl corpus` and read its tables.

Every run goes through the real pipeline: the replay server over HTTP on 127.0.0.1, the raw
archive and the Parquet tables in a temporary folder. Columns that differ from run to run by
nature (fetch times, run ids) are left out when two runs' tables are compared.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from etl.pipeline import run_corpus
from etl.replay.server import ReplayServer, serve
from etl.runlog import RunReport
from etl.settings import Settings
from tests.replay_settings import fast_settings

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(__file__).parent / "fixtures" / "site"
SNAP1, SNAP2 = SITE / "snapshot-1", SITE / "snapshot-2"
# Run-specific by nature: when, and by which run, a row was seen or written.
RUN_COLUMNS = frozenset(
    {"first_seen_at", "last_seen_at", "fetched_at", "run_id", "seen_at", "learned_at"}
)
PUBLISHED = ("posts", "teasers", "documents")
# Short timeouts and waits so retries take milliseconds, not seconds.
FAST_ENV = {
    "ETL_RETRY_INITIAL": "0.01",
    "ETL_RETRY_MAX_WAIT": "0.3",
    "ETL_READ_TIMEOUT": "0.5",
    "ETL_CONNECT_TIMEOUT": "1",
    "ETL_CONCURRENCY": "4",
}


def settings(srv: ReplayServer, data_dir: Path, **kw: Any) -> Settings:
    return fast_settings(srv, data_dir, **{"retry_max_wait": 0.3, "read_timeout": 0.5, **kw})


def run(srv: ReplayServer, data_dir: Path, **kw: Any) -> RunReport:
    """`etl corpus` in this process (for reference runs; it is the same code path)."""
    return run_corpus(settings(srv, data_dir, **kw))


def command(site: str, data_dir: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "etl", "corpus", "--site", site, "--data-dir", str(data_dir),
        "--rate", "0", "--quiet", *extra,
    ]  # fmt: skip


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETL_")}
    env.update(FAST_ENV)
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def cli(
    site: str, data_dir: Path, *extra: str, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m etl corpus` as cron runs it; cwd is the data folder (no stray etl.toml)."""
    return subprocess.run(
        command(site, data_dir, *extra),
        env=cli_env(**env),
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# Each replay server has its own port: URLs are compared with the origin taken out.
_ORIGIN = re.compile(r"http://127\.0\.0\.1:\d+")


def _site_free(value: Any) -> Any:
    if isinstance(value, str):
        return _ORIGIN.sub("SITE", value)
    if isinstance(value, list):
        return [_site_free(v) for v in value]
    return value


def rows(path: Path) -> list[dict[str, Any]]:
    """A table's rows without run-specific columns or the server's origin, in file order."""
    table = pq.read_table(path)
    keep = [n for n in table.column_names if n not in RUN_COLUMNS]
    return [{k: _site_free(v) for k, v in row.items()} for row in table.select(keep).to_pylist()]


def content(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table of the corpus, run-specific columns left out."""
    folder = data_dir / "processed"
    return {p.stem: rows(p) for p in sorted(folder.glob("*.parquet"))}


def hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` by content: the published tables, their sets, the manifest."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def published_urls(data_dir: Path) -> dict[str, set[str]]:
    folder = data_dir / "processed"
    return {
        name: set(pq.read_table(folder / f"{name}.parquet", columns=["url"])["url"].to_pylist())
        for name in PUBLISHED
    }


def reports(data_dir: Path) -> list[dict[str, Any]]:
    """The run reports, oldest first."""
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((data_dir / "runs").glob("*.json"))
    ]


def rejects(data_dir: Path) -> list[dict[str, Any]]:
    return pq.read_table(data_dir / "processed" / "rejects.parquet").to_pylist()


def snapshot_1_then_2(srv: ReplayServer, data: Path) -> None:
    """The earlier corpus a case starts from: a run on snapshot-1; the site then moves on."""
    assert run(srv, data).exit_status == 0
    srv.swap(SNAP2)


def never_interrupted(data: Path) -> dict[str, Any]:
    """The tables' content after snapshot-1, then snapshot-2, each run left alone: what a
    killed or interrupted run's rerun must equal."""
    with serve(SNAP1) as srv:
        snapshot_1_then_2(srv, data)
        assert run(srv, data).exit_status == 0
    return content(data)
