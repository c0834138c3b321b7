"""Follow the site's archives: an async iterator of (fetch, parsed page), fair across archives.

`concurrency` lanes each take the next request from the archive with the most work left:
known from its last page number, else guessed (an archive N pages deep so far is guessed to go
N more), and every archive's first page before any archive's later ones. So the deepest
archive never waits behind shallow ones. Each page is parsed as it arrives, since the page says
where its archive goes next (in a worker process once the run is big: `etl.crawl.worker`).

Full crawls ask an archive's pages concurrently on WordPress's `/page/N/` pattern once page 1
links to `page/2/` (or names its last page): pages a fetched page links to (or up to the last
page) are certain; beyond them, an archive that holds more than its share of the work left
(more than 1/concurrency of the pages left) may look a few pages ahead, one per slot it
deserves. A 404 past page 1 is the end; look-ahead requests it answers are counted as wasted.

A site that prints no pagination at all (no next link, no page numbers, no rel=next: an
infinite-scroll theme) is asked on the same pattern one page at a time: a page with posts and
no pagination holds back a guess of its next `/page/N/` until every archive's first page is
in; if none of them showed pagination (nor did the site profile), the guesses go out, each
one's 404 ending its archive (counted as wasted); if any did, the site paginates and a page
without pagination is its archive's last.

Incremental runs follow each archive's next links one page at a time and stop at the first
page whose posts the corpus holds unchanged: a new post shifts every page boundary, so the
crawl stops by content, never by page number, and never asks more than that.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from etl.crawl.client import REFUSED_CODING, REFUSED_TOO_LARGE
from etl.crawl.discover import discover
from etl.crawl.session import CrawlResult, Session, open_session
from etl.crawl.stop import Stop
from etl.crawl.streams import drain
from etl.records import Fetch, Page, Post
from etl.settings import Settings

# Pages waiting for the consumer: a slow consumer slows the crawl instead of filling memory.
_BACKLOG = 64
_PAGED = re.compile(r"^(?P<base>.*/)page/(?P<n>\d+)/$")


class Known(Protocol):
    """The corpus's posts as the incremental stop rule needs them."""

    def all_unchanged(self, posts: Sequence[Post]) -> bool: ...


@dataclass(frozen=True, slots=True)
class Crawled:
    """One archive page as the crawl got it; `page` is None for a 304 (nothing to parse)."""

    fetch: Fetch
    page: Page | None


@dataclass(eq=False, slots=True)
class _Archive:
    """One archive's progress. Its pages are numbered from 1 (the archive's first URL)."""

    first: str
    order: int
    base: str | None = None  # numbered: page N is at f"{base}page/{N}/" (full runs only)
    links: list[str] = field(default_factory=list)  # next links still to follow
    requested: int = 0  # requests made (Settings.max_pages caps them)
    issued: int = 0  # numbered: the highest page number requested
    confirmed: int = 1  # the highest page number known to exist
    last: int | None = None  # the last page, once known
    flying: int = 0  # requests made whose page is not settled yet
    stopped: bool = False  # stop rule, 304, refusal, failure or the page cap
    held: str | None = None  # a guessed next page, until the run knows if the site paginates

    def left(self) -> int:
        """Requests still to make: known from the last page, else guessed."""
        if self.stopped:
            return 0
        if self.base is None:  # following links: deep chains first
            return max(self.requested, 1) if self.links or not self.requested else 0
        total = self.last if self.last is not None else 2 * self.confirmed
        return max(total - self.issued, 0)

    def next_job(self, ahead: int, max_pages: int) -> _Job | None:
        """The next request, if one may go now; `ahead`: how far past the certain pages."""
        if self.stopped or self.requested >= max_pages:
            return None
        if not self.requested:
            return _Job(self, "first", 1, self.first)
        if self.links:
            return _Job(self, "link", self.requested + 1, self.links[0])
        number = self.issued + 1
        if self.base is None or number > max_pages:
            return None
        certain = self.last is not None or number <= self.confirmed
        if (self.last is not None and number > self.last) or (
            not certain and number > self.confirmed + ahead
        ):
            return None
        return _Job(self, "page", number, f"{self.base}page/{number}/", ahead=not certain)

    def issue(self, job: _Job) -> None:
        if job.kind == "link":
            self.links.pop(0)
        elif job.kind == "page":
            self.issued = job.number
        self.requested += 1
        self.flying += 1


@dataclass(frozen=True, slots=True)
class _Job:
    archive: _Archive
    kind: Literal["first", "link", "page"]  # page 1; a next link; a page of the pattern
    number: int  # the page's number in its archive (a followed link: the request's count)
    url: str
    ahead: bool = False  # a look-ahead request: no fetched page said this page exists


class _Schedule:
    """Which request goes next, and what each answer teaches about its archive."""

    def __init__(self, session: Session, archives: Sequence[str], known: Known | None) -> None:
        self.session = session
        self.known = known
        self.slots = max(1, session.settings.concurrency)
        self.active = [_Archive(url, i) for i, url in enumerate(archives)]
        self.flying = 0  # requests whose page is not settled, over all archives
        self.parsing = 0  # of those, pages waiting to be parsed
        self.latency = 0.0  # seconds from a request's start to its page parsed (moving average)
        self.changed = asyncio.Condition()
        profile = session.profile
        # Whether the site prints pagination (None: not seen yet): decides held guesses.
        self.paginates: bool | None = True if profile and profile.shows_pagination else None
        self.first_flying = 0  # first pages requested and not settled
        self.guessed: set[str] = set()  # URLs asked on a guess: their 404 is a wasted request

    async def next(self) -> _Job | None:
        """The next request, waiting while nothing may go; None once every archive is done."""
        async with self.changed:
            while self.parsing >= 2 * self.slots or (job := self._take()) is None:
                if self.flying == 0:
                    self.changed.notify_all()  # the others end too
                    return None
                await self.changed.wait()
            self.changed.notify()  # there may be more: one other lane looks
            return job

    def _take(self) -> _Job | None:
        """The next request of the archive with the most work left (first pages first)."""
        max_pages, most = self.session.settings.max_pages, self._most_ahead()
        lefts = [a.left() for a in self.active]
        total = sum(lefts) or 1
        best: _Job | None = None
        best_key: tuple[bool, int, int] = (False, -1, 0)
        done = []
        for archive, left in zip(self.active, lefts, strict=True):
            key = (archive.requested == 0, left, -archive.order)
            if key <= best_key:
                continue  # a job of its would not be taken: not even made
            # Slots this archive deserves beyond its certain page: its share of the work left.
            ahead = min(most, max(0, math.ceil(left * self.slots / total) - 1))
            job = archive.next_job(ahead, max_pages) or self._release(archive, ahead, max_pages)
            if job is not None:
                best, best_key = job, key
            elif archive.flying == 0 and archive.held is None:
                done.append(archive)  # nothing to ask, nothing in flight to learn from
        if done:
            self.active = [a for a in self.active if a not in done]
            self.session.queued -= len(done)
        if best is not None:
            best.archive.issue(best)
            self.flying += 1
            self.first_flying += best.kind == "first"
        return best

    def _release(self, archive: _Archive, ahead: int, max_pages: int) -> _Job | None:
        """An archive's held guess, once every first page is in: asked if no page of the
        run showed pagination, dropped (the archive ends) if one did."""
        if archive.held is None or archive.flying or self.first_flying:
            return None
        if self.paginates is None and any(not a.requested for a in self.active):
            return None
        guess, archive.held = archive.held, None
        if self.paginates:
            return None
        self.guessed.add(guess)
        archive.links.append(guess)
        return archive.next_job(ahead, max_pages)

    def _most_ahead(self) -> int:
        """Look-ahead pays only while a page's chain is slower than the rate limit lets
        requests start: at 1 request/s, a chain of pages that answer in 0.3 s keeps the rate
        busy alone, and any look-ahead request would only risk a 404."""
        rate = self.session.settings.rate
        if rate <= 0:
            return self.slots - 1
        return min(self.slots - 1, int(self.latency * rate))

    def received(self, job: _Job, fetch: Fetch | None) -> bool:
        """Count the answer; True when it holds a page to parse."""
        a = job.archive
        side_link = job.kind == "link" and a.base is not None  # the pattern goes on regardless
        if fetch is None:  # refused, or asked already this run
            a.stopped = a.stopped or not side_link
            return False
        if fetch.status == 200:
            self.session.fetched += 1
            return True
        if fetch.status == 304:  # unchanged since the last run, and so are the older pages
            self.session.not_modified += 1
            a.stopped = True
            return False
        if fetch.status == 404 and job.number > 1:  # past the last page: the normal end
            if job.kind == "page":
                a.last = min(a.last or job.number, job.number - 1)
                self.session.lookahead_wasted += job.ahead
            elif not side_link:
                self.session.lookahead_wasted += job.url in self.guessed
                a.stopped = True
            return False
        reason = "not_found" if fetch.status == 404 else failure_reason(fetch)
        self.session.fail(fetch.url, fetch.status, reason, fetch.attempts, fetch.error or "")
        if job.kind == "page":  # a numbered archive goes on past a page that failed
            a.confirmed = max(a.confirmed, job.number + 1)
        elif not side_link:
            a.stopped = True
        return False

    def parsed(self, job: _Job, fetch: Fetch, page: Page) -> None:
        """What the page says about its archive: where it goes next, or that it ends here."""
        a, number, following = job.archive, job.number, job.archive.base is None
        if self.known is not None and page.posts and self.known.all_unchanged(page.posts):
            a.stopped = True  # everything older is in the corpus already
            return
        nxt = page.next_url
        if page.shows_pagination:
            self.paginates = True
        if following and number == 1 and self.known is None and fetch.url.endswith("/"):
            pattern = f"{fetch.url}page/2/"
            if nxt == pattern or (page.last_page or 0) >= 2:
                a.base, a.issued = fetch.url, 1
                following = False
                if nxt == pattern:
                    nxt = None
                    a.confirmed = 2
        if page.last_page is not None and not following:
            a.last = min(a.last or page.last_page, page.last_page)
        if following or job.kind == "link":
            if nxt is not None:
                a.links.append(nxt)
            elif following and page.posts and not page.shows_pagination:
                a.held = _guess_next(fetch.url)
        elif nxt == f"{a.base}page/{number + 1}/":
            a.confirmed = max(a.confirmed, number + 1)
        elif nxt is not None:
            a.links.append(nxt)  # off the pattern: followed as a link
        elif page.last_page is None and number > 1:
            a.last = min(a.last or number, number)

    async def settle(self, job: _Job, fetch: Fetch | None, parsing: bool = False) -> None:
        async with self.changed:
            job.archive.flying -= 1
            self.flying -= 1
            self.parsing -= parsing
            self.first_flying -= job.kind == "first"
            if fetch is not None:  # fetched_at: when the request started, past the rate limit
                took = (dt.datetime.now(dt.UTC) - fetch.fetched_at).total_seconds()
                self.latency = 0.8 * self.latency + 0.2 * took if self.latency else took
            self.changed.notify()  # a waiting lane looks (it wakes the next if there is more)


async def crawl_archives(
    session: Session, archives: Sequence[str], known: Known | None = None
) -> AsyncIterator[Crawled]:
    """Every page of every archive, as they arrive; `known` (incremental runs) stops an
    archive at its first page of known, unchanged posts."""
    schedule = _Schedule(session, archives, known)
    queue: asyncio.Queue[Crawled | None] = asyncio.Queue(_BACKLOG)
    session.queued = len(archives)

    async def parse(job: _Job, fetch: Fetch) -> None:
        page = await session.parsing.parse(fetch)
        schedule.parsed(job, fetch, page)
        await queue.put(Crawled(fetch, page))
        await schedule.settle(job, fetch, parsing=True)
        session.tick()

    async def lane(group: asyncio.TaskGroup) -> None:
        while (job := await schedule.next()) is not None:
            fetch = await session.get(job.url, conditional=True)
            if schedule.received(job, fetch):
                assert fetch is not None
                schedule.parsing += 1
                group.create_task(parse(job, fetch))
                continue
            if fetch is not None and fetch.status == 304:
                await queue.put(Crawled(fetch, None))
            await schedule.settle(job, fetch)

    async def every() -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(schedule.slots):
                group.create_task(lane(group))

    async with contextlib.aclosing(drain(queue, every)) as stream:  # closed with this one
        async for crawled in stream:
            yield crawled


def _guess_next(url: str) -> str | None:
    """The next page on WordPress's `/page/N/` pattern after `url` (None: not an archive's)."""
    if (m := _PAGED.match(url)) is not None:
        return f"{m['base']}page/{int(m['n']) + 1}/"
    return f"{url}page/2/" if url.endswith("/") else None


def failure_reason(fetch: Fetch) -> str:
    """Why a fetch that answered no page failed, for `Session.fail`."""
    if fetch.error and fetch.error.startswith(REFUSED_TOO_LARGE):
        return "too_large"
    if fetch.error and fetch.error.startswith(REFUSED_CODING):
        return "content_coding"  # more than two codings, one not asked for, or undecodable
    if fetch.error:
        return "gave_up"
    return f"http_{fetch.status}"


async def crawl_site(settings: Settings, stop: Stop | None = None) -> CrawlResult:
    """`etl crawl`: every archive page into the raw archive (the pages are parsed only to
    find the next one); no tables are written. Run it with `stop.run` to end it early."""
    async with open_session(settings, stop=stop) as session:
        found = await discover(session)
        async for _ in crawl_archives(session, found.archives):
            pass  # the session archives each page as it arrives
    return session.result()
