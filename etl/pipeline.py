"""crawl -> parse -> load: one run under the data folder's lock; returns the run's report.

The crawl runs in a worker thread with its own event loop; every archive page it fetches is
parsed at once (the parse decides where the archive goes next) and handed over a queue to
the loader, which keeps one winner per URL as pages stream in. So raw HTML is never held for
the whole run, and the parse of one page overlaps the fetch of the next.

Incremental by default once a corpus exists: archives are asked conditionally (ETag /
Last-Modified from the raw archive) and followed only until a page whose posts are all in
the corpus unchanged; a new post shifts every page boundary, so we stop by content, never by
page number. `Settings.full` forces a complete crawl.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from etl.lock import run_lock
from etl.records import Fetch, Page, Post, Problem
from etl.runlog import RunReport, add_audit, add_crawl, add_merge, write_report
from etl.settings import Settings
from etl.urls import canonical_url

if TYPE_CHECKING:
    from etl.crawl.audit import Audit, HealResult
    from etl.crawl.session import CrawlContext, CrawlResult
    from etl.load.merge import Collected, MergeResult, Observation
    from etl.load.store import Corpus

log = logging.getLogger(__name__)


class SiteUnreachable(RuntimeError):
    """The site cannot be reached at all: fail fast instead of retrying every URL."""


def run_corpus(settings: Settings) -> RunReport:
    """crawl + parse + load (+ report) under the lock; LockedError if another run holds it."""
    with run_lock(settings.data_dir):
        return _Run(settings).online()


def rebuild(settings: Settings) -> RunReport:
    """Rebuild the tables from the raw archive alone: the latest good response of each URL."""
    with run_lock(settings.data_dir):
        return _Run(settings, offline=True).offline()


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


def _known(existing: Corpus | None) -> dict[str, tuple[str, list[str], list[str]]]:
    """URL -> (content_hash, categories, tags) of every post already in the corpus."""
    if existing is None or existing.posts.num_rows == 0:
        return {}
    cols = existing.posts.select(["url", "content_hash", "categories", "tags"]).to_pydict()
    return {
        url: (h, c or [], t or [])
        for url, h, c, t in zip(
            cols["url"], cols["content_hash"], cols["categories"], cols["tags"], strict=True
        )
    }


def _same_site(settings: Settings) -> None:
    """Refuse to merge one site's posts into another site's corpus (URLs are the key)."""
    import json

    manifest = settings.processed_dir / "manifest.json"
    if not manifest.exists():
        return
    site = json.loads(manifest.read_text(encoding="utf-8")).get("site")
    if site and site.rstrip("/") != settings.site.rstrip("/"):
        raise ValueError(
            f"{settings.processed_dir} holds the corpus of {site}, not {settings.site}: "
            "use another --data-dir"
        )


def _seen_at(existing: Corpus | None) -> dict[str, dt.datetime | None]:
    if existing is None or existing.posts.num_rows == 0:
        return {}
    cols = existing.posts.select(["url", "last_seen_at"]).to_pydict()
    return dict(zip(cols["url"], cols["last_seen_at"], strict=True))


def _unparsed(fetch: Fetch, problem: Problem | None = None) -> Page:
    """The page-log entry of a page that was not parsed (304, failed)."""
    problems = (problem,) if problem else ()
    return Page(fetch.url, "archive", None, None, None, None, None, (), (), problems)


class _Run:
    def __init__(self, settings: Settings, *, offline: bool = False) -> None:
        from etl.crawl.raw import new_run_id
        from etl.load.store import SOURCE_TABLES, read_corpus

        self.settings = settings
        self.run_id = new_run_id()
        self.existing = read_corpus(settings.processed_dir, only=SOURCE_TABLES)
        _same_site(settings)
        self.full = offline or settings.full or self.existing is None
        mode = "offline" if offline else "full" if self.full else "incremental"
        now = dt.datetime.now(dt.UTC)
        self.report = RunReport(self.run_id, mode, settings.site, started_at=now)
        self.known = {} if self.full else _known(self.existing)
        # What the audit compares with the sitemaps: URL -> when our copy was last seen.
        self.seen_at = _seen_at(self.existing)
        self.audit: tuple[Audit, HealResult, int] | None = None
        self.pages: queue.SimpleQueue[Observation | None] = queue.SimpleQueue()
        self.drift: list[Problem] = []
        self.codes: list[str] = []
        self.parse_s = 0.0
        self.started = time.monotonic()

    # -- online: crawl, streaming pages into the loader ------------------------------------

    def online(self) -> RunReport:
        check_reachable(self.settings.site, self.settings.connect_timeout)
        box: dict[str, Any] = {}
        worker = threading.Thread(target=self._crawl, args=(box,), name="etl-crawl")
        worker.start()
        try:
            collected = self._collect()
        finally:
            worker.join()
        if "error" in box:
            raise box["error"]
        result: CrawlResult = box["result"]
        add_crawl(self.report, result)
        return self._finish(collected)

    def _crawl(self, box: dict[str, Any]) -> None:
        from etl.crawl.raw import RawArchive
        from etl.crawl.session import run_crawl

        started = time.monotonic()
        try:
            s = self.settings
            # Only from runs whose pages reached the tables (a killed run's never did).
            runs = set(self.existing.pages.column("run_id").to_pylist()) if self.existing else set()
            validators = {} if self.full else RawArchive(s.raw_dir).validators(runs)
            after = self._audit if s.audit and not s.archives else None
            result = run_crawl(
                s, follow=self._follow, validators=validators, run_id=self.run_id, after=after
            )
            self._log_failed_pages(result)
            box["result"] = result
        except BaseException as exc:  # handed to the main thread, which re-raises it
            box["error"] = exc
        finally:
            self.report.timings["crawl_s"] = round(time.monotonic() - started, 3)
            self.pages.put(None)

    def _follow(self, fetch: Fetch) -> str | None:
        """Parse an archive page, queue it for the loader, and say where to go next."""
        from etl.load.merge import Observation
        from etl.parse.page import parse_fetch

        if fetch.status == 304:  # unchanged since the last run: costs no parsing
            self.pages.put(Observation(_unparsed(fetch), fetch.fetched_at, self.run_id, 304))
            return None
        started = time.perf_counter()
        page = parse_fetch(fetch)
        self.parse_s += time.perf_counter() - started
        self._observe(Observation(page, fetch.fetched_at, self.run_id, fetch.status))
        if self.known and page.posts and all(map(self._unchanged, page.posts)):
            return None  # everything older is in the corpus already
        return page.next_url

    def _unchanged(self, post: Post) -> bool:
        from etl.load.merge import content_hash

        known = self.known.get(canonical_url(post.url))
        if known is None:
            return False
        stored, categories, tags = known
        union = sorted({*categories, *post.categories}), sorted({*tags, *post.tags})
        return content_hash(post, *union) == stored

    async def _audit(self, ctx: CrawlContext) -> None:
        """After the archives: compare with the sitemaps, fetch the posts the crawl missed."""
        from etl.crawl.audit import audit, heal, observations, to_heal

        def requests() -> int:
            return sum(ctx.client.stats.requests.values())

        before = requests()
        found = await audit(ctx, dict(self.seen_at), wp_json=self.full)
        healed = await heal(ctx, to_heal(found.result))
        for obs in observations(healed, self.run_id):
            self._observe(obs)
        self.audit = (found, healed, requests() - before)

    def _observe(self, obs: Observation) -> None:
        for post in obs.page.posts:
            self.seen_at[canonical_url(post.url)] = obs.fetched_at
        self.drift += obs.page.drift
        self.codes += [p.code for p in obs.page.problems]
        self.pages.put(obs)

    def _collect(self) -> Collected:
        from etl.load.merge import collect

        def stream() -> Iterator[Observation]:
            while (obs := self.pages.get()) is not None:
                yield obs

        return collect(stream())

    def _log_failed_pages(self, result: CrawlResult) -> None:
        from etl.load.merge import Observation

        now = dt.datetime.now(dt.UTC)
        for f in result.failures:  # failed pages belong in the crawl log too
            problem = Problem(f"fetch.{f.reason}", f.url, f.detail or f.reason)
            fetch = Fetch(f.url, f.status, now, attempts=f.attempts, error=f.reason)
            self.pages.put(Observation(_unparsed(fetch, problem), now, self.run_id, f.status))

    # -- offline: the same loader over the raw archive --------------------------------------

    def offline(self) -> RunReport:
        from etl.crawl.raw import RawArchive
        from etl.load.merge import Observation
        from etl.parse.page import parse_fetch

        archive = RawArchive(self.settings.raw_dir)
        count = 0
        for fetch in archive.latest():
            page = parse_fetch(fetch)
            if page.kind in ("archive", "post"):  # robots.txt, sitemaps, home: not records
                self._observe(Observation(page, fetch.fetched_at, self.run_id, fetch.status))
                count += 1
        self.pages.put(None)
        if count == 0:
            self.report.fail(f"no archive pages in {self.settings.raw_dir}: crawl first")
        self.report.pages = {"fetched": 0, "not_modified": 0, "failed": 0, "from_raw": count}
        return self._finish(self._collect())

    # -- both: merge, write, report ----------------------------------------------------------

    def _finish(self, collected: Collected) -> RunReport:
        from etl.crawl.audit import write_audit
        from etl.load.merge import merge_collected
        from etl.load.store import write_corpus

        r = self.report
        if self.drift:
            pages = sorted({p.url for p in self.drift})
            r.fail(f"markup drift on {len(pages)} page(s), first {pages[0]}: {self.drift[0].code}")
        # Only a clean full crawl may mark unseen posts as gone: a failed page or a drifted
        # one hides posts that are still there, and the published tables must never shrink.
        clean_full = self.full and r.exit_status == 0 and r.mode != "offline"
        started = time.monotonic()
        merged: MergeResult = merge_collected(
            self.existing, collected, full=clean_full, settings=self.settings
        )
        r.timings["merge_s"] = round(time.monotonic() - started, 3)
        started = time.monotonic()
        finished = dt.datetime.now(dt.UTC)
        write_corpus(
            merged.corpus,
            self.settings.processed_dir,
            run_id=self.run_id,
            site=self.settings.site,
            generated_at=finished,
        )
        r.timings["write_s"] = round(time.monotonic() - started, 3)
        r.timings["parse_s"] = round(self.parse_s, 3)
        add_merge(r, merged, self.drift, self.codes)
        if self.audit is not None:
            found, healed, requests = self.audit
            write_audit(found, self.settings, run_id=self.run_id, heal=healed)
            urls = merged.corpus.posts.column("url").to_pylist()
            add_audit(r, found, healed, requests, urls, self.settings.min_recall)
        r.finished_at = dt.datetime.now(dt.UTC)
        r.duration_s = round(time.monotonic() - self.started, 3)
        write_report(r, self.settings.data_dir)
        return r
