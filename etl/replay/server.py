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
import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote

from etl.replay.faults import FaultPlan
from etl.replay.handler import Answer, Handler, LogEntry
from etl.replay.rest import rest_query

SITE = b"https://cssamerica.com"
# Built-in test paths: a redirect that leaves the origin, and an answer too big to keep.
OFFSITE_PATH = "/__offsite__/"
BIG_PATH = "/__big__/"
_TYPES = {".html": "text/html; charset=UTF-8", ".xml": "application/xml", ".txt": "text/plain"}
_PAGE_ONE = re.compile(r"^(.*/)page/1/?$")
_JSON = "application/json; charset=UTF-8"


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
        super().__init__(("127.0.0.1", port), Handler)
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
