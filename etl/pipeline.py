"""One run, top to bottom: discover -> plan -> fetch -> parse -> collect -> audit/heal -> merge
-> write -> report, under the data folder's lock. The plan decides from the sitemaps what to
ask (etl.crawl.plan); archives run concurrently in `crawl_archives`, an async iterator of
parsed pages (and posts' own pages where archives show excerpts: etl.crawl.posts), each
straight into the loader's collector. Incremental once a corpus exists, unless `full`."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from etl.crawl.archives import crawl_archives
from etl.crawl.audit import Checked, audit, heal, to_heal
from etl.crawl.discover import discover
from etl.crawl.plan import plan_crawl
from etl.crawl.posts import PostPages
from etl.crawl.prune import prune
from etl.crawl.raw import RawArchive, new_run_id
from etl.crawl.session import CrawlResult, Validators, check_reachable, open_session
from etl.crawl.stop import Stop, Stopped
from etl.load import store
from etl.load.audit_table import write_checked
from etl.load.collect import Collected
from etl.load.merge import KnownPosts, collector, last_seen, merge_collected
from etl.load.store import SOURCE_TABLES, Corpus, check_site, read_corpus, write_corpus
from etl.lock import run_lock
from etl.parse.page import parse_fetch
from etl.records import Fetch, Page, Problem
from etl.runlog import RunReport, add_crawl, add_merge, collect_warnings, finish
from etl.settings import Settings
from etl.watch import SiteWatch

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Start:
    """What a run knows before it asks the site anything."""

    run_id: str
    mode: str  # full | incremental | rebuild
    existing: Corpus | None  # the published tables the run merges into
    known: KnownPosts | None  # incremental runs: the posts the stop rule compares with
    seen_at: dict[str, dt.datetime | None]  # stored post URL -> last_seen_at, for the audit
    validators: Validators  # URL -> (ETag, Last-Modified) for conditional requests
    asked: frozenset[str]  # every URL earlier runs logged: an archive not in it is new
    whole: bool  # the published files are all the manifest's run's (else the next write mends)

    @property
    def full(self) -> bool:
        return self.mode != "incremental"


def run_corpus(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> RunReport:
    """`etl corpus`: crawl, parse, collect, audit and heal, merge, write, report. Raises
    LockedError when another run holds the data folder. `transport` replaces the network
    (unit tests); without it a dead site fails at once (SiteUnreachable)."""
    with _run(settings, "full" if settings.full else "incremental") as (stop, report):
        start = _start(settings, report, from_raw=False)  # and the run's mode
        if transport is None:
            check_reachable(settings.site, settings.connect_timeout)
        began = time.monotonic()
        crawled = stop.run(_crawl(settings, start, transport, stop))
        collected, crawl, checked, watch, excerpts = crawled
        report.timings["crawl_s"] = round(time.monotonic() - began, 3)
        add_crawl(report, crawl, excerpts)
        _publish(settings, start, report, collected, checked, watch, stop)
    return report  # or stopped: then it says where, and what was kept


@contextmanager
def _run(settings: Settings, mode: str) -> Iterator[tuple[Stop, RunReport]]:
    """A run's frame: signals handled from its first line (etl.crawl.stop), the lock, its
    report. A signal or the deadline ends the block with the report written (saying whether
    the run's tables were published)."""
    with Stop(settings.max_run_time) as stop, run_lock(settings.data_dir), \
            collect_warnings() as warned:  # fmt: skip
        report = RunReport(new_run_id(), mode, settings.site, dt.datetime.now(dt.UTC))
        report.warnings = warned  # every warning of the run goes into its report too
        try:
            yield stop, report
        except Stopped as stopped:  # the raw archive keeps what was fetched
            published = store.is_published(settings.processed_dir, report.run_id)
            finish(report, settings.data_dir, stopped=stopped, published=published)


async def _crawl(
    settings: Settings, start: Start, transport: httpx.AsyncBaseTransport | None, stop: Stop
) -> tuple[Collected, CrawlResult, Checked | None, SiteWatch, dict[str, Any]]:
    def add(fetch: Fetch, page: Page | None) -> None:  # on to the collector (None: a 304)
        if page is None:
            collected.add_unparsed(fetch.url, fetch.fetched_at, start.run_id, fetch.status)
        else:
            collected.add(watch.saw(fetch, page), fetch.fetched_at, start.run_id, fetch.status)

    collected, checked = collector(start.existing), None
    watch = SiteWatch(settings, start.mode, start.known)  # profile, rule counts, REST API
    async with open_session(
        settings, run_id=start.run_id, validators=start.validators, transport=transport,
        stop=stop, profile=watch.profile) as session:  # fmt: skip
        discovery = await discover(session, posts=True, home=start.full)  # each sitemap once
        plan = await plan_crawl(session, discovery, start.seen_at, start.asked,
                                full=start.full, whole=start.whole)  # fmt: skip
        session.plan = plan.summary()  # what the sitemaps said to ask, for the report
        for h in plan.posts.healed:  # new and edited posts, read from their own page
            add(h.fetch, h.page)
        excerpts = PostPages(session, start.known, skip=plan.posts.tried)  # archives of excerpts
        async for got in excerpts.follow(crawl_archives(session, plan.archives, start.known)):
            add(got.fetch, got.page)  # fetched and parsed, as they arrive (304s unparsed)
        if settings.audit and not settings.archives:  # a partial crawl has low recall by design
            before = session.requests
            seen = {**start.seen_at, **collected.last_seen()}
            found = await audit(session, seen, read=discovery.posts, wp_json=start.full)
            healed = await heal(session, to_heal(found.result, plan.posts.tried | excerpts.tried))
            for h in healed.healed:
                add(h.fetch, h.page)
            checked = Checked(found, healed, session.requests - before)
        await watch.ask(session)  # a second opinion, if the run found new or changed posts
    if (again := watch.read_again(settings.raw_dir, start.run_id)) is not None:
        collected = collector(start.existing)  # its pages misread a teaser block as posts
        for fetch, page in again:
            add(fetch, page)
    crawl = session.result()
    for f in crawl.failures:  # failed pages belong in the crawl log too
        problem = Problem(code=f"fetch.{f.reason}", url=f.url, detail=f.detail or f.reason)
        collected.add_unparsed(f.url, dt.datetime.now(dt.UTC), start.run_id, f.status, problem)
    for p in discovery.problems:  # and so do unreadable sitemaps (answered 200)
        collected.add_unparsed(p.url, dt.datetime.now(dt.UTC), start.run_id, 200, p)
    return collected.finish(), crawl, checked, watch, excerpts.summary()


def rebuild(settings: Settings) -> RunReport:
    """`etl rebuild`: the tables from the raw archive alone: each URL's latest good response."""
    with _run(settings, "rebuild") as (stop, report):
        start = _start(settings, report, from_raw=True)
        collected, watch = Collected(), SiteWatch(settings, start.mode)
        for fetch in RawArchive(settings.raw_dir).latest():
            page = parse_fetch(fetch, watch.profile)
            if page.kind in ("archive", "post"):  # robots.txt, sitemaps, home: not records
                collected.add(watch.saw(fetch, page), fetch.fetched_at, start.run_id, fetch.status)
        if collected.pages == 0:
            report.fail(f"no archive pages in {settings.raw_dir}: crawl first")
        report.pages = {"fetched": 0, "not_modified": 0, "failed": 0, "from_raw": collected.pages}
        _publish(settings, start, report, collected.finish(), None, watch, stop)
    return report


def _publish(settings: Settings, start: Start, report: RunReport, collected: Collected,
             checked: Checked | None, watch: SiteWatch, stop: Stop) -> RunReport:  # fmt: skip
    """Merge the run into the corpus, write the tables, then the run report. A signal stops
    the write before the manifest swap (nothing published), or after every table is linked."""
    if why := report.nothing_crawled(checked.healed.healed if checked else ()):
        if report.unchanged and start.existing is not None:  # the tables stand: audit them
            write_checked(checked, settings, start.run_id, report, start.existing.posts)
            watch.finish(report, start.existing.posts)
        return finish(report, settings.data_dir, unpublished=why)  # the tables stay as they are
    drift = collected.drift
    if drift:
        pages = sorted({p.url for p in drift})
        report.fail(f"markup drift on {len(pages)} page(s), first {pages[0]}: {drift[0].code}")
    # Only a clean full crawl may mark unseen posts as gone: a failed page or a drifted one
    # hides posts that are still there, and the published tables must never shrink.
    clean_full = start.mode == "full" and report.exit_status == 0
    began = time.monotonic()
    merged = merge_collected(start.existing, collected, full=clean_full, settings=settings)
    report.timings["merge_s"] = round(time.monotonic() - began, 3)
    add_merge(report, merged, drift, [p.code for p, _, _ in collected.problems])
    began = time.monotonic()
    write_corpus(merged.corpus, settings.processed_dir, run_id=start.run_id, site=settings.site,
                 generated_at=dt.datetime.now(dt.UTC), publishing=stop.held())  # fmt: skip
    report.timings["write_s"] = round(time.monotonic() - began, 3)
    write_checked(checked, settings, start.run_id, report, merged.corpus.posts)
    watch.finish(report, merged.corpus.posts)  # the profile, rule counts, the REST API's view
    if settings.keep_runs and report.exit_status == 0 and start.mode != "rebuild":
        # Old runs' raw files, less what the new tables' refresh and rebuild still read.
        runs = set(merged.corpus.pages.column("run_id").to_pylist())
        prune(settings.raw_dir, settings.keep_runs, needed=runs)
    return finish(report, settings.data_dir)


def _start(settings: Settings, report: RunReport, *, from_raw: bool) -> Start:
    existing = read_corpus(settings.processed_dir, only=SOURCE_TABLES)
    check_site(settings.processed_dir, settings.site)
    full = from_raw or settings.full or existing is None
    mode = "rebuild" if from_raw else "full" if full else "incremental"
    # Validators only from runs whose pages reached the tables (a killed run's never did).
    runs = set(existing.pages.column("run_id").to_pylist()) if existing else set()
    validators = {} if full else RawArchive(settings.raw_dir).validators(runs)
    known = None if full else KnownPosts(existing)
    asked = frozenset(existing.pages.column("url").to_pylist()) if existing else frozenset()
    whole = existing is None or store.is_consistent(settings.processed_dir)
    report.mode, seen = mode, last_seen(existing)
    return Start(report.run_id, mode, existing, known, seen, validators, asked, whole)
