"""Parse pages beside the crawl: decoding and parsing in worker processes fed with raw bytes,
so the crawl's own process spends its one GIL on the network.

`Parsing` is a session's parser. It parses in process until the run has asked it for
`Settings.parse_worker_min_pages` pages (a small run, e.g. a nightly refresh, never pays for a
process start, ~0.2 s); then it starts `Settings.parse_workers` processes (`python -m
etl.crawl.worker`: a fresh interpreter, nothing forked from a process with threads) and keeps
parsing in process until each says it is ready. A page goes to a worker as (URL, status,
content type, body) over its stdin and comes back as a pickled `Page` over its stdout: the
same `parse_fetch`, so a page parses the same wherever it is parsed. A worker that dies is
noticed at once: the pages it held are parsed in process and the run goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import pickle
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from etl.parse.page import parse_fetch
from etl.parse.profile import Profile
from etl.records import Fetch, Page
from etl.settings import Settings

log = logging.getLogger(__name__)

_LENGTH = struct.Struct(">I")  # every message: its length, then a pickle
_READY = b"ready"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # a parse never reads the fetch time
_PIPE_LIMIT = 1 << 22  # the stream reader's buffer: a page's pickle is ~40 KB


@dataclass(eq=False)
class _Worker:
    """One worker process and the pages it holds (sequence number -> future, fetch)."""

    proc: asyncio.subprocess.Process
    pending: dict[int, tuple[asyncio.Future[Page], Fetch]] = field(default_factory=dict)
    ready: bool = False
    alive: bool = True
    reader: asyncio.Task[None] | None = None


@dataclass
class Parsing:
    """`await parsing.parse(fetch)` -> Page, in process or in a worker; `aclose()` at the end.
    Every page is parsed with the run's site `profile` (None: the defaults)."""

    settings: Settings
    profile: Profile | None = None
    asked: int = 0  # pages asked for
    in_workers: int = 0  # pages parsed by a worker
    seconds: float = 0.0  # spent parsing in this process
    _workers: list[_Worker] = field(default_factory=list)
    _started: bool = False
    _next: int = 0

    @property
    def pids(self) -> tuple[int, ...]:
        """The live workers' process ids."""
        return tuple(w.proc.pid for w in self._workers if w.alive)

    async def parse(self, fetch: Fetch) -> Page:
        self.asked += 1
        s = self.settings
        if self.asked > s.parse_worker_min_pages and not self._started and s.parse_workers > 0:
            self._started = True  # before the await: other pages arrive while it starts
            await self._start(s.parse_workers)
        worker = min(
            (w for w in self._workers if w.ready and w.alive),
            key=lambda w: len(w.pending),
            default=None,
        )
        if worker is None:
            return self.here(fetch)
        return await self._send(worker, fetch)

    def here(self, fetch: Fetch) -> Page:
        """Parse in this process (and count the time)."""
        started = time.perf_counter()
        page = parse_fetch(fetch, self.profile)
        self.seconds += time.perf_counter() - started
        return page

    async def _start(self, count: int) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(_import_path())}
        for _ in range(count):
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "etl.crawl.worker",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                env=env, limit=_PIPE_LIMIT,
            )  # fmt: skip
            worker = _Worker(proc)
            worker.reader = asyncio.create_task(self._read(worker))
            self._workers.append(worker)
            assert proc.stdin is not None
            message = pickle.dumps(self.profile, 5)  # the first message: the profile
            proc.stdin.write(_LENGTH.pack(len(message)) + message)

    async def _send(self, worker: _Worker, fetch: Fetch) -> Page:
        assert worker.proc.stdin is not None
        self._next += 1
        future: asyncio.Future[Page] = asyncio.get_running_loop().create_future()
        worker.pending[self._next] = (future, fetch)
        content_type = fetch.header("content-type")
        message = pickle.dumps((self._next, fetch.url, fetch.status, content_type, fetch.body), 5)
        worker.proc.stdin.write(_LENGTH.pack(len(message)) + message)
        with contextlib.suppress(ConnectionError):  # died: its reader parses what it held
            await worker.proc.stdin.drain()
        return await future

    async def _read(self, worker: _Worker) -> None:
        """The worker's answers, in order; on its death every page it held is parsed here."""
        assert worker.proc.stdout is not None
        stream = worker.proc.stdout
        try:
            while True:
                head = await stream.readexactly(_LENGTH.size)
                message = await stream.readexactly(_LENGTH.unpack(head)[0])
                if message == _READY:
                    worker.ready = True
                    continue
                number, page = pickle.loads(message)
                future, _ = worker.pending.pop(number)
                self.in_workers += 1
                if not future.done():
                    future.set_result(page)
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError) as exc:
            if worker.pending or not worker.ready:
                log.warning("a parse worker stopped (%s): parsing in process", type(exc).__name__)
        finally:
            worker.alive = False
            for future, fetch in worker.pending.values():
                if not future.done():
                    future.set_result(self.here(fetch))
            worker.pending.clear()

    async def aclose(self) -> None:
        """Let every worker finish and exit (end of input); kill one that does not."""
        for worker in self._workers:
            if worker.proc.stdin is not None:
                worker.proc.stdin.close()
            with contextlib.suppress(ConnectionError):
                await worker.proc.stdin.wait_closed() if worker.proc.stdin else None
        for worker in self._workers:
            try:
                await asyncio.wait_for(worker.proc.wait(), timeout=5)
            except TimeoutError:
                worker.proc.kill()
                await worker.proc.wait()
            if worker.reader is not None:
                await worker.reader
        self._workers.clear()


def _import_path() -> list[str]:
    """Where this `etl` was imported from first, so the worker runs the same code."""
    here = str(Path(__file__).resolve().parent.parent.parent)
    rest = os.environ.get("PYTHONPATH", "")
    return [here, *([rest] if rest else [])]


def _write(out: IO[bytes], message: bytes) -> None:
    out.write(_LENGTH.pack(len(message)) + message)
    out.flush()


def _read_message(stream: IO[bytes]) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None  # the crawl closed our input: done
    return stream.read(_LENGTH.unpack(head)[0])


def main() -> int:
    """The worker: messages in on stdin, parsed pages out on stdout, until stdin closes."""
    # Our stdout is the answer channel: anything printed by accident goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    stream = sys.stdin.buffer
    _write(out, _READY)
    first = _read_message(stream)
    profile: Profile | None = pickle.loads(first) if first is not None else None
    while (message := _read_message(stream)) is not None:
        number, url, status, content_type, body = pickle.loads(message)
        headers = (("content-type", content_type),) if content_type else ()
        page = parse_fetch(Fetch(url, status, _EPOCH, headers, body), profile)
        _write(out, pickle.dumps((number, page), 5))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
