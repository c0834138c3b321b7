"""Writes one run's raw archive (the format: `raw.py`): a `warcinfo` record first, then for
each fetch its `request` and `response` records and one index line, from a thread of its own.

Both files are appended in place and flushed after every record, so a run killed mid-way
(even by SIGKILL: the kernel keeps what a dead process wrote) leaves earlier runs untouched and
its own files readable up to the last complete record; a torn last index line is skipped on
read. They are fsynced every `SYNC_RECORDS` records or `SYNC_SECONDS` seconds and at close,
not after every record (an fsync per record cost a fifth of a fast crawl's time): a power loss
or kernel crash may lose the last seconds of a run, which the next run fetches again
(validators come only from runs whose pages reached the tables). File names come from the run
id only, never from URLs. Bodies are stored decoded (no Content-Encoding) and cookies or
credentials are never stored.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import queue
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import asdict, fields
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from etl import __version__
from etl.crawl.raw import IndexEntry, clean_headers, new_run_id
from etl.records import Fetch
from etl.settings import Settings

log = logging.getLogger(__name__)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


# fsync at least this often; every record is flushed to the kernel at once regardless.
SYNC_RECORDS = 256
SYNC_SECONDS = 2.0
# zlib's fastest level: 0.31 of the HTML's size against 0.27 at warcio's level 9, in 40% of
# the time (a 35 KB archive page: ~250 µs against ~650 µs, the writer's biggest cost).
GZIP_LEVEL = 1
# Fetches waiting for the writer thread; when full, `write` waits (a slow disk slows the crawl
# instead of filling memory). A SIGKILL loses these, never a record already written.
QUEUE_RECORDS = 64


# What wget and Heritrix write into their warcinfo records (WARC 1.0 annex's field names).
_FORMAT = {
    "format": "WARC File Format 1.0",
    "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
}
# Settings that say where the files went or how the terminal looked, not how we crawled.
_LOCAL_SETTINGS = {"data_dir", "progress"}


def software() -> str:
    from importlib.metadata import version

    return f"etl/{__version__} (warcio/{version('warcio')})"


def warcinfo_fields(settings: Settings) -> dict[str, str]:
    """The warcinfo fields of a run with these settings, for `RawWriter(info=...)`."""
    crawl = {
        f.name: getattr(settings, f.name) for f in fields(settings) if f.name not in _LOCAL_SETTINGS
    }
    return {
        "isPartOf": settings.site,
        "description": f"cssamerica-etl crawl of {settings.site}",
        "http-header-user-agent": settings.user_agent,
        # robots.txt is always obeyed (RFC 9309: 5xx means disallow all, 404 allow all).
        "robots": "obey",
        "etl-settings": json.dumps(crawl, default=str, sort_keys=True),
    }


def _sync(stream: IO[Any]) -> None:
    stream.flush()
    os.fsync(stream.fileno())


class RawWriter:
    """Appends one run's responses to its WARC file and index: each record flushed at once,
    fsynced in batches (see the module's docstring) and at close.

    Records are written by a thread of the writer's own, in the order `write` was called:
    gzip, hashing and file writes release the GIL, so they overlap the crawler's receiving
    instead of blocking its event loop. A failed write (disk full) is raised by the next
    `write` or at close; the fetches after it are not archived.
    """

    def __init__(
        self, raw_dir: Path, run_id: str | None = None, info: Mapping[str, str] | None = None
    ) -> None:
        """`info`: the warcinfo record's fields beyond software and format, usually
        `warcinfo_fields(settings)`."""
        self.raw_dir = Path(raw_dir)
        self.run_id = run_id or new_run_id()
        self.warc_path = self.raw_dir / f"{self.run_id}.warc.gz"
        self.index_path = self.raw_dir / f"{self.run_id}.index.jsonl"
        self.info = {"software": software(), **_FORMAT, "etl-run-id": self.run_id, **(info or {})}
        self.records = 0

    def __enter__(self) -> RawWriter:
        from warcio.warcwriter import WARCWriter

        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self._warc = self.warc_path.open("xb")
        self._index = self.index_path.open("x", encoding="utf-8")
        # warcio writes each record uncompressed into a buffer; `_put` compresses it into one
        # gzip member, as warcio's own gzip=True does, but at GZIP_LEVEL instead of 9.
        self._record = io.BytesIO()
        self._writer = WARCWriter(self._record, gzip=False)
        self._put(self._writer.create_warcinfo_record(self.warc_path.name, self.info))
        self._warc.flush()
        self._unsynced, self._synced_at = 0, time.monotonic()
        self._queue: queue.Queue[Fetch | None] = queue.Queue(QUEUE_RECORDS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="etl-raw-writer", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._queue.put(None)
        self._thread.join()
        try:
            if self._error is None:
                self._sync()
        finally:
            self._warc.close()
            self._index.close()
        if self._error is not None and exc is None:
            raise self._error

    def write(self, fetch: Fetch) -> None:
        """Archive one fetch (queued): a response record when a response arrived, an index
        line always."""
        if self._error is not None:
            raise self._error
        self._queue.put(fetch)
        self.records += 1

    def _drain(self) -> None:
        while (fetch := self._queue.get()) is not None:
            if self._error is None:  # after a failure, only empty the queue
                try:
                    self._write(fetch)
                except BaseException as exc:  # handed to the caller's thread
                    log.error("cannot write to the raw archive %s: %s", self.warc_path, exc)
                    self._error = exc

    def _sync(self) -> None:
        """The WARC file before the index, so no index line points past the durable data."""
        _sync(self._warc)
        _sync(self._index)
        self._unsynced, self._synced_at = 0, time.monotonic()

    def _write(self, fetch: Fetch) -> None:
        headers = clean_headers(fetch.headers)
        entry = IndexEntry(
            url=fetch.url,
            fetched_at=fetch.fetched_at.astimezone(dt.UTC).isoformat(),
            status=fetch.status,
            digest=None,
            etag=_header(headers, "etag"),
            last_modified=_header(headers, "last-modified"),
            warc=None,
            offset=None,
            length=None,
            run_id=self.run_id,
            error=fetch.error,
        )
        if fetch.status is not None:
            entry = self._write_record(fetch, headers, entry)
        self._index.write(json.dumps(asdict(entry)) + "\n")
        self._index.flush()
        self._unsynced += 1
        if self._unsynced >= SYNC_RECORDS or time.monotonic() - self._synced_at >= SYNC_SECONDS:
            self._sync()

    def _write_record(
        self, fetch: Fetch, headers: tuple[tuple[str, str], ...], entry: IndexEntry
    ) -> IndexEntry:
        from warcio.statusandheaders import StatusAndHeaders

        # The body is stored decoded, so its length replaces whatever the server announced.
        kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
        kept.append(("Content-Length", str(len(fetch.body))))
        http = StatusAndHeaders(f"{fetch.status} {_reason(fetch.status)}", kept, "HTTP/1.1")
        date = fetch.fetched_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        ids = {"WARC-Date": date, "WARC-Record-ID": _record_id()}
        request = self._request_record(fetch, date)
        if request is not None:
            ids["WARC-Concurrent-To"] = request.rec_headers.get_header("WARC-Record-ID")
            request.rec_headers.add_header("WARC-Concurrent-To", ids["WARC-Record-ID"])
            self._put(request)
        record = self._writer.create_warc_record(
            fetch.url,
            "response",
            payload=io.BytesIO(fetch.body),
            length=len(fetch.body),
            http_headers=http,
            warc_headers_dict=ids,
        )
        offset = self._warc.tell()
        self._put(record)
        self._warc.flush()  # before its index line, so a line never points past the file
        return _replace(
            entry,
            digest=record.rec_headers.get_header("WARC-Payload-Digest"),
            warc=self.warc_path.name,
            offset=offset,
            length=self._warc.tell() - offset,
        )

    def _put(self, record: Any) -> None:
        """One record, as one gzip member, appended to the WARC file (not flushed)."""
        self._record.seek(0)
        self._record.truncate()
        self._writer.write_record(record)
        self._warc.write(zlib.compress(self._record.getbuffer(), GZIP_LEVEL, wbits=31))

    def _request_record(self, fetch: Fetch, date: str) -> Any:
        """The request as sent, or None when the fetch does not say which headers went out
        (a request record without them would misstate the exchange)."""
        from warcio.statusandheaders import StatusAndHeaders

        if not fetch.request_headers:
            return None
        parts = urlsplit(fetch.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = list(clean_headers(fetch.request_headers))
        http = StatusAndHeaders(f"GET {target} HTTP/1.1", sent, is_http_request=True)
        return self._writer.create_warc_record(
            fetch.url, "request", http_headers=http, warc_headers_dict={"WARC-Date": date}
        )


def _record_id() -> str:
    import uuid

    return f"<urn:uuid:{uuid.uuid4()}>"


def _replace(entry: IndexEntry, **changes: Any) -> IndexEntry:
    return IndexEntry(**{**asdict(entry), **changes})


def _reason(status: int | None) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status or 0).phrase
    except ValueError:
        return "Unknown"
