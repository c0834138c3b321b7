"""The raw archive: WARC records that read back with warcio, an index, crash safety."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from etl.crawl.raw import RawArchive, RawWriter, new_run_id
from etl.records import Fetch

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
URL = "http://127.0.0.1:1/category/x/"


def fetch(url: str, status: int | None, body: bytes = b"", minutes: int = 0, **kw: object) -> Fetch:
    headers = (
        ("Content-Type", "text/html; charset=UTF-8"),
        ("ETag", f'"{minutes}"'),
        ("Last-Modified", "Thu, 01 Jan 2026 12:00:00 GMT"),
        ("Set-Cookie", "session=secret"),
        ("Content-Encoding", "gzip"),
    )
    return Fetch(url, status, T0 + dt.timedelta(minutes=minutes), headers, body, **kw)  # type: ignore[arg-type]


def records(path: Path) -> list[tuple[str, str, bytes]]:
    with path.open("rb") as stream:
        return [
            (
                r.rec_headers.get_header("WARC-Target-URI"),
                r.http_headers.statusline,
                r.raw_stream.read(),
            )
            for r in ArchiveIterator(stream)
            if r.rec_type == "response"
        ]


def test_responses_read_back_with_warcio_without_cookies(tmp_path: Path) -> None:
    with RawWriter(tmp_path, "run-a") as writer:
        writer.write(fetch(URL, 200, b"<html>one</html>"))
        writer.write(fetch(URL + "page/9/", 404, b"not found"))
        writer.write(fetch(URL + "page/2/", None, error="gave up after 4 attempts: 503"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-a.index.jsonl", "run-a.warc.gz"]
    assert records(tmp_path / "run-a.warc.gz") == [
        (URL, "200 OK", b"<html>one</html>"),
        (URL + "page/9/", "404 Not Found", b"not found"),
    ]
    raw = (tmp_path / "run-a.warc.gz").read_bytes()
    assert b"secret" not in raw and b"Set-Cookie" not in raw
    lines = [json.loads(line) for line in (tmp_path / "run-a.index.jsonl").read_text().splitlines()]
    assert [(e["url"], e["status"], e["warc"]) for e in lines] == [
        (URL, 200, "run-a.warc.gz"),
        (URL + "page/9/", 404, "run-a.warc.gz"),
        (URL + "page/2/", None, None),
    ]
    assert lines[0]["digest"].startswith("sha1:") and lines[0]["etag"] == '"0"'
    assert lines[2]["error"] == "gave up after 4 attempts: 503"


def test_latest_good_response_of_each_url_across_runs(tmp_path: Path) -> None:
    with RawWriter(tmp_path, "run-1") as writer:
        writer.write(fetch(URL, 200, b"old", minutes=0))
        writer.write(fetch(URL + "page/2/", 200, b"two", minutes=1))
    with RawWriter(tmp_path, "run-2") as writer:
        writer.write(fetch(URL, 200, b"new", minutes=10))
        writer.write(fetch(URL + "page/2/", 503, b"down", minutes=11))  # not good: kept out
        writer.write(fetch(URL + "page/3/", 304, minutes=12))
    archive = RawArchive(tmp_path)
    latest = {f.url: f for f in archive.latest()}
    assert {u: f.body for u, f in latest.items()} == {URL: b"new", URL + "page/2/": b"two"}
    page = latest[URL]
    assert page.status == 200 and page.fetched_at == T0 + dt.timedelta(minutes=10)
    assert ("ETag", '"10"') in page.headers
    assert {k.lower() for k, _ in page.headers}.isdisjoint({"set-cookie", "content-encoding"})
    assert archive.validators() == {
        URL: ('"10"', "Thu, 01 Jan 2026 12:00:00 GMT"),
        URL + "page/2/": ('"1"', "Thu, 01 Jan 2026 12:00:00 GMT"),
    }


def test_a_warc_cut_mid_record_reads_back_up_to_the_last_complete_record(tmp_path: Path) -> None:
    with RawWriter(tmp_path, "run-cut") as writer:
        for i in range(3):
            writer.write(fetch(f"{URL}page/{i + 1}/", 200, f"body {i} ".encode() * 500))
    warc = tmp_path / "run-cut.warc.gz"
    entries = list(RawArchive(tmp_path).entries())
    last = entries[-1]
    assert last.offset is not None and last.length is not None
    assert last.offset + last.length == warc.stat().st_size
    with warc.open("r+b") as stream:  # the crash: the last record half written
        stream.truncate(last.offset + last.length // 2)
    with (tmp_path / "run-cut.index.jsonl").open("a") as index:
        index.write('{"url": "torn')  # and an index line cut short
    readable = []
    with warc.open("rb") as stream:
        try:
            for record in ArchiveIterator(stream):
                readable.append(record.rec_headers.get_header("WARC-Target-URI"))
                record.content_stream().read()
        except Exception:
            pass  # the torn tail
    assert readable[:2] == [f"{URL}page/1/", f"{URL}page/2/"]
    bodies = {f.url: f.body for f in RawArchive(tmp_path).latest()}
    assert bodies == {f"{URL}page/{i + 1}/": f"body {i} ".encode() * 500 for i in range(2)}


def test_run_ids_sort_by_time_and_name_the_files(tmp_path: Path) -> None:
    early, late = new_run_id(T0), new_run_id(T0 + dt.timedelta(seconds=1))
    assert early < late and early.startswith("20260101T120000Z-")
    with RawWriter(tmp_path) as writer:
        writer.write(fetch("http://127.0.0.1:1/../../etc/passwd", 200, b"x"))
    assert writer.warc_path.parent == tmp_path
    assert writer.warc_path.name == f"{writer.run_id}.warc.gz"


def test_a_failed_write_is_raised_by_the_next_write_or_at_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    writer = RawWriter(tmp_path, "run-full")
    with pytest.raises(OSError, match="No space left"), writer:
        monkeypatch.setattr(writer, "_write_record", disk_full)
        for i in range(200):  # more than the queue holds: a write never waits forever
            writer.write(fetch(f"{URL}page/{i + 1}/", 200, b"lost"))
    assert not writer._thread.is_alive()
    assert (tmp_path / "run-full.index.jsonl").read_text() == ""
