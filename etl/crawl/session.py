"""The crawl session: everything one run's requests share.

One HTTP client (per-host rate limit, concurrency limit, one retry policy), the robots.txt
rules, the raw archive writer, the URLs already requested and the counters. The stages'
async functions (`discover`, `crawl_archives`, `audit`, `heal`) all request through
`Session.get`, so every request of a run is polite, on the origin, archived and counted in
one place.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from etl.crawl.client import Client, Stats, Wait
from etl.crawl.progress import Progress
from etl.crawl.rawwriter import RawWriter, warcinfo_fields
from etl.crawl.worker import Parsing
from etl.records import Fetch
from etl.settings import Settings
from etl.urls import same_origin

if TYPE_CHECKING:
    import httpx

    from etl.crawl.stop import Stop
    from etl.parse.profile import Profile

log = logging.getLogger(__name__)

Validators = Mapping[str, tuple[str | None, str | None]]
Allowed = Callable[[str], bool]
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
    """A session's numbers once it is closed."""

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
    parse_s: float = 0.0  # of `duration`: parsing pages in this process
    waits: tuple[Wait, ...] = ()  # every Retry-After honoured (URL, asked, waited)
    parsed_in_workers: int = 0  # pages parsed in worker processes (Settings.parse_workers)
    lookahead_wasted: int = 0  # look-ahead requests past an archive's last page (404)
    plan: Mapping[str, object] = field(default_factory=dict)  # what the sitemaps said to ask

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


@dataclass
class Session:
    """One run's shared crawl state (mutable; `result()` freezes its numbers)."""

    settings: Settings
    client: Client
    writer: RawWriter
    validators: Validators
    progress: Progress
    parsing: Parsing  # in this process, or in a worker (etl.crawl.worker)
    profile: Profile | None = None  # the site profile every page is parsed with
    allowed: Allowed = lambda url: False  # until robots.txt has been read
    sitemaps: tuple[str, ...] = ()  # the ones robots.txt names
    archives: tuple[str, ...] = ()  # what discovery found, for the result
    requested: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    fetched: int = 0
    not_modified: int = 0
    off_origin: int = 0
    disallowed: int = 0
    queued: int = 0
    lookahead_wasted: int = 0
    max_requests: int | None = None  # the session's budget (None: no limit), redirects included
    over_budget: int = 0  # requests refused because the budget was spent
    plan: dict[str, object] = field(default_factory=dict)  # etl.crawl.plan.Plan.summary()
    started: float = field(default_factory=time.monotonic)

    @property
    def run_id(self) -> str:
        return self.writer.run_id

    @property
    def requests(self) -> int:
        return sum(self.client.stats.requests.values())

    async def get(
        self, url: str, *, conditional: bool = False, again: bool = False
    ) -> Fetch | None:
        """GET `url`, following redirects on the origin; None when refused or already asked
        this run (unless `again`: the audit may repeat a sitemap discovery could not use).

        Only archive pages are asked conditionally: robots.txt and the sitemaps are read anew.
        """
        visited: list[tuple[str, int | None]] = []  # (URL, status) of each redirect so far
        while True:
            if not self._may_request(url, visited):
                return None
            if url in self.requested and not again:
                return None  # every URL once per run, however many archives lead to it
            self.requested.add(url)
            fetch = await self.client.fetch(url, self._conditional(url) if conditional else {})
            self.writer.write(fetch)
            location = fetch.header("location")
            if fetch.status not in _REDIRECTS or not location:
                return fetch
            visited.append((url, fetch.status))
            url = urljoin(url, location)

    def fail(self, url: str, status: int | None, reason: str, attempts: int, detail: str) -> None:
        log.warning("failed %s (%s): %s", url, reason, detail)
        self.failures.append(Failure(url, status, reason, attempts, detail))

    def refuse_off_origin(self, urls: set[str], where: str) -> None:
        """URLs on another origin that the site points to: counted, never requested."""
        self.off_origin += len(urls)
        for url in sorted(urls):
            log.warning("refused %s (linked from %s): not on %s", url, where, self.settings.site)

    def tick(self) -> None:
        done = self.fetched + self.not_modified
        self.progress.show(done, len(self.failures), self.queued, self.requests)

    def _may_request(self, url: str, visited: list[tuple[str, int | None]]) -> bool:
        """On the origin, no redirect loop, allowed by robots.txt, within the request budget;
        refusals counted."""
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
        if self.max_requests is not None and self.requests >= self.max_requests:
            self.over_budget += 1
            log.info("not asked %s: the %d requests allowed are spent", url, self.max_requests)
            return False
        return True

    def _conditional(self, url: str) -> dict[str, str]:
        etag, modified = self.validators.get(url, (None, None))
        headers = {"If-None-Match": etag} if etag else {}
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    async def read_robots(self) -> None:
        """RFC 9309: a 4xx allows everything, no answer or a 5xx disallows everything."""
        url = urljoin(self.settings.site, "/robots.txt")
        self.allowed = lambda url: True  # robots.txt itself may always be asked
        robots = await self.get(url)
        status, body = (robots.status, robots.body) if robots else (None, b"")
        self.allowed, sitemaps = robots_rules(status, body, self.settings.user_agent)
        self.sitemaps = tuple(sitemaps)
        if status != 200 and not (status and 400 <= status < 500):
            attempts = robots.attempts if robots else 1
            detail = "robots.txt unreachable: every URL is disallowed for this run (RFC 9309)"
            self.fail(url, status, "robots_unavailable", attempts, detail)

    def result(self) -> CrawlResult:
        stats = self.client.stats
        return CrawlResult(
            run_id=self.run_id,
            warc_path=self.writer.warc_path,
            archives=self.archives,
            requests=dict(stats.requests),
            pages_fetched=self.fetched,
            pages_not_modified=self.not_modified,
            pages_failed=len(self.failures),
            retries=dict(stats.retries),
            gave_up=dict(stats.gave_up),
            refused_off_origin=self.off_origin,
            disallowed=self.disallowed,
            failures=tuple(self.failures),
            duration=time.monotonic() - self.started,
            parse_s=self.parsing.seconds,
            waits=tuple(stats.waits),
            parsed_in_workers=self.parsing.in_workers,
            lookahead_wasted=self.lookahead_wasted,
            plan=dict(self.plan),
        )


@asynccontextmanager
async def open_session(
    settings: Settings,
    *,
    run_id: str | None = None,
    validators: Validators | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    stop: Stop | None = None,
    profile: Profile | None = None,
    max_requests: int | None = None,
) -> AsyncIterator[Session]:
    """A session with robots.txt read; the raw archive is closed (fsynced) on the way out.

    `validators` maps URL -> (ETag, Last-Modified) for conditional requests; `transport`
    replaces the network (unit tests pass an `httpx.MockTransport`); `stop`, when the run can
    be stopped early, is shown the session before its first request; `profile` is the site
    profile the session's pages are parsed with (None: the defaults); `max_requests` caps the
    requests sent, robots.txt and every redirect hop included (a request over it is not sent:
    `get` returns None and `over_budget` counts it; a fetch's own retries are not cut short).
    A site off loopback without the operator's contact is refused before any request
    (SettingsError), whoever opens the session: the command line, a notebook, a script.
    """
    from etl.siterules import require_contact

    require_contact(settings)
    progress = Progress(enabled=settings.progress)
    with RawWriter(settings.raw_dir, run_id, info=warcinfo_fields(settings)) as writer:
        async with Client(settings, Stats(), transport=transport) as client:
            parsing = Parsing(settings, profile)
            session = Session(
                settings,
                client,
                writer,
                validators or {},
                progress,
                parsing,
                profile=profile,
                max_requests=max_requests,
            )
            if stop is not None:
                stop.watch(session)
            try:
                await session.read_robots()
                yield session
            finally:
                progress.close()
                await parsing.aclose()


class SiteUnreachable(RuntimeError):
    """The site cannot be reached at all: fail fast instead of retrying every URL."""


def check_reachable(site: str, timeout: float) -> None:
    """One TCP connect to the site: a dead network fails in seconds, not after every retry."""
    parts = urlsplit(site)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname or "", port), timeout=timeout).close()
    except OSError as exc:
        raise SiteUnreachable(
            f"cannot reach {site} ({exc.strerror or exc}); check the network, "
            "or run `make demo` for the same pipeline on a local snapshot"
        ) from None


def robots_rules(status: int | None, body: bytes, user_agent: str) -> tuple[Allowed, list[str]]:
    """RFC 9309 2.3.1: a 4xx robots.txt allows everything; no answer or 5xx disallows all.

    Returns the rule as a predicate on URLs, and the sitemaps robots.txt names.
    """
    if status is not None and 400 <= status < 500:
        return (lambda url: True), []
    if status != 200:
        return (lambda url: False), []
    from protego import Protego

    parser = Protego.parse(body.decode("utf-8", "replace"))
    return (lambda url: bool(parser.can_fetch(url, user_agent))), list(parser.sitemaps)
