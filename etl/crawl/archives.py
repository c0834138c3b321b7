"""Follow the site's archives page by page: an async iterator of (fetch, parsed page).

Archives run concurrently under the session's rate and concurrency limits; each page is
parsed as it arrives, because the page says where its archive goes next. Incremental runs
stop an archive at the first page whose posts the corpus already holds unchanged: a new post
shifts every page boundary, so the crawl stops by content, never by page number.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from etl.crawl.client import REFUSED_CODING, REFUSED_TOO_LARGE
from etl.crawl.discover import discover
from etl.crawl.session import CrawlResult, Session, open_session
from etl.crawl.stop import Stop
from etl.parse.page import parse_fetch
from etl.records import Fetch, Page, Post
from etl.settings import Settings

# Pages waiting for the consumer: a slow consumer slows the crawl instead of filling memory.
_BACKLOG = 64


class Known(Protocol):
    """The corpus's posts as the incremental stop rule needs them."""

    def all_unchanged(self, posts: Sequence[Post]) -> bool: ...


@dataclass(frozen=True, slots=True)
class Crawled:
    """One archive page as the crawl got it; `page` is None for a 304 (nothing to parse)."""

    fetch: Fetch
    page: Page | None


async def crawl_archives(
    session: Session, archives: Sequence[str], known: Known | None = None
) -> AsyncIterator[Crawled]:
    """Every page of every archive, as they arrive; `known` (incremental runs) stops an
    archive at its first page of known, unchanged posts."""
    queue: asyncio.Queue[Crawled | None] = asyncio.Queue(_BACKLOG)
    session.queued = len(archives)

    async def one(first: str) -> None:
        async for crawled in follow_archive(session, first, known):
            await queue.put(crawled)
        session.queued -= 1
        session.tick()

    async def every() -> None:
        try:
            await asyncio.gather(*(one(a) for a in archives))
        finally:
            await queue.put(None)  # the one end of the stream

    task = asyncio.create_task(every())
    try:
        while (crawled := await queue.get()) is not None:
            yield crawled
        await task  # re-raises what stopped an archive
    finally:
        if not task.done():  # the consumer stopped early
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def follow_archive(
    session: Session, first: str, known: Known | None = None
) -> AsyncIterator[Crawled]:
    """One archive from its first page until no next page, at most `max_pages` pages."""
    url: str | None = first
    number = 1
    while url is not None and number <= session.settings.max_pages:
        fetch = await session.get(url, conditional=True)
        if fetch is None or not _page_ok(session, fetch, number):
            return
        if fetch.status == 304:  # unchanged since the last run, and so are the older pages
            yield Crawled(fetch, None)
            return
        started = time.perf_counter()
        page = parse_fetch(fetch, session.profile)
        session.parse_s += time.perf_counter() - started
        yield Crawled(fetch, page)
        session.tick()
        if known is not None and page.posts and known.all_unchanged(page.posts):
            return  # everything older is in the corpus already
        url, number = page.next_url, number + 1


def _page_ok(session: Session, fetch: Fetch, number: int) -> bool:
    if fetch.status == 200:
        session.fetched += 1
        return True
    if fetch.status == 304:
        session.not_modified += 1
        return True
    if fetch.status == 404 and number > 1:
        return False  # past the last page: the normal end of an archive
    reason = "not_found" if fetch.status == 404 else _reason(fetch)
    session.fail(fetch.url, fetch.status, reason, fetch.attempts, fetch.error or "")
    return False


def _reason(fetch: Fetch) -> str:
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
