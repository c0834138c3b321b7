"""The corpus on disk: each run's table set written apart, published by swapping the manifest.

Layout of the processed folder:

    manifest.json              names the published run and its set: {"set": "sets/<id>", ...}
    sets/<id>/<table>.parquet  one folder per run (<id>: run id + random), never changed
    <table>.parquet            hard links to the published set's files (where users open them)

A run writes its tables into a staging folder (every file fsynced), renames it to
`sets/<id>`, then swaps `manifest.json` atomically: that rename is the moment of
publication. Readers (`published()`, `read_corpus`, the corpus API, `etl stats`, the report)
read the manifest once and every table from the set it names, so a reader during a write sees
the whole previous run or the whole new one, never some of each. After the swap each
`<table>.parquet` is replaced atomically by a link to the new set's file, so it is always a
whole table, and (but for a crash in that short window, which the next write repairs) the
published run's. The previous set is kept for readers that read the manifest just before the
swap; older sets are removed. A folder written before table sets existed (tables only, no
`set` in the manifest) reads as it always did, and the next write moves it to this layout.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, BinaryIO

from etl.files import fsync_dir, temp_path, write_json
from etl.load import tables
from etl.load.hashing import CONTENT_HASH_VERSION

MANIFEST = "manifest.json"
SETS = "sets"
_SET_NAME = re.compile(r"^sets/[\w.-]+$")  # what a manifest may name (nothing outside sets/)
# The points `write_corpus` calls `hooks` at, in order: a test stops or kills a write there.
WRITE_POINTS = (
    "write.start",  # nothing of the run written yet
    "write.staged",  # every table of the run written and fsynced, in its staging folder
    "write.manifest",  # the set in place under sets/, the manifest not yet swapped
    "write.published",  # the manifest names the new set; the top-level links are still old
    "write.linked_one",  # one top-level table links to the new set, the others not yet
)
WriteHooks = Callable[[str], None]


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


def _write_parquet(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    with open(path, "wb") as f:
        pq.write_table(table, f, compression="zstd")
        f.flush()
        os.fsync(f.fileno())


def write_corpus(
    corpus: Corpus,
    processed_dir: Path,
    *,
    run_id: str,
    site: str,
    generated_at: dt.datetime,
    hooks: WriteHooks | None = None,
    publishing: contextlib.AbstractContextManager[object] | None = None,
) -> None:
    """Write every table (zstd Parquet) into the run's own set, then publish it: the manifest
    swapped, then the top-level links. `hooks(point)` is called at each of `WRITE_POINTS`;
    the publication runs inside `publishing` (the run's `Stop.held()`: a signal then waits
    until every table is linked). An error before the swap leaves no trace of the run."""
    at = hooks or (lambda point: None)
    folder = Path(processed_dir)
    (folder / SETS).mkdir(parents=True, exist_ok=True)
    before = published(folder)
    _sweep(folder, before)
    at("write.start")
    staging = Path(tempfile.mkdtemp(prefix=f".{run_id}.", suffix=".tmp", dir=folder / SETS))
    set_name = f"{SETS}/{staging.name[1 : -len('.tmp')]}"  # <run_id>.<random>: never reused
    try:
        meta = _meta(run_id, site, generated_at)
        _write_set(corpus, staging, meta)
        at("write.staged")
        os.replace(staging, folder / set_name)
        fsync_dir(folder / SETS)
        at("write.manifest")
        rows = {spec.name: table.num_rows for spec, table in corpus.items()}
        with publishing or contextlib.nullcontext():
            write_json({**meta, "tables": rows, "set": set_name}, folder / MANIFEST)
            at("write.published")
            _link_tables(folder, folder / set_name, at)
            _remove_sets(folder, {set_name, before.name if before is not None else ""})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if _manifest(folder).get("set") != set_name:  # never published: an unused set
            shutil.rmtree(folder / set_name, ignore_errors=True)


def _write_set(corpus: Corpus, staging: Path, meta: dict[str, str]) -> None:
    jobs = []
    for spec, table in corpus.items():
        exact = table.select(spec.names).cast(tables.arrow_schema(spec))
        jobs.append((exact.replace_schema_metadata(meta), staging / f"{spec.name}.parquet"))
    # Encoding and compressing release the GIL: the tables are written on both cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: _write_parquet(*job), jobs))
    fsync_dir(staging)


def _link_tables(folder: Path, set_dir: Path, at: WriteHooks = lambda point: None) -> None:
    """Point every top-level `<table>.parquet` at the set's file, each replaced atomically."""
    for i, spec in enumerate(tables.TABLES):
        source, tmp = set_dir / f"{spec.name}.parquet", temp_path(folder, spec.name)
        try:
            tmp.unlink()
            try:
                os.link(source, tmp)
            except OSError:  # a file system without hard links: a copy, renamed the same way
                shutil.copyfile(source, tmp)
            os.replace(tmp, folder / f"{spec.name}.parquet")
        finally:
            tmp.unlink(missing_ok=True)
        if i == 0:
            at("write.linked_one")
    fsync_dir(folder)


def _remove_sets(folder: Path, keep: set[str]) -> None:
    for path in (folder / SETS).iterdir():
        if f"{SETS}/{path.name}" not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _meta(run_id: str, site: str, generated_at: dt.datetime) -> dict[str, str]:
    return {
        "schema_version": tables.SCHEMA_VERSION,
        "content_hash_version": CONTENT_HASH_VERSION,  # of rows this run wrote (see hashing.py)
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
    final, tmp = folder / f"{spec.name}.parquet", temp_path(folder, spec.name)
    try:
        _write_parquet(exact.replace_schema_metadata(_meta(run_id, site, generated_at)), tmp)
        os.replace(tmp, final)
        fsync_dir(folder)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def _sweep(folder: Path, current: TableSet | None) -> None:
    """What a killed write left: temporary files and unpublished sets are removed, and the
    top-level tables linked again to the published set (a kill after the manifest swap)."""
    # Only one run writes at a time (the data folder's lock): nothing here is in use.
    for stale in folder.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    for staging in (folder / SETS).glob(".*.tmp"):
        shutil.rmtree(staging, ignore_errors=True)
    named = current is not None and current.name and current.folder.is_dir()
    if named and current is not None and not is_consistent(folder):
        _link_tables(folder, current.folder)


def file_metadata(path: Path | BinaryIO) -> dict[str, str]:
    """The file-level metadata of one table (schema_version, site, run_id, generated_at)."""
    import pyarrow.parquet as pq

    raw = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items() if not k.startswith(b"ARROW:")}


# What a merge needs; `documents` and `post_terms` are always derived afresh from these.
SOURCE_TABLES = ("posts", "teasers", "pages", "rejects", "boilerplate")


@dataclass(frozen=True, slots=True)
class TableSet:
    """The tables of one published run: `path(name)` is where each one is."""

    folder: Path
    name: str  # "sets/<id>" as the manifest names it; "" for a folder of the old layout
    manifest: dict[str, Any]

    @property
    def run_id(self) -> str | None:
        value = self.manifest.get("run_id")
        return value if isinstance(value, str) else None

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.parquet"

    def has(self, table: str) -> bool:
        """Whether the run wrote `table` (its file gone meanwhile is a FileNotFoundError on
        open, never an empty table)."""
        if self.name:
            listed = self.manifest.get("tables")
            return isinstance(listed, dict) and table in listed
        return self.path(table).exists()

    @contextlib.contextmanager
    def opened(self, names: Iterable[str]) -> Iterator[dict[str, BinaryIO]]:
        """The files of `names` the run wrote, every one opened before any is read: an open
        file stays readable when a later run removes its set, so a reader slower than two
        publishes still reads one whole run (a file gone before the opens: FileNotFoundError)."""
        with contextlib.ExitStack() as stack:
            yield {n: stack.enter_context(open(self.path(n), "rb")) for n in names if self.has(n)}


def published(processed_dir: Path) -> TableSet | None:
    """The set `manifest.json` names, read once; None when no run has written tables yet.

    Without a manifest that names a set (a folder of the old layout), or when the set is not
    there (the tables and the manifest were copied without `sets/`), the top-level files.
    """
    folder = Path(processed_dir)
    manifest = _manifest(folder)
    name = manifest.get("set")
    if isinstance(name, str) and _SET_NAME.match(name):
        if (folder / name).is_dir():
            return TableSet(folder / name, name, manifest)
        if _manifest(folder) != manifest:
            return published(folder)  # runs published meanwhile and removed that set
        # Else the set is not there at all: the files were copied without sets/.
    if (folder / "posts.parquet").exists() or (folder / "teasers.parquet").exists():
        return TableSet(folder, "", manifest)
    return None


def is_published(processed_dir: Path, run_id: str) -> bool:
    """Whether the manifest names `run_id`'s tables (a run stopped after its swap)."""
    return _manifest(Path(processed_dir)).get("run_id") == run_id


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def read_set(processed_dir: Path, read: Callable[[TableSet], Any], attempts: int = 5) -> Any:
    """`read(table_set)` on the published set; when a file of it vanished meanwhile (two runs
    published while it read), again on the set published now. None when there is no corpus."""
    for _ in range(attempts - 1):
        current = published(processed_dir)
        if current is None:
            return None
        try:
            return read(current)
        except FileNotFoundError:
            if published(processed_dir) == current:
                raise  # not a race: the set itself is incomplete
    current = published(processed_dir)
    return None if current is None else read(current)


def read_corpus(processed_dir: Path, only: Iterable[str] | None = None) -> Corpus | None:
    """The published corpus in `processed_dir`, or None when no run has written one yet.

    `only` names the tables to read (e.g. `SOURCE_TABLES`); the others read as empty, as does
    a missing file. A file of another schema version is refused (rebuild from `data/raw`).
    """
    wanted = None if only is None else set(only)
    result: Corpus | None = read_set(Path(processed_dir), lambda s: _read_tables(s, wanted))
    return result


def _read_tables(current: TableSet, only: set[str] | None) -> Corpus:
    import pyarrow.parquet as pq

    found: dict[str, Any] = {}
    wanted = [t.name for t in tables.TABLES if only is None or t.name in only]
    with current.opened(wanted) as files:
        for spec in tables.TABLES:
            schema = tables.arrow_schema(spec)
            if (f := files.get(spec.name)) is None:
                found[spec.name] = schema.empty_table()
                continue
            version = file_metadata(f).get("schema_version")
            if version != tables.SCHEMA_VERSION:
                raise ValueError(
                    f"{current.path(spec.name)} has schema version {version}, expected "
                    f"{tables.SCHEMA_VERSION}: rebuild the tables from data/raw"
                )
            found[spec.name] = pq.read_table(f).select(spec.names).cast(schema)
    return Corpus(**found)


def is_consistent(processed_dir: Path) -> bool:
    """True when every top-level table is the one of the run `manifest.json` names."""
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
