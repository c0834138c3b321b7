"""The corpus on disk: read the tables back, write a run's tables atomically.

Guarantee: every `*.parquet` in the processed folder is always a complete, valid table of the
declared schema. A run writes every table to a temporary file in the same folder (fsynced)
before it renames any into place, so a failure while writing leaves the previous corpus
untouched. A crash in the short window between two renames can leave files of two runs side
by side, each valid; `manifest.json`, renamed last, names the run that wrote the whole set, and
`is_consistent()` tells a reader whether every file carries that run id. The next run reads
such a mixed set fine: it merges, it does not trust derived tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from etl.load import tables
from etl.testpoint import pause

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Corpus:
    """Every table of the corpus as a `pyarrow.Table` of its declared schema."""

    posts: Any
    teasers: Any
    documents: Any
    post_terms: Any
    pages: Any
    rejects: Any
    boilerplate: Any

    @classmethod
    def empty(cls) -> Corpus:
        return cls(**{t.name: tables.arrow_schema(t).empty_table() for t in tables.TABLES})

    def items(self) -> Iterator[tuple[tables.Table, Any]]:
        by_name = {t.name: t for t in tables.TABLES}
        for f in fields(self):
            yield by_name[f.name], getattr(self, f.name)


def _fsync_dir(folder: Path) -> None:
    # Makes the renames themselves durable; not every platform can open a directory.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_path(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


def _write_parquet(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    with open(path, "wb") as f:
        pq.write_table(table, f, compression="zstd")
        f.flush()
        os.fsync(f.fileno())


def write_corpus(
    corpus: Corpus, processed_dir: Path, *, run_id: str, site: str, generated_at: dt.datetime
) -> None:
    """Write every table (zstd Parquet) and then `manifest.json`, each atomically."""
    folder = Path(processed_dir)
    folder.mkdir(parents=True, exist_ok=True)
    meta = _meta(run_id, site, generated_at)
    _sweep(folder)
    pause("write.start")
    staged: list[tuple[Path, Path]] = []
    try:
        jobs = []
        for spec, table in corpus.items():
            schema = tables.arrow_schema(spec)
            tmp = _temp_path(folder, spec.name)
            staged.append((tmp, folder / f"{spec.name}.parquet"))
            exact = table.select(spec.names).cast(schema).replace_schema_metadata(meta)
            jobs.append((exact, tmp))
        # Encoding and compressing release the GIL: the tables are written on both cores.
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda job: _write_parquet(*job), jobs))
        pause("write.staged")
        for i, (tmp, final) in enumerate(staged):
            os.replace(tmp, final)
            if i == 0:
                pause("write.renamed_one")
        _fsync_dir(folder)
        pause("write.manifest")
        rows = {spec.name: table.num_rows for spec, table in corpus.items()}
        write_json({**meta, "tables": rows}, folder / MANIFEST)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def _meta(run_id: str, site: str, generated_at: dt.datetime) -> dict[str, str]:
    return {
        "schema_version": tables.SCHEMA_VERSION,
        "site": site,
        "run_id": run_id,
        "generated_at": generated_at.astimezone(dt.UTC).isoformat(),
    }


def write_table(
    spec: tables.Table,
    table: Any,
    processed_dir: Path,
    *,
    run_id: str,
    site: str,
    generated_at: dt.datetime,
) -> Path:
    """Write one table outside the merged set (the audit's) atomically, cast to its schema."""
    folder = Path(processed_dir)
    folder.mkdir(parents=True, exist_ok=True)
    schema = tables.arrow_schema(spec)
    exact = table.select(spec.names).cast(schema)
    final, tmp = folder / f"{spec.name}.parquet", _temp_path(folder, spec.name)
    try:
        _write_parquet(exact.replace_schema_metadata(_meta(run_id, site, generated_at)), tmp)
        os.replace(tmp, final)
        _fsync_dir(folder)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def _sweep(folder: Path) -> None:
    # Temporary files of a killed run; only one run writes at a time (the data folder's lock).
    for stale in folder.glob(".*.tmp"):
        stale.unlink(missing_ok=True)


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write JSON atomically: a temp file in the same folder, fsync, rename."""
    tmp = _temp_path(path.parent, path.name)
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def file_metadata(path: Path) -> dict[str, str]:
    """The file-level metadata of one table (schema_version, site, run_id, generated_at)."""
    import pyarrow.parquet as pq

    raw = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items() if not k.startswith(b"ARROW:")}


# What a merge needs; `documents` and `post_terms` are always derived afresh from these.
SOURCE_TABLES = ("posts", "teasers", "pages", "rejects", "boilerplate")


def read_corpus(processed_dir: Path, only: Iterable[str] | None = None) -> Corpus | None:
    """The corpus in `processed_dir`, or None when no run has written one yet.

    `only` names the tables to read (e.g. `SOURCE_TABLES`); the others read as empty, as does
    a missing file. A file of another schema version is refused (rebuild from `data/raw`).
    """
    import pyarrow.parquet as pq

    folder = Path(processed_dir)
    if not (folder / "posts.parquet").exists() and not (folder / "teasers.parquet").exists():
        return None
    found: dict[str, Any] = {}
    for spec in tables.TABLES:
        path = folder / f"{spec.name}.parquet"
        schema = tables.arrow_schema(spec)
        if not path.exists() or (only is not None and spec.name not in only):
            found[spec.name] = schema.empty_table()
            continue
        version = file_metadata(path).get("schema_version")
        if version != tables.SCHEMA_VERSION:
            raise ValueError(
                f"{path} has schema version {version}, expected {tables.SCHEMA_VERSION}: "
                "rebuild the tables from data/raw"
            )
        found[spec.name] = pq.read_table(path).select(spec.names).cast(schema)
    return Corpus(**found)


def is_consistent(processed_dir: Path) -> bool:
    """True when every table was written by the run `manifest.json` names."""
    folder = Path(processed_dir)
    try:
        run_id = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["run_id"]
        return all(
            file_metadata(folder / f"{t.name}.parquet").get("run_id") == run_id
            for t in tables.TABLES
        )
    except (OSError, KeyError, ValueError):
        return False


def check_site(processed_dir: Path, site: str) -> None:
    """Refuse to merge one site's posts into another site's corpus (URLs are the key)."""
    manifest = Path(processed_dir) / MANIFEST
    if not manifest.exists():
        return
    stored = json.loads(manifest.read_text(encoding="utf-8")).get("site")
    if stored and stored.rstrip("/") != site.rstrip("/"):
        raise ValueError(
            f"{processed_dir} holds the corpus of {stored}, not {site}: use another --data-dir"
        )
