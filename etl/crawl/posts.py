"""Posts an archive shows only as an excerpt, read from their own page.

Some themes' archives show each post's excerpt (`entry-summary`, or the body cut at a
read-more link), not the post: the parser marks such records `Post.excerpt_only` (and such a
page `excerpts_only`), and the post's own page has its text. `PostPages.follow` wraps the
archive crawl: it passes every archive page on as it arrives and, beside the archives, asks
the own page of each excerpt-only post they show, once, in `concurrency` lanes through the
run's session (its rate and concurrency limits, robots.txt, the origin, every URL once; the
run's request counts). Each page is parsed as the archives' are (`Session.parsing`) and goes
on as one more `Crawled`; the loader lets the full post beat its excerpt in any order.

Every post of such a site needs it, so the step is bounded by the site's post count, not by
`heal_max`. It asks only posts that need it: not those the run read from their own page
already (the sitemap plan's new and edited posts: `skip`), and on incremental runs not those
the corpus holds in full and shown unchanged (`Known.has_in_full`: the title, heading, date
and terms an excerpt shows; its text never equals the full text). A page that fails, or is
not the post, is a failed page of the run (`Session.fail`), as an archive page's would be;
the loader then keeps the excerpt, flagged (`source = "excerpt"`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

from etl.crawl.archives import Crawled, failure_reason
from etl.crawl.audit import not_the_post
from etl.crawl.session import Session
from etl.crawl.streams import drain
from etl.records import Page, Post
from etl.urls import canonical_url

log = logging.getLogger(__name__)

# Pages waiting for the consumer: a slow consumer slows the crawl instead of filling memory.
_BACKLOG = 64


class Known(Protocol):
    """The corpus's posts, as far as an excerpt can tell them."""

    def has_in_full(self, post: Post) -> bool: ...


@dataclass
class PostPages:
    """One run's post pages for excerpts: `follow(archive pages)`, then its numbers."""

    session: Session
    known: Known | None = None  # incremental runs: the corpus's posts
    skip: Collection[str] = ()  # canonical URLs the run read from their own page already
    archive_pages: int = 0  # archive pages parsed
    excerpt_pages: int = 0  # of them, pages whose every post is an excerpt
    shown: set[str] = field(default_factory=set)  # canonical URLs shown as an excerpt
    asked: set[str] = field(default_factory=set)  # canonical URLs this step requested
    read: int = 0  # posts read from their own page
    already: int = 0  # shown as an excerpt, read from their own page before this step
    unchanged: int = 0  # held in full by the corpus and shown unchanged: not asked
    failed: list[str] = field(default_factory=list)  # failed, or not the post
    refused: list[str] = field(default_factory=list)  # never asked (robots.txt)

    @property
    def tried(self) -> frozenset[str]:
        """Every post URL (canonical) this step asked for: no later step asks it again."""
        return frozenset(self.asked)

    async def follow(self, pages: AsyncIterator[Crawled]) -> AsyncIterator[Crawled]:
        """Every archive page of `pages`, and the own page of each excerpt-only post they
        show that needs it, as they arrive."""
        out: asyncio.Queue[Crawled | None] = asyncio.Queue(_BACKLOG)
        wanted: asyncio.Queue[str | None] = asyncio.Queue()  # post URLs: small, unbounded
        lanes = max(1, self.session.settings.concurrency)

        async def archives() -> None:
            try:
                async for got in pages:
                    await out.put(got)
                    for url in self._wanted(got.page):
                        wanted.put_nowait(url)
            finally:
                if isinstance(pages, AsyncGenerator):  # stops its requests now, not at exit
                    await pages.aclose()
            for _ in range(lanes):
                wanted.put_nowait(None)  # the end, for each lane

        async def lane() -> None:
            while (url := await wanted.get()) is not None:
                if (got := await self._read(url)) is not None:
                    await out.put(got)

        async def every() -> None:
            async with asyncio.TaskGroup() as group:
                group.create_task(archives())
                for _ in range(lanes):
                    group.create_task(lane())

        async with contextlib.aclosing(drain(out, every)) as stream:  # closed with this one
            async for got in stream:
                yield got

    def _wanted(self, page: Page | None) -> list[str]:
        """The page's excerpt-only posts whose own page is to be read (as printed)."""
        if page is None:  # 304: nothing parsed, nothing new
            return []
        self.archive_pages += 1
        self.excerpt_pages += page.excerpts_only
        urls = []
        for post in page.posts:
            url = canonical_url(post.url) if post.excerpt_only else None
            if url is None or url in self.shown:
                continue
            self.shown.add(url)  # decided at its first sighting: every URL once
            if url in self.skip:
                self.already += 1
            elif self.known is not None and self.known.has_in_full(post):
                self.unchanged += 1
            else:
                self.asked.add(url)
                urls.append(post.url)
        return urls

    async def _read(self, url: str) -> Crawled | None:
        """The post's own page, parsed; None (and the failure counted) when it cannot be."""
        session = self.session
        fetch = await session.get(url)
        if fetch is None:  # robots.txt says no (off the origin: the session failed it)
            log.warning("%s: its archive shows an excerpt, and its page may not be asked", url)
            self.refused.append(url)
            return None
        if fetch.status != 200:
            reason = "not_found" if fetch.status == 404 else failure_reason(fetch)
            detail = f"{fetch.error or f'HTTP {fetch.status}'} (its archive shows an excerpt)"
            session.fail(url, fetch.status, reason, fetch.attempts, detail)
            self.failed.append(url)
            return None
        page = await session.parsing.parse(fetch)
        if why := not_the_post(url, page):
            session.fail(url, fetch.status, "not_the_post", fetch.attempts, why)
            self.failed.append(url)
            return None
        self.read += 1
        session.tick()
        return Crawled(fetch, page)

    def summary(self) -> dict[str, Any]:
        """What the run report says of excerpts (`RunReport.excerpts`)."""
        shows = bool(self.excerpt_pages) if self.archive_pages else None  # None: no page read
        return {
            "archives_show_excerpts": shows,
            "archive_pages": self.excerpt_pages,  # archive pages showing excerpts only
            "posts": len(self.shown),  # distinct posts the archives showed as excerpts
            "post_pages": self.read,  # of them, read from their own page by this step
            "read_already": self.already,  # read from their own page before (the plan)
            "unchanged": self.unchanged,  # the corpus holds them in full, unchanged
            "failed": sorted(self.failed),
            "refused": sorted(self.refused),
        }
