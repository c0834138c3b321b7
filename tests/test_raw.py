"""The raw archive: WARC records that read back with warcio, an index, crash safety."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from etl import __version__
from etl.crawl.raw import RawArchive, new_run_id
from etl.crawl.rawwriter import RawWriter, warcinfo_fields
from etl.records import Fetch
from etl.settings import Settings

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
                if record.rec_type == "response":
                    readable.append(record.rec_headers.get_header("WARC-Target-URI"))
                record.content_stream().read()
        except Exception:
            pass  # the torn tail
    assert readable[:2] == [f"{URL}page/1/", f"{URL}page/2/"]
    bodies = {f.url: f.body for f in RawArchive(tmp_path).latest()}
    assert bodies == {f"{URL}page/{i + 1}/": f"body {i} ".encode() * 500 for i in range(2)}


def test_run_ids_sort_by_time_and_name_the_files(tmp_path: Path) -> None:
    early, late = new_run_id(T0), new_run_id(T0 + dt.timedelta(seconds=1))
    # Two runs in one second still sort as they ran (retention keeps "the newest" runs).
    runs = [new_run_id(T0 + dt.timedelta(milliseconds=ms)) for ms in (5, 250, 999)]
    assert sorted(runs) == runs and len(set(runs)) == 3
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


SENT = (
    ("Host", "127.0.0.1:1"),
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip"),
    ("User-Agent", "cssamerica-etl/test"),
    ("If-None-Match", '"7"'),
    ("Cookie", "session=secret"),  # never sent by the client; never stored if it were
)


def warc_records(path: Path) -> list[dict[str, object]]:
    """Every record of a WARC file with its headers, body and digest check, in file order."""
    found = []
    with path.open("rb") as stream:
        for r in ArchiveIterator(stream, check_digests=True):
            body = r.content_stream().read()
            found.append(
                {
                    "type": r.rec_type,
                    "id": r.rec_headers.get_header("WARC-Record-ID"),
                    "to": r.rec_headers.get_header("WARC-Concurrent-To"),
                    "uri": r.rec_headers.get_header("WARC-Target-URI"),
                    "date": r.rec_headers.get_header("WARC-Date"),
                    "http": r.http_headers,
                    "body": body,
                    "digests": (
                        r.rec_headers.get_header("WARC-Block-Digest") is not None,
                        r.digest_checker.passed,
                    ),
                }
            )
    return found


def test_each_run_opens_with_warcinfo_and_pairs_requests_with_responses(tmp_path: Path) -> None:
    settings = Settings(site="https://cssamerica.com", data_dir=tmp_path / "secret-home-dir")
    with RawWriter(tmp_path, "run-w", info=warcinfo_fields(settings)) as writer:
        for i, status in enumerate((200, 404, 304)):
            writer.write(fetch(f"{URL}page/{i + 1}/", status, b"x" * i, request_headers=SENT))
        writer.write(fetch(URL + "gone/", None, error="gave up", request_headers=SENT))
    found = warc_records(tmp_path / "run-w.warc.gz")
    assert [r["type"] for r in found] == ["warcinfo"] + ["request", "response"] * 3
    assert all(r["digests"] == (True, True) for r in found)  # present and valid, every record

    body: bytes = found[0]["body"]  # type: ignore[assignment]
    info = dict(line.split(": ", 1) for line in body.decode().splitlines())
    assert info["software"].startswith(f"etl/{__version__} (warcio/")
    assert info["format"] == "WARC File Format 1.0" and info["conformsTo"]
    assert info["isPartOf"] == "https://cssamerica.com" and info["robots"] == "obey"
    assert info["http-header-user-agent"] == settings.user_agent
    assert info["etl-run-id"] == "run-w"
    recorded = json.loads(info["etl-settings"])
    assert recorded["rate"] == settings.rate and recorded["max_bytes"] == settings.max_bytes
    assert "data_dir" not in recorded and b"secret-home-dir" not in body

    for i, (request, response) in enumerate(zip(found[1::2], found[2::2], strict=True)):
        url = f"{URL}page/{i + 1}/"
        assert request["uri"] == response["uri"] == url
        assert request["date"] == response["date"] == "2026-01-01T12:00:00Z"
        assert request["to"] == response["id"] and response["to"] == request["id"]
        http: Any = request["http"]
        assert http.protocol == "GET" and http.statusline == f"/category/x/page/{i + 1}/ HTTP/1.1"
        assert http.headers == [h for h in SENT if h[0] != "Cookie"]
        assert request["body"] == b""
    entries = list(RawArchive(tmp_path).entries())
    assert [e.status for e in entries] == [200, 404, 304, None]
    assert RawArchive(tmp_path).read(entries[0]).body == b""  # the index points at responses


def test_a_fetch_that_does_not_say_what_was_sent_gets_no_request_record(tmp_path: Path) -> None:
    with RawWriter(tmp_path, "run-n") as writer:
        writer.write(fetch(URL, 200, b"body"))
    found = warc_records(tmp_path / "run-n.warc.gz")
    assert [r["type"] for r in found] == ["warcinfo", "response"]
    assert found[1]["to"] is None


def write_old_style(raw_dir: Path, run_id: str, fetches: list[Fetch]) -> None:
    """A run as the first writer stored it: response records only, no warcinfo."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    lines = []
    with (raw_dir / f"{run_id}.warc.gz").open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for f in fetches:
            http = StatusAndHeaders(f"{f.status} OK", list(f.headers), "HTTP/1.1")
            date = f.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            record = writer.create_warc_record(
                f.url, "response", payload=io.BytesIO(f.body), length=len(f.body),
                http_headers=http, warc_headers_dict={"WARC-Date": date},
            )  # fmt: skip
            offset = stream.tell()
            writer.write_record(record)
            entry = {
                "url": f.url, "fetched_at": f.fetched_at.isoformat(), "status": f.status,
                "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                "etag": dict(f.headers).get("ETag"), "last_modified": None,
                "warc": f"{run_id}.warc.gz", "offset": offset,
                "length": stream.tell() - offset, "run_id": run_id,
            }  # fmt: skip
            lines.append(json.dumps(entry) + "\n")
    (raw_dir / f"{run_id}.index.jsonl").write_text("".join(lines))


def test_older_files_without_warcinfo_or_requests_still_read(tmp_path: Path) -> None:
    old = [fetch(URL, 200, b"old", minutes=0), fetch(URL + "page/2/", 200, b"two", minutes=1)]
    write_old_style(tmp_path, "run-0", old)
    with RawWriter(tmp_path, "run-1") as writer:
        writer.write(fetch(URL, 200, b"new", minutes=10, request_headers=SENT))
    archive = RawArchive(tmp_path)
    assert {f.url: f.body for f in archive.latest()} == {URL: b"new", URL + "page/2/": b"two"}
    assert archive.validators() == {
        URL: ('"10"', "Thu, 01 Jan 2026 12:00:00 GMT"),
        URL + "page/2/": ('"1"', None),
    }
    assert archive.validators(["run-0"]) == {URL: ('"0"', None), URL + "page/2/": ('"1"', None)}


def test_a_crawl_archives_each_request_as_the_server_received_it(tmp_path: Path) -> None:
    from etl.replay.server import serve
    from tests.replay_settings import fast_settings
    from tests.test_crawl import run_crawl

    snapshot = Path(__file__).parent / "fixtures" / "site" / "snapshot-2"
    with serve(snapshot) as srv:
        s = fast_settings(srv, tmp_path, archives=("/tag/resolve/",), concurrency=1)
        run_crawl(s)
        again = run_crawl(s, validators=RawArchive(s.raw_dir).validators())
        received = [{k: v for k, v in e.headers.items()} for e in srv.log]
    found = warc_records(again.warc_path)
    assert found[0]["type"] == "warcinfo" and all(r["digests"][1] for r in found)  # type: ignore[index]
    pairs = list(zip(found[1::2], found[2::2], strict=True))
    assert [(q["type"], r["type"]) for q, r in pairs] == [("request", "response")] * len(pairs)
    sent = [{k.lower(): v for k, v in q["http"].headers} for q, _ in pairs]  # type: ignore[attr-defined]
    assert sent == received[-len(sent) :]  # the second run's requests, header for header
    statuses = [r["http"].get_statuscode() for _, r in pairs]  # type: ignore[attr-defined]
    conditional = [h for h in sent if "if-none-match" in h or "if-modified-since" in h]
    assert conditional and "304" in statuses
    assert all(h["user-agent"] == s.user_agent for h in sent)
