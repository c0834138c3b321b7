"""How a run ends early: SIGTERM or SIGINT (what cron wrappers, systemd, `timeout` and
Ctrl-C send), or the run's deadline (`Settings.max_run_time`).

`with Stop(max_run_time) as stop:` handles both signals for the whole block, in the main
thread: a signal raises `Stopped` wherever the run is (reading the corpus, waiting for the
site's first connect, merging, writing), except in two places that stop in their own way.
`stop.run(crawl)` runs the crawl's event loop: the first signal, or the deadline, cancels
the crawl: no new request starts, the ones in flight are dropped, and the crawl's `async with`
blocks close on the way out (the raw archive is flushed, fsynced and closed, so everything
fetched so far is kept); then `Stopped` is raised, naming why, what the crawl was waiting for
(`Client.pending()`) and what the raw archive kept. `with stop.held():` is a step a signal
must not cut in two (the tables' publication): a signal during it is raised at its end.
A second signal, from then until the process ends, exits at once (128 + the signal's
number): the raw archive is written record by record, so even that loses nothing already
written, and the tables are published by one rename.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from etl.crawl.session import CrawlResult, Session

T = TypeVar("T")
Previous = dict[int, Any]
SIGNALS = (signal.SIGTERM, signal.SIGINT)
DEADLINE = "deadline"


@dataclass(frozen=True)
class Kept:
    """What a stopped crawl leaves in the raw archive for the next run (or `etl load`)."""

    records: int  # fetches archived: a response record and an index line, or an index line
    archive_pages: int  # of them, archive pages answered 200 or 304
    warc: str

    def __str__(self) -> str:
        return f"{self.records} fetches ({self.archive_pages} archive pages) kept in {self.warc}"


class Stopped(BaseException):
    """The run ended early; `str()` is the reason. A BaseException, as KeyboardInterrupt is:
    a signal raises it wherever the run is, and no `except Exception` on the way may catch it."""

    def __init__(
        self,
        by: str,
        after_s: float,
        pending: list[str],
        crawl: CrawlResult | None,
        kept: Kept | None,
        max_run_time: float,
    ) -> None:
        self.by = by  # "SIGTERM", "SIGINT" or DEADLINE
        self.after_s = after_s
        self.pending = pending  # what the crawl was waiting for when it was stopped
        self.crawl = crawl  # the session's numbers up to the stop (None: before it opened)
        self.kept = kept
        super().__init__(_reason(by, after_s, pending, max_run_time))

    def kept_text(self) -> str:
        return f"{self.kept}" if self.kept else "nothing fetched yet"

    @property
    def exit_status(self) -> int:
        """128 + the signal's number (the shell's convention: 143, 130); 1 for the deadline."""
        return 1 if self.by == DEADLINE else 128 + signal.Signals[self.by].value


def _reason(by: str, after_s: float, pending: list[str], max_run_time: float) -> str:
    if by != DEADLINE:
        return f"interrupted by {by} after {after_s:.1f} s"
    if not pending:
        return f"max_run_time ({max_run_time:g} s) reached with no request in flight"
    more = f" and {len(pending) - 1} more" if len(pending) > 1 else ""
    return f"max_run_time ({max_run_time:g} s) reached while waiting for {pending[0]}{more}"


@dataclass
class Stop:
    """`with stop:` around the run; `stop.run(crawl)`, the crawl opening its session with
    `open_session(..., stop=stop)`, which shows the session to `watch` before its first
    request: a stop then names what the crawl was waiting for and what the raw archive kept.
    The deadline counts from `started`."""

    max_run_time: float
    started: float = field(default_factory=time.monotonic)
    session: Session | None = None
    by: str | None = None  # why the run is stopping, once it is
    pending: list[str] = field(default_factory=list)
    _held: bool = field(default=False, init=False, repr=False)
    _previous: Previous = field(default_factory=dict, init=False, repr=False)

    def __enter__(self) -> Stop:
        self._previous = _handle(self._interrupt)
        return self

    def __exit__(self, *exc: object) -> None:
        """The handlers as they were, unless a signal stopped the run: then a second signal
        still exits at once until the process ends."""
        for sig, before in self._previous.items():
            signal.signal(sig, before if self.by in (None, DEADLINE) else _exit_at_once)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """A signal during the block is raised (as Stopped) when the block is done."""
        outer, self._held = self._held, True
        try:
            yield
        finally:
            self._held = outer
        if self.by is not None and not outer:
            raise self._stopped()

    def watch(self, session: Session) -> None:
        self.session = session

    def run(self, crawl: Coroutine[Any, Any, T]) -> T:
        """`asyncio.run(crawl)`, or Stopped once the stopped crawl has unwound. A signal while
        the loop starts or closes, outside its own handlers, waits for them."""
        with self.held():
            return asyncio.run(self._run(crawl))

    async def _run(self, crawl: Coroutine[Any, Any, T]) -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(crawl)
        left = self.max_run_time - (time.monotonic() - self.started)
        deadline = loop.call_later(max(0.0, left), self._stop, task, DEADLINE)
        previous = _install(loop, lambda signum: self._signal(task, signum))
        if self.by is not None:  # a signal came as the loop started: no request at all
            task.cancel()
        try:
            result = await task
        except asyncio.CancelledError:
            if self.by is None:  # cancelled from outside, not by us
                raise
        finally:
            deadline.cancel()
            _remove(loop, previous, keep_exit=self.by not in (None, DEADLINE))
        if self.by is not None:  # also when the crawl ended just as the stop came
            raise self._stopped()
        return result

    def _interrupt(self, signum: int, frame: object) -> None:
        """A signal outside the crawl's loop: Stopped from where the run is (or at the end of
        `held()`)."""
        if self.by is not None:  # one after the deadline stopped the run
            _exit_at_once(signum, frame)
        self.by = signal.Signals(signum).name
        for sig in SIGNALS:  # from now on another signal exits at once, even mid-cleanup
            signal.signal(sig, _exit_at_once)
        if not self._held:
            raise self._stopped()

    def _signal(self, task: asyncio.Future[Any], signum: int) -> None:
        if self.by is not None:  # two signals at once, or one after the deadline stopped us
            _exit_at_once(signum, None)
        for sig in SIGNALS:  # from now on another signal exits at once, even mid-cleanup
            signal.signal(sig, _exit_at_once)
        self._stop(task, signal.Signals(signum).name)

    def _stop(self, task: asyncio.Future[Any], by: str) -> None:
        if self.by is not None:
            return
        self.by = by
        self.pending = self.session.client.pending() if self.session else []
        task.cancel()

    def _stopped(self) -> Stopped:
        assert self.by is not None
        after = time.monotonic() - self.started
        if self.session is None:
            return Stopped(self.by, after, self.pending, None, None, self.max_run_time)
        s = self.session
        kept = Kept(s.writer.records, s.fetched + s.not_modified, str(s.writer.warc_path))
        return Stopped(self.by, after, self.pending, s.result(), kept, self.max_run_time)


def _handle(handler: Callable[[int, Any], None]) -> Previous:
    """`handler` for SIGTERM and SIGINT; none outside the main thread (a run started from
    another thread cannot be signalled)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, handler) for sig in SIGNALS}


def _install(loop: asyncio.AbstractEventLoop, handler: Callable[[int], None]) -> Previous:
    """The loop's handlers for SIGTERM and SIGINT; none outside the main thread (a run started
    from another thread cannot be signalled)."""
    previous: Previous = {}
    for sig in SIGNALS:
        before = signal.getsignal(sig)
        try:
            loop.add_signal_handler(sig, handler, sig)
        except (RuntimeError, ValueError):
            return previous
        previous[sig] = before
    return previous


def _remove(loop: asyncio.AbstractEventLoop, previous: Previous, keep_exit: bool) -> None:
    """The handlers as they were, unless a signal stopped the run: then a second signal still
    exits at once until the process ends."""
    for sig, before in previous.items():
        loop.remove_signal_handler(sig)
        signal.signal(sig, _exit_at_once if keep_exit else before)


def _exit_at_once(signum: int, frame: object) -> None:
    name = signal.Signals(signum).name
    os.write(2, f"etl: {name} again while stopping: exiting at once\n".encode())
    os._exit(128 + signum)
