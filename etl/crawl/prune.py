"""Raw archive retention: drop old runs' WARC files and index lines, keep what is still needed.

Two readers of `data/raw/` must not notice a prune:
- the offline rebuild (`etl load`) reads the latest good response of every URL over all runs
  (`RawArchive.latest_entries()`);
- an incremental run asks conditionally with the validators of the latest good response of
  every URL among the runs whose pages reached the tables (`RawArchive.validators(runs)`).
A page that has answered 304 night after night has its only copy in the run that last got a
200 for it, however old. So a prune *compacts*: the newest `keep_runs` runs stay whole; from
every older run (and an earlier compacted file) the response records either reader still
needs, each with its request record, are copied byte for byte (digests and record ids intact)
into one new `<newest pruned run>.compact.warc.gz` with its own index and a warcinfo record;
only then are the old files deleted. Copied index lines keep their run id and fetch time, so
both readers pick exactly the records they picked before.

Crash safety: the compacted WARC and index are written to temporary files, fsynced and renamed
into place (WARC first) before anything is deleted; then old index files go before their WARC
files, so no index line ever points at a missing or different file. An interrupted prune
leaves at worst duplicate index lines (of identical records) or WARC files no index points
into, which the next prune removes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import secrets
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from etl.crawl.raw import IndexEntry, RawArchive
from etl.crawl.rawwriter import software
from etl.files import fsync_dir, temp_path

log = logging.getLogger(__name__)

INDEX, WARC, COMPACT = ".index.jsonl", ".warc.gz", ".compact"


@dataclass(frozen=True, slots=True)
class PruneResult:
    keep_runs: int
    pruned: tuple[str, ...]  # the runs whose files were removed, oldest first
    kept: tuple[str, ...]  # the runs kept whole
    copied: int  # responses of pruned runs still needed, now in the compacted file
    compacted: str | None  # the compacted WARC's name; None when nothing was copied
    bytes_before: int
    bytes_after: int

    def summary(self) -> str:
        if not self.pruned:
            return (
                f"nothing to prune: {len(self.kept)} run(s) in raw/ ({_mb(self.bytes_after)}), "
                f"keep_runs {self.keep_runs}" + (" keeps every run" if not self.keep_runs else "")
            )
        copied = f", {self.copied} still-needed response(s) in {self.compacted}"
        return (
            f"pruned {len(self.pruned)} run(s) ({self.pruned[0]} .. {self.pruned[-1]}); kept "
            f"{len(self.kept)} whole{copied if self.compacted else ''}; "
            f"raw/ {_mb(self.bytes_before)} -> {_mb(self.bytes_after)}"
        )


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def runs_in_tables(processed_dir: Path) -> set[str]:
    """The runs whose pages reached the tables (`pages.run_id`): what `needed` should be."""
    import pyarrow.parquet as pq

    path = Path(processed_dir) / "pages.parquet"
    if not path.exists():
        return set()
    return {r for r in pq.read_table(path, columns=["run_id"]).column(0).to_pylist() if r}


def prune(raw_dir: Path, keep_runs: int, *, needed: Collection[str]) -> PruneResult:
    """Keep the newest `keep_runs` runs whole (0: keep everything); from older runs keep only
    the responses the offline rebuild or the next run's conditional requests read.

    `needed`: the runs whose pages reached the tables, as the pipeline passes them to
    `RawArchive.validators` (`runs_in_tables(processed_dir)` reads them from the tables).
    Call it under the data folder's lock, after the run's tables are written.
    """
    if keep_runs < 0:
        raise ValueError(f"setting 'keep_runs': {keep_runs} is negative (0 keeps every run)")
    raw = Path(raw_dir)
    for temp in raw.glob(".prune.*.tmp"):  # an interrupted prune's
        temp.unlink(missing_ok=True)
    runs = sorted(_stems(raw, runs=True))
    before = _size(raw)
    if keep_runs == 0 or len(runs) <= keep_runs:
        return PruneResult(keep_runs, (), tuple(runs), 0, None, before, before)
    old, kept = runs[:-keep_runs], runs[-keep_runs:]
    # Earlier compacted files, old runs, and WARC files no index points into (an interrupted
    # prune's; a run creates its index right after its WARC) older than the kept runs.
    orphans = [p.name.removesuffix(WARC) for p in raw.glob(f"*{WARC}")]
    orphans = [o for o in orphans if o < kept[0] and not (raw / f"{o}{INDEX}").exists()]
    units = [*sorted(_stems(raw, runs=False)), *old, *orphans]
    warcs = {f"{stem}{WARC}" for stem in units}
    archive = RawArchive(raw)
    wanted = set(archive.latest_entries().values()) | set(archive.latest_entries(needed).values())
    entries = sorted(
        (e for e in wanted if e.warc in warcs), key=lambda e: (str(e.warc), e.offset or 0)
    )
    compacted, copied = None, 0
    if entries:
        compacted = _compact_stem(raw, old[-1])
        copied = _write_compacted(raw, compacted, entries, old)
    for unit in units:  # index lines first: none may point at a deleted file
        (raw / f"{unit}{INDEX}").unlink(missing_ok=True)
    fsync_dir(raw)
    for unit in units:
        (raw / f"{unit}{WARC}").unlink(missing_ok=True)
    fsync_dir(raw)
    return PruneResult(
        keep_runs,
        tuple(old),
        tuple(kept),
        copied,
        compacted and compacted + WARC,
        before,
        _size(raw),
    )


def _stems(raw: Path, *, runs: bool) -> Iterator[str]:
    """Run ids (`runs`) or compacted files' stems, from the index files present."""
    for path in raw.glob(f"*{INDEX}"):
        stem = path.name.removesuffix(INDEX)
        if stem.endswith(COMPACT) != runs:
            yield stem


def _size(raw: Path) -> int:
    return sum(p.stat().st_size for p in raw.glob("*") if p.is_file())


def _compact_stem(raw: Path, newest: str) -> str:
    """Named after the newest run it holds, so it sorts among the runs; never an existing name
    (replacing a file that index lines point into would mislead them until the next rename)."""
    stem = f"{newest}{COMPACT}"
    while (raw / f"{stem}{WARC}").exists() or (raw / f"{stem}{INDEX}").exists():
        stem = f"{newest}-{secrets.token_hex(3)}{COMPACT}"
    return stem


def _write_compacted(raw: Path, stem: str, entries: list[IndexEntry], runs: list[str]) -> int:
    """The needed records, copied as they are, into `<stem>.warc.gz` and its index, atomically;
    returns how many."""
    from warcio.warcwriter import WARCWriter

    info = {
        "software": software(),
        "format": "WARC File Format 1.0",
        "description": "responses still needed from runs pruned by `etl prune`, with their "
        "requests, copied unchanged",
        "etl-compacted-runs": f"{runs[0]} .. {runs[-1]}",
    }
    warc_tmp, index_tmp = temp_path(raw, "prune"), temp_path(raw, "prune")
    try:
        with warc_tmp.open("wb") as out, index_tmp.open("w", encoding="utf-8") as index:
            writer = WARCWriter(out, gzip=True)
            writer.write_record(writer.create_warcinfo_record(stem + WARC, info))
            copied = 0
            for entry, request, response in _records(raw, entries):
                copied += 1
                out.write(request)
                offset = out.tell()  # the index points at the response
                out.write(response)
                moved = dataclasses.replace(entry, warc=stem + WARC, offset=offset)
                index.write(json.dumps(dataclasses.asdict(moved)) + "\n")
            for stream in (out, index):
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(warc_tmp, raw / f"{stem}{WARC}")  # the WARC first: the index points into it
        os.replace(index_tmp, raw / f"{stem}{INDEX}")
        fsync_dir(raw)
    finally:
        warc_tmp.unlink(missing_ok=True)
        index_tmp.unlink(missing_ok=True)
    return copied


def _records(raw: Path, entries: Iterable[IndexEntry]) -> Iterator[tuple[IndexEntry, bytes, bytes]]:
    """Each entry with the raw gzip members to copy: its request record (empty for files of
    the first format, which have none) and its response record."""
    by_file: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        by_file.setdefault(str(entry.warc), []).append(entry)
    for name, group in by_file.items():
        requests = _request_spans(raw / name)
        with (raw / name).open("rb") as stream:
            for entry in group:
                assert entry.offset is not None and entry.length is not None
                span = requests.get(entry.offset)
                try:
                    request = b"" if span is None else _read(stream, *span)
                    response = _read(stream, entry.offset, entry.length)
                except ValueError as exc:  # no reader could use it either: not worth a failure
                    log.warning("not kept: %s", exc)
                    continue
                yield entry, request, response


def _read(stream: IO[bytes], offset: int, length: int) -> bytes:
    stream.seek(offset)
    data = stream.read(length)
    if len(data) != length:
        raise ValueError(f"{stream.name}: record at {offset} is cut short")
    return data


def _request_spans(path: Path) -> dict[int, tuple[int, int]]:
    """Response offset -> (offset, length) of the request record written just before it and
    linked to it; empty for files of the first format (responses only)."""
    from warcio.archiveiterator import ArchiveIterator

    spans: dict[int, tuple[int, int]] = {}
    request: tuple[str, int, int] | None = None
    with path.open("rb") as stream, contextlib.suppress(Exception):  # a torn tail: stop there
        records = ArchiveIterator(stream)
        for record in records:
            kind = record.rec_type
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            linked = record.rec_headers.get_header("WARC-Concurrent-To")
            records.read_to_end(record)
            offset, length = records.get_record_offset(), records.get_record_length()
            if kind == "response" and request is not None and request[0] == linked:
                spans[offset] = request[1:]
            request = (record_id, offset, length) if kind == "request" else None
    return spans
