"""A local replay of a site snapshot: the tests' and the demo's stand-in for cssamerica.com.

It serves a snapshot folder (files mirror URL paths) over HTTP/1.1 with keep-alive, rewriting
the site's absolute links to its own origin the way web-archive replay does, and behaves like
the real WordPress site: `/…/page/1/` answers 301, missing paths 404 with `404.html`, `ETag`
and `Last-Modified` with 304 answers, gzip when asked. A seeded `FaultPlan` makes chosen paths
fail their first one or two attempts (429, 5xx, dropped or reset connections, truncated
bodies, slow answers); every request is logged so tests measure rate and concurrency here.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
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
from urllib.parse import unquote, urlsplit

SITE = b"https://cssamerica.com"
FAULT_KINDS = ("429", "429-date", "500", "503", "drop", "reset", "truncate", "slow")
# Built-in test paths: a redirect that leaves the origin, and an answer too big to keep.
OFFSITE_PATH = "/__offsite__/"
BIG_PATH = "/__big__/"
_TYPES = {".html": "text/html; charset=UTF-8", ".xml": "application/xml", ".txt": "text/plain"}
_PAGE_ONE = re.compile(r"^(.*/)page/1/?$")


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
        self, folder: Path, port: int, faults: FaultPlan | None, big_bytes: int, latency: float
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.folder = Path(folder)
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

    def answer(self, path: str) -> Answer:
        """What the site answers for a path (fault-free)."""
        with self.lock:
            folder, fixed = self.folder, self.overrides.get(path)
        if fixed is not None:
            return fixed
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
        body = file.read_bytes().replace(SITE, self.url.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)
        kind = _TYPES.get(file.suffix, "application/octet-stream")
        return Answer(
            status,
            (("Content-Type", kind), ("ETag", etag), ("Last-Modified", modified)),
            body,
        )


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
        path = urlsplit(self.path).path or "/"
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
            status = self._respond(path, headers, kind)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            entry = LogEntry(path, started, time.monotonic(), status, headers, active, kind)
            with server.lock:
                server.active -= 1
                server.log.append(entry)

    def _respond(self, path: str, request: Mapping[str, str], kind: str | None) -> int | None:
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
        answer = self.server.answer(path)
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
) -> Iterator[ReplayServer]:
    """Run a replay server on 127.0.0.1 (a free port unless given) for the `with` block.

    `latency` delays every answer, so tests can see requests overlap; `big_bytes` is the size
    of the oversized answer at `BIG_PATH`.
    """
    server = ReplayServer(Path(folder), port, faults, big_bytes, latency)
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
    args = parser.parse_args(argv)
    with serve(args.folder, port=args.port) as server:
        print(server.url, flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
