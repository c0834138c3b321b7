"""The replay server's side of one HTTP exchange: each request counted and logged, the fault
the plan gives its path played on the wire, conditional requests answered 304, bodies gzipped
when asked."""

from __future__ import annotations

import email.utils
import gzip
import socket
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from etl.replay.server import ReplayServer


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


class Handler(BaseHTTPRequestHandler):
    """Answers one connection's requests from its `ReplayServer`, logging each."""

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
