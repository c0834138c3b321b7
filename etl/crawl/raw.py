"""The raw archive in `data/raw/`: every response of every run, so the corpus can be rebuilt
without touching the site. Here: its index lines, run ids, and reading it back without the
network; `rawwriter.py` writes it.

One run writes `<run_id>.warc.gz` (ISO 28500, one gzip member per record, built by warcio and
compressed at `rawwriter.GZIP_LEVEL`) and
`<run_id>.index.jsonl` (one line per fetch: URL, time, status, payload digest, validators, file,
offset, length of its response record). The WARC file is laid out as wget and Heritrix write
theirs, so replay tools (pywb) and archive indexers take it as it is: a `warcinfo` record first
(software, site, the run's settings, the robots policy), then for each response a `request`
record with the headers really sent and the `response` record, linked both ways by
`WARC-Concurrent-To`, each with its block and payload digests. Files of older versions (only
response records) read back the same: the index points at the responses.

A run killed mid-way leaves its files readable up to the last complete record (see
`rawwriter.py`); a torn last index line is skipped on read.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.records import Fetch

log = logging.getLogger(__name__)

# Headers that describe the transfer, not the payload we store, or that carry credentials.
_DROP = {"set-cookie", "cookie", "authorization", "content-encoding", "transfer-encoding"}


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One line of the index: where a fetch's response record lives."""

    url: str
    fetched_at: str  # ISO 8601, UTC
    status: int | None
    digest: str | None  # WARC-Payload-Digest
    etag: str | None
    last_modified: str | None
    warc: str | None  # file name inside raw_dir; None for fetches without a response
    offset: int | None
    length: int | None
    run_id: str
    error: str | None = None


def new_run_id(now: dt.datetime | None = None) -> str:
    """Sorts in time order: `20261123T090221Z-4071a2` (the suffix: milliseconds, then three
    random hex digits), so two runs in the same second still sort as they ran: retention and
    "the latest response" rely on that order."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{now.microsecond // 1000:03d}{secrets.token_hex(2)[:3]}"


def clean_headers(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The headers worth keeping: no cookies, no credentials, no transfer encodings."""
    return tuple((k, v) for k, v in headers if k.lower() not in _DROP)


class RawArchive:
    """Reads the archive back, without the network."""

    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = Path(raw_dir)

    def entries(self) -> Iterator[IndexEntry]:
        """Every index line of every run, oldest run first; torn lines skipped."""
        for path in sorted(self.raw_dir.glob("*.index.jsonl")):
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        yield IndexEntry(**json.loads(line))
                    except (ValueError, TypeError):
                        log.warning("skipping a torn index line in %s", path.name)

    def latest_entries(self, runs: Collection[str] | None = None) -> dict[str, IndexEntry]:
        """The latest good (200) entry of each URL, among the given runs' when `runs` is set."""
        latest: dict[str, IndexEntry] = {}
        for entry in self.entries():
            if runs is not None and entry.run_id not in runs:
                continue
            if entry.status == 200 and entry.warc is not None:
                old = latest.get(entry.url)
                if old is None or (entry.fetched_at, entry.run_id) >= (old.fetched_at, old.run_id):
                    latest[entry.url] = entry
        return latest

    def latest(self) -> Iterator[Fetch]:
        """The latest good response of each URL, in URL order; unreadable records skipped."""
        for url, entry in sorted(self.latest_entries().items()):
            try:
                yield self.read(entry)
            except Exception as exc:  # a record cut short by a crash is lost, not fatal
                log.warning("cannot read %s from %s: %s", url, entry.warc, exc)

    def validators(
        self, runs: Collection[str] | None = None
    ) -> dict[str, tuple[str | None, str | None]]:
        """URL -> (ETag, Last-Modified) of its latest good response, for conditional requests.

        Pass the runs whose pages reached the tables: a run killed before its tables were
        written must not make the next one skip (304) pages whose posts were never loaded.
        """
        return {u: (e.etag, e.last_modified) for u, e in self.latest_entries(runs).items()}

    def read(self, entry: IndexEntry) -> Fetch:
        """The fetch an index entry points at, read from its WARC record."""
        from warcio.archiveiterator import ArchiveIterator

        if entry.warc is None or entry.offset is None:
            raise ValueError(f"no response record for {entry.url}: {entry.error}")
        with (self.raw_dir / entry.warc).open("rb") as stream:
            stream.seek(entry.offset)
            record = next(iter(ArchiveIterator(stream)))
            body = record.content_stream().read()
            headers = tuple(record.http_headers.headers)
            status = int(record.http_headers.get_statuscode())
            url = record.rec_headers.get_header("WARC-Target-URI")
        return Fetch(
            url=url,
            status=status,
            fetched_at=dt.datetime.fromisoformat(entry.fetched_at),
            headers=headers,
            body=body,
        )
