"""The crawl stage: discovery, pagination, politeness, retries: network in, raw responses out.

Archives come from robots.txt (obeyed for every URL), its sitemaps and the home page's
category and tag links, or from `Settings.archives`. Each archive is followed page by page
(`follow` decides where to go next; by default the page's next link) while archives run
concurrently under the client's rate and concurrency limits. Every response goes straight to
the raw archive; no body outlives the handling of its page.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from etl.crawl import discover
from etl.crawl.client import Client, Stats
from etl.crawl.progress import Progress
from etl.crawl.raw import RawWriter
from etl.records import Fetch
from etl.settings import Settings
from etl.urls import same_origin

log = logging.getLogger(__name__)

Follow = Callable[[Fetch], str | None]
Validators = Mapping[str, tuple[str | None, str | None]]
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Failure:
    """A URL the run could not get, and why."""

    url: str
    status: int | None
    reason: str  # short and stable: "off_origin", "not_found", "gave_up", "too_large", ...
    attempts: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CrawlResult:
    run_id: str
    warc_path: Path
    archives: tuple[str, ...]
    requests: Mapping[str, int]  # by HTTP status, or "error" when no response arrived
    pages_fetched: int
    pages_not_modified: int
    pages_failed: int
    retries: Mapping[str, int]  # by reason: "429", "503", "timeout", "RemoteProtocolError", ...
    gave_up: Mapping[str, int]
    refused_off_origin: int
    disallowed: int
    failures: tuple[Failure, ...]
    duration: float

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        def counts(c: Mapping[str, int]) -> str:
            return ", ".join(f"{k}: {v}" for k, v in sorted(c.items())) or "none"

        lines = [
            f"crawl {self.run_id}: {len(self.archives)} archives, "
            f"{self.pages_fetched} pages fetched, {self.pages_not_modified} not modified, "
            f"{self.pages_failed} failed in {self.duration:.1f} s",
            f"  requests by status: {counts(self.requests)}",
            f"  retries: {counts(self.retries)}; gave up: {counts(self.gave_up)}",
            f"  refused off-origin: {self.refused_off_origin}; "
            f"disallowed by robots.txt: {self.disallowed}",
            f"  raw archive: {self.warc_path}",
        ]
        lines += [f"  FAILED {f.url} ({f.status}, {f.reason}): {f.detail}" for f in self.failures]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CrawlContext:
    """For an `after` hook: the run's client, raw archive, robots.txt's sitemaps, and its
    `get(url)` (on the origin, robots.txt obeyed, archived and counted; None when refused).

    `indexes` maps each sitemap index discovery read (status 200, parsed) to its children,
    so the audit need not ask for it again.
    """

    settings: Settings
    client: Client
    writer: RawWriter
    get: Callable[[str], Awaitable[Fetch | None]]
    sitemaps: tuple[str, ...]
    indexes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def default_follow(fetch: Fetch) -> str | None:
    """The next page of an archive; a 304 means the page (and so its neighbours) is unchanged."""
    return discover.next_page(fetch.body, fetch.url) if fetch.status == 200 else None


@dataclass
class _Run:
    settings: Settings
    client: Client
    writer: RawWriter
    stats: Stats
    validators: Validators
    progress: Progress
    allowed: discover.Allowed = lambda url: True
    sitemaps: tuple[str, ...] = ()
    indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # index -> children
    requested: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    fetched: int = 0
    not_modified: int = 0
    off_origin: int = 0
    disallowed: int = 0
    queued: int = 0

    def fail(self, url: str, status: int | None, reason: str, attempts: int, detail: str) -> None:
        log.warning("failed %s (%s): %s", url, reason, detail)
        self.failures.append(Failure(url, status, reason, attempts, detail))

    def tick(self) -> None:
        done, total = self.fetched + self.not_modified, sum(self.stats.requests.values())
        self.progress.show(done, len(self.failures), self.queued, total)

    async def get(self, url: str, conditional: bool = False, again: bool = False) -> Fetch | None:
        """GET `url`, following redirects on the origin; None when refused or already fetched
        (unless `again`: the audit's requests, which may repeat a sitemap discovery could not
        use).

        Only archive pages are asked conditionally: robots.txt and the sitemaps are read anew.
        """
        visited: list[tuple[str, int | None]] = []  # (URL, status) of each redirect so far
        while True:
            if not self._may_request(url, visited):
                return None
            if url in self.requested and not again:
                return None  # every URL once per run, however many archives lead to it
            self.requested.add(url)
            headers = self._conditional(url) if conditional else {}
            fetch = await self.client.fetch(url, headers)
            self.writer.write(fetch)
            location = dict((k.lower(), v) for k, v in fetch.headers).get("location")
            if fetch.status not in _REDIRECTS or not location:
                return fetch
            visited.append((url, fetch.status))
            url = urljoin(url, location)

    def _may_request(self, url: str, visited: list[tuple[str, int | None]]) -> bool:
        """On the origin, no redirect loop, allowed by robots.txt; refusals counted."""
        first, status = visited[0] if visited else (url, None)
        if not same_origin(url, self.settings.site):
            self.off_origin += 1
            where = f"redirect from {visited[-1][0]}" if visited else "link"
            detail = f"refused: {where} to {url} leaves {self.settings.site}"
            self.fail(first, status, "off_origin", 1, detail)
            return False
        if url in (u for u, _ in visited) or len(visited) > MAX_REDIRECTS:
            self.fail(first, status, "redirect_loop", 1, f"redirects loop or exceed 5 at {url}")
            return False
        if not self.allowed(url):
            self.disallowed += 1
            log.info("robots.txt disallows %s", url)
            return False
        return True

    def _conditional(self, url: str) -> dict[str, str]:
        etag, modified = self.validators.get(url, (None, None))
        headers = {"If-None-Match": etag} if etag else {}
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    async def archive(self, first: str, follow: Follow, on_fetch: Callable[[Fetch], None]) -> None:
        """Follow one archive from its first page until `follow` finds no next page."""
        url: str | None = first
        for number in range(1, self.settings.max_pages + 1):
            if url is None:
                break
            fetch = await self.get(url, conditional=True)
            if fetch is None or not self._page_ok(fetch, number):
                break
            on_fetch(fetch)
            self.tick()
            url = follow(fetch)
        self.queued -= 1
        self.tick()

    def _page_ok(self, fetch: Fetch, number: int) -> bool:
        if fetch.status == 200:
            self.fetched += 1
            return True
        if fetch.status == 304:
            self.not_modified += 1
            return True
        if fetch.status == 404 and number > 1:
            return False  # past the last page: the normal end of an archive
        reason = "not_found" if fetch.status == 404 else _reason(fetch)
        self.fail(fetch.url, fetch.status, reason, fetch.attempts, fetch.error or "")
        return False

    def context(self) -> CrawlContext:
        get = functools.partial(self.get, again=True)
        return CrawlContext(
            self.settings, self.client, self.writer, get, self.sitemaps, dict(self.indexes)
        )

    async def robots(self) -> None:
        s = self.settings
        robots = await self.get(urljoin(s.site, "/robots.txt"))
        status, body = (robots.status, robots.body) if robots else (None, b"")
        self.allowed, sitemaps = discover.robots_rules(status, body, s.user_agent)
        self.sitemaps = tuple(sitemaps)
        if status != 200 and not (status and 400 <= status < 500):
            self.fail(
                urljoin(s.site, "/robots.txt"),
                status,
                "robots_unavailable",
                robots.attempts if robots else 1,
                "robots.txt unreachable: every URL is disallowed for this run (RFC 9309)",
            )

    async def discover(self) -> tuple[str, ...]:
        s = self.settings
        await self.robots()
        if s.archives:
            return discover.sorted_unique(urljoin(s.site, a) for a in s.archives)
        found: set[str] = set()
        for sitemap in self.sitemaps or [urljoin(s.site, "/wp-sitemap.xml")]:
            await self._sitemap(sitemap, found, top=True)
        home = await self.get(urljoin(s.site, "/"))
        if home is not None and home.status == 200:
            found |= discover.archive_links(home.body, home.url, s.site)
            self._refuse(discover.foreign_archive_links(home.body, home.url, s.site), home.url)
        return discover.sorted_unique(found)

    def _refuse(self, foreign: set[str], where: str) -> None:
        """Archives another origin's URLs point to: counted, never requested."""
        self.off_origin += len(foreign)
        for url in sorted(foreign):
            log.warning("refused %s (linked from %s): not on %s", url, where, self.settings.site)

    async def _sitemap(self, url: str, found: set[str], top: bool) -> None:
        if not same_origin(url, self.settings.site):  # a hint, not a page we owe the run
            self.off_origin += 1
            log.warning("skipping sitemap %s: not on %s", url, self.settings.site)
            return
        fetch = await self.get(url)
        if fetch is None or fetch.status != 200:
            return  # optional: the home page still names the archives
        try:
            children, pages = discover.parse_sitemap(fetch.body)
        except Exception as exc:
            log.warning("cannot read sitemap %s: %s", url, exc)
            return
        if children:
            self.indexes[url] = tuple(children)
        found |= {a for a in (discover.archive_url(p, self.settings.site) for p in pages) if a}
        self._refuse(discover.foreign_archives(pages, self.settings.site), url)
        for child in children:
            if top and discover.wants_sitemap(child):
                await self._sitemap(child, found, top=False)


def _reason(fetch: Fetch) -> str:
    if fetch.error and fetch.error.startswith("refused: response too large"):
        return "too_large"
    if fetch.error:
        return "gave_up"
    return f"http_{fetch.status}"


@asynccontextmanager
async def _open(
    settings: Settings, validators: Validators, run_id: str | None
) -> AsyncIterator[_Run]:
    with RawWriter(settings.raw_dir, run_id) as writer:
        stats = Stats()
        async with Client(settings, stats) as client:
            yield _Run(
                settings, client, writer, stats, validators, Progress(enabled=settings.progress)
            )


@asynccontextmanager
async def connect(settings: Settings, run_id: str | None = None) -> AsyncIterator[CrawlContext]:
    """A run without archives (`etl audit`): robots.txt read, then the context to request with."""
    async with _open(settings, {}, run_id) as run:
        await run.robots()
        yield run.context()


async def crawl(
    settings: Settings,
    *,
    follow: Follow | None = None,
    validators: Validators | None = None,
    on_fetch: Callable[[Fetch], None] | None = None,
    run_id: str | None = None,
    after: Callable[[CrawlContext], Awaitable[None]] | None = None,
) -> CrawlResult:
    """Crawl every archive of the site into the raw archive; return the run's counts.

    `follow(fetch)` names the page to fetch after an archive page (None stops that archive);
    `validators` maps URL -> (ETag, Last-Modified) for conditional requests (a 304 comes back
    as a body-less Fetch); `on_fetch` sees every archive page fetched; `after` runs once the
    archives are done, with the same client and raw archive (the audit and its heal).
    """
    started = time.monotonic()
    async with _open(settings, validators or {}, run_id) as run:
        archives = await run.discover()
        run.queued = len(archives)
        log.info("crawling %d archives", len(archives))
        await asyncio.gather(
            *(
                run.archive(a, follow or default_follow, on_fetch or (lambda f: None))
                for a in archives
            )
        )
        if after is not None:
            await after(run.context())
    run.progress.close()
    return CrawlResult(
        run_id=run.writer.run_id,
        warc_path=run.writer.warc_path,
        archives=archives,
        requests=dict(run.stats.requests),
        pages_fetched=run.fetched,
        pages_not_modified=run.not_modified,
        pages_failed=len(run.failures),
        retries=dict(run.stats.retries),
        gave_up=dict(run.stats.gave_up),
        refused_off_origin=run.off_origin,
        disallowed=run.disallowed,
        failures=tuple(run.failures),
        duration=time.monotonic() - started,
    )


def run_crawl(
    settings: Settings,
    *,
    follow: Follow | None = None,
    validators: Validators | None = None,
    on_fetch: Callable[[Fetch], None] | None = None,
    run_id: str | None = None,
    after: Callable[[CrawlContext], Awaitable[None]] | None = None,
) -> CrawlResult:
    """`crawl` for synchronous callers (the CLI, the pipeline's crawl thread)."""
    return asyncio.run(
        crawl(
            settings,
            follow=follow,
            validators=validators,
            on_fetch=on_fetch,
            run_id=run_id,
            after=after,
        )
    )
