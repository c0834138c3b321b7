"""A local replay of a site snapshot: the tests' and the demo's stand-in for cssamerica.com.

It serves a snapshot folder (files mirror URL paths) over HTTP/1.1 with keep-alive, rewriting
the site's absolute links to its own origin the way web-archive replay does, and behaves like
the real WordPress site: `/…/page/1/` answers 301, missing paths 404 with `404.html`, `ETag`
and `Last-Modified` with 304 answers, gzip when asked. A seeded `FaultPlan` makes chosen paths
fail their first one or two attempts (429, 5xx, dropped or reset connections, truncated
bodies, slow answers); every request is logged so tests measure rate and concurrency here.

The site's origin is https://cssamerica.com unless given or named by the folder's robots.txt
(its `Sitemap:` line). A folder may carry REST API data (`wp-json/wp/v2/posts.json`, …: whole
collections), which the server pages and filters by the query string as WordPress does.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import json
import math
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SITE = b"https://cssamerica.com"
FAULT_KINDS = ("429", "429-date", "500", "503", "drop", "reset", "truncate", "slow")
# Built-in test paths: a redirect that leaves the origin, and an answer too big to keep.
OFFSITE_PATH = "/__offsite__/"
BIG_PATH = "/__big__/"
_TYPES = {".html": "text/html; charset=UTF-8", ".xml": "application/xml", ".txt": "text/plain"}
_PAGE_ONE = re.compile(r"^(.*/)page/1/?$")
_JSON = "application/json; charset=UTF-8"


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Which paths fail, how, and for how many attempts: a pure function of seed and path."""

    seed: int = 0
    fraction: float = 0.3
    kinds: Sequence[str] = FAULT_KINDS
    slow_seconds: float = 1.0  # longer than the client's read timeout in tests
    retry_after: int = 1  # seconds, in both the delta and the HTTP-date form

    def fault_for(self, path: str) -> tuple[str, int] | None:
        """`(kind, failing attempts)` for a path, or None when the path is served cleanly."""
        digest = hashlib.sha256(f"{self.seed}:{path}".encode()).digest()
        draw, kind, times = struct.unpack(">QBB", digest[:10])
        if draw / 2**64 >= self.fraction:
            return None
        return self.kinds[kind % len(self.kinds)], 1 + times % 2


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One request as the server saw it; `active` counts requests in flight, this one included."""

    path: str
    started: float  # time.monotonic()
    finished: float
    status: int | None  # None when the connection was dropped or reset
    headers: Mapping[str, str]
    active: int
    fault: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    raw: bool = False  # sent exactly as given: never gzipped here (its headers say what it is)


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        folder: Path,
        port: int,
        faults: FaultPlan | None,
        big_bytes: int,
        latency: float,
        origin: str | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.folder = Path(folder)
        self.origin = origin or site_origin(self.folder)
        self.faults = faults
        self.latency = latency
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.log: list[LogEntry] = []
        self.lock = threading.Lock()
        self.attempts: Counter[str] = Counter()
        self.active = 0
        self.overrides: dict[str, Answer] = {
            OFFSITE_PATH: Answer(302, (("Location", "https://offsite.invalid/"),), b""),
            BIG_PATH: Answer(200, (("Content-Type", _TYPES[".html"]),), b"x" * big_bytes),
        }

    def swap(self, folder: Path) -> None:
        """Serve another snapshot from now on (the site moved on between two crawls)."""
        with self.lock:
            self.folder = Path(folder)

    def set_faults(self, faults: FaultPlan | None) -> None:
        """Change the fault plan; every path starts again at its first attempt."""
        with self.lock:
            self.faults = faults
            self.attempts.clear()

    def override(
        self, path: str, status: int, body: bytes = b"", headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Answer `path` with a fixed response instead of the snapshot's file."""
        with self.lock:
            self.overrides[path] = Answer(status, tuple(headers), body)

    def override_raw(
        self, path: str, status: int, body: bytes, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Answer `path` with these exact bytes and headers: a body already encoded (nested
        gzip, a bomb), invalid bytes, whatever a hostile server may send."""
        with self.lock:
            self.overrides[path] = Answer(status, tuple(headers), body, raw=True)

    def count(self, path: str | None = None) -> int:
        """Requests received in all, or for one path."""
        with self.lock:
            return sum(1 for e in self.log if path is None or e.path == path)

    def answer(self, path: str, query: str = "") -> Answer:
        """What the site answers for a path and query string (fault-free)."""
        with self.lock:
            folder, fixed = self.folder, self.overrides.get(path)
        if fixed is not None:
            return fixed
        if path.startswith("/wp-json/") and (rest := self._rest(folder, path, query)):
            return rest
        if m := _PAGE_ONE.match(path):
            return Answer(301, (("Location", self.url + m.group(1)),), b"")
        parts = [p for p in unquote(path).split("/") if p]
        if any(p in (".", "..") for p in parts):
            return self._missing(folder)
        file = folder.joinpath(*parts)
        if file.is_dir():
            if not path.endswith("/"):
                return Answer(301, (("Location", f"{self.url}{path}/"),), b"")
            file = file / "index.html"
        if not file.is_file():
            return self._missing(folder)
        return self._file(file, 200)

    def _missing(self, folder: Path) -> Answer:
        return self._file(folder / "404.html", 404)

    def _file(self, file: Path, status: int) -> Answer:
        body = self._rewrite(file.read_bytes())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)
        kind = _TYPES.get(file.suffix, "application/octet-stream")
        headers = [("Content-Type", kind), ("ETag", etag), ("Last-Modified", modified)]
        if file.suffix == ".html" and (self.folder / "wp-json").is_dir():
            # WordPress announces its REST API on every page, as a header too.
            headers.append(("Link", f'<{self.url}/wp-json/>; rel="https://api.w.org/"'))
        return Answer(status, tuple(headers), body)

    def _rewrite(self, body: bytes) -> bytes:
        """The site's absolute links made ours, plain and JSON-escaped (slashes as `\\/`)."""
        here, there = self.url.encode(), self.origin.encode()
        escaped = (there.replace(b"/", b"\\/"), here.replace(b"/", b"\\/"))
        return body.replace(there, here).replace(*escaped)

    def _rest(self, folder: Path, path: str, query: str) -> Answer | None:
        """A REST API answer from the folder's `wp-json/` data, or None when it has none."""
        route = path.removeprefix("/wp-json/").strip("/") or "index"
        file = folder / "wp-json" / f"{route}.json"
        if not file.is_file():
            return None
        data = json.loads(file.read_text(encoding="utf-8"))
        status, headers, value = rest_query(data, route, parse_qs(query), self.url + path)
        body = self._rewrite(json.dumps(value, separators=(",", ":")).replace("/", "\\/").encode())
        return Answer(status, (("Content-Type", _JSON), *headers), body)


def site_origin(folder: Path) -> str:
    """The origin a snapshot's links are absolute on: its robots.txt's `Sitemap:` line's."""
    robots = Path(folder) / "robots.txt"
    text = robots.read_text(encoding="utf-8", errors="replace") if robots.is_file() else ""
    if m := re.search(r"(?im)^sitemap:\s*(https?://[^/\s]+)", text):
        return m.group(1)
    return SITE.decode()


def rest_query(
    data: Any, route: str, query: Mapping[str, list[str]], url: str
) -> tuple[int, tuple[tuple[str, str], ...], Any]:
    """WordPress' answer to a GET on a REST route: (status, headers, JSON value).

    A collection is filtered by `after` / `modified_after` (local ISO times), paged
    (`per_page` 1-100, default 10; `page`) and cut to `_fields`; a posts page past the last is
    an error, a terms page past the last an empty list, as in WordPress.
    """
    arg = {k: v[-1] for k, v in query.items()}
    names = {f.strip() for f in arg.get("_fields", "").split(",") if f.strip()}
    if not isinstance(data, list):
        return 200, (), data
    try:
        per_page, page = int(arg.get("per_page", "10")), int(arg.get("page", "1"))
    except ValueError:
        per_page = page = 0
    if not 1 <= per_page <= 100 or page < 1:
        message = "Invalid parameter(s): per_page, page"
        return 400, (), {"code": "rest_invalid_param", "message": message, "data": {"status": 400}}
    rows = data
    for name, field in (("after", "date"), ("modified_after", "modified")):
        if name in arg:
            rows = [d for d in rows if d.get(field, "") > arg[name]]
    total, pages = len(rows), math.ceil(len(rows) / per_page)
    if page > max(pages, 1) and route.endswith("posts"):
        message = "The page number requested is larger than the number of pages available."
        error = {"code": "rest_post_invalid_page_number", "message": message}
        return 400, (), error | {"data": {"status": 400}}
    chunk = rows[(page - 1) * per_page : page * per_page]
    headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
    if page < pages:
        headers.append(("Link", f'<{url}?per_page={per_page}&page={page + 1}>; rel="next"'))
    chunk = [{k: v for k, v in d.items() if not names or k in names} for d in chunk]
    return 200, tuple(headers), chunk


def _not_modified(answer: Answer, request: Mapping[str, str]) -> bool:
    """RFC 9110 13.1: If-None-Match wins; If-Modified-Since only when it is absent."""
    have = dict(answer.headers)
    if answer.status != 200:
        return False
    if (tags := request.get("if-none-match")) is not None:
        return have.get("ETag", "") in [t.strip() for t in tags.split(",")] or tags == "*"
    since, modified = request.get("if-modified-since"), have.get("Last-Modified")
    if since and modified:
        try:
            return email.utils.parsedate_to_datetime(modified) <= email.utils.parsedate_to_datetime(
                since
            )
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReplayServer
    timeout = 10  # idle keep-alive connections end on their own
    disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is `server.log`."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path or "/", parts.query
        headers = {k.lower(): v for k, v in self.headers.items()}
        server = self.server
        with server.lock:
            server.attempts[path] += 1
            attempt = server.attempts[path]
            server.active += 1
            active = server.active
        started = time.monotonic()
        fault = server.faults.fault_for(path) if server.faults else None
        kind = fault[0] if fault and attempt <= fault[1] else None
        status: int | None = None
        try:
            status = self._respond(path, headers, kind, query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            entry = LogEntry(path, started, time.monotonic(), status, headers, active, kind)
            with server.lock:
                server.active -= 1
                server.log.append(entry)

    def _respond(
        self, path: str, request: Mapping[str, str], kind: str | None, query: str = ""
    ) -> int | None:
        plan = self.server.faults
        if kind in ("drop", "reset"):
            self.close_connection = True
            if kind == "reset":  # SO_LINGER 0: close() sends RST instead of FIN
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            return None
        if kind and kind.startswith("429") and plan:
            wait = str(plan.retry_after)
            if kind == "429-date":
                wait = email.utils.formatdate(time.time() + plan.retry_after, usegmt=True)
            return self._send(Answer(429, (("Retry-After", wait),), b"slow down"), request)
        if kind in ("500", "503"):
            return self._send(Answer(int(kind), (), b"server error"), request)
        if kind == "slow" and plan:
            time.sleep(plan.slow_seconds)
        elif self.server.latency:
            time.sleep(self.server.latency)
        answer = self.server.answer(path, query)
        if _not_modified(answer, request):
            keep = ("ETag", "Last-Modified")
            answer = Answer(304, tuple(h for h in answer.headers if h[0] in keep), b"")
        return self._send(answer, request, truncate=kind == "truncate")

    def _send(self, answer: Answer, request: Mapping[str, str], truncate: bool = False) -> int:
        body = answer.body
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if body and not answer.raw and "gzip" in request.get("accept-encoding", ""):
            body = gzip.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if answer.status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if truncate:  # promise the whole body, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(body)
        return answer.status


@contextmanager
def serve(
    folder: Path | str,
    *,
    faults: FaultPlan | None = None,
    port: int = 0,
    big_bytes: int = 6_000_000,
    latency: float = 0.0,
    origin: str | None = None,
) -> Iterator[ReplayServer]:
    """Run a replay server on 127.0.0.1 (a free port unless given) for the `with` block.

    `latency` delays every answer, so tests can see requests overlap; `big_bytes` is the size
    of the oversized answer at `BIG_PATH`; `origin` is the site the folder's links are on
    (default: its robots.txt's sitemap origin, else https://cssamerica.com).
    """
    server = ReplayServer(Path(folder), port, faults, big_bytes, latency, origin)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        deadline = time.monotonic() + 2.0  # let answers in flight finish and reach the log
        while server.active and time.monotonic() < deadline:
            time.sleep(0.01)
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.replay.server", description=__doc__)
    parser.add_argument("folder", type=Path, help="snapshot folder, e.g. a site snapshot")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--origin", help="site the links are on (default: robots.txt's)")
    args = parser.parse_args(argv)
    with serve(args.folder, port=args.port, origin=args.origin) as server:
        print(server.url, flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
