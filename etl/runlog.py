"""What a run did, in numbers: the JSON run report (etl.runtext: the report as text).

The report (DATA_DIR/runs/<run_id>.json) is the machine-readable record of every run, written
however the run ends (published, failed, nothing to publish, interrupted, past its deadline);
each stage adds its numbers (`add_crawl`, `add_merge`, `add_audit`). Its fields are
`RunReport`'s, plus `status`: "ok", "failed" (exit status 1: `reason` says why) or
"interrupted" (SIGTERM or SIGINT: exit status 143 or 130, `stopped` says what was kept).
`published` is true when the run's tables are the published ones; otherwise
`not_published` says why the published tables were left exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized

    from etl.crawl.audit import Audit, HealResult
    from etl.crawl.client import Wait
    from etl.crawl.session import CrawlResult
    from etl.crawl.stop import Stopped
    from etl.load.merge import MergeResult
    from etl.records import Problem

EXIT_OK = 0
EXIT_FAILED = 1  # pages failed, drift, recall too low or unknowable, nothing crawled, deadline
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the data folder; try again later
EXIT_SIGINT = 130  # 128 + SIGINT: interrupted (Ctrl-C); the raw archive kept
EXIT_SIGTERM = 143  # 128 + SIGTERM: interrupted (cron wrappers, systemd, timeout); the same

MAX_WAITS = 20  # URLs a report names for their Retry-After waits, longest first (all counted)
MAX_WARNINGS = 100  # distinct warnings a report keeps (all are counted)


@dataclass
class RunReport:
    run_id: str
    mode: str  # full | incremental | rebuild
    site: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    duration_s: float = 0.0
    exit_status: int = EXIT_OK
    reason: str | None = None
    requests: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    # URLs never requested: off the origin (redirects, links, sitemaps) or robots.txt says no.
    refused: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    posts: dict[str, int] = field(default_factory=dict)
    teasers: dict[str, int] = field(default_factory=dict)
    drift: list[dict[str, str]] = field(default_factory=list)
    problems: dict[str, int] = field(default_factory=dict)
    rejects: int = 0
    boilerplate_learned: int = 0
    audit: dict[str, Any] | None = None
    plan: dict[str, Any] = field(default_factory=dict)  # what the sitemaps said to ask
    # The site profile: its file, theme, whether this run learned it and what changed.
    site_profile: dict[str, Any] | None = None
    # Per field ("post.tags", "page.next", ...), records by the rule that read it ("none").
    rules: dict[str, dict[str, int]] = field(default_factory=dict)
    # The REST API's second opinion (etl.load.agreement): agreement per field, disagreements.
    rest: dict[str, Any] | None = None
    # Archives that show excerpts only (etl.crawl.posts): whether they do, how many posts were
    # read from their own page for it (or not: unchanged, read already, failed, refused), and
    # `kept`: the run's posts known only by their excerpt (`source = "excerpt"`).
    excerpts: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    published: bool = False  # this run's tables are the published ones
    not_published: str | None = None  # why the published tables were left as they were
    # A signal or the deadline: by ("SIGTERM", "SIGINT", "deadline"), after_s, pending (what
    # the crawl was waiting for), kept (records, archive_pages, warc: the raw archive's share).
    stopped: dict[str, Any] | None = None
    # Retry-After waits: count, asked_s and waited_s in all; by URL (the MAX_WAITS longest):
    # url, status, waits, asked_s (the longest asked), waited_s (in all).
    waits: dict[str, Any] = field(default_factory=dict)
    # Every WARNING or worse logged during the run: logger, level, message, count.
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        """Mark the run failed; the first reason is the one-line one."""
        self.exit_status = EXIT_FAILED
        self.reason = self.reason or reason

    @property
    def status(self) -> str:
        if self.exit_status in (EXIT_SIGINT, EXIT_SIGTERM):
            return "interrupted"
        return "ok" if self.exit_status == EXIT_OK else "failed"

    def to_json(self) -> dict[str, Any]:
        data = {"status": self.status, **asdict(self)}
        for key in ("started_at", "finished_at"):
            value = getattr(self, key)
            data[key] = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
        return data

    def nothing_crawled(self, healed: Sized) -> str | None:
        """Why the run has nothing to publish (no page answered 200 or 304, none was read
        from the raw archive, no post was healed), or None. Publishing then would only
        rewrite the same rows under a new run id."""
        g = self.pages
        pages = g.get("fetched") or g.get("not_modified") or g.get("from_raw")
        if pages or len(healed) or self.plan.get("post_pages"):
            return None
        if self.unchanged:
            return "nothing changed: the sitemaps list no new or edited post"
        if not self.failures:
            return "nothing crawled: no archive page was found"
        first = self.failures[0]
        return (
            f"nothing crawled: {len(self.failures)} URL(s) failed, first {first['url']}: "
            f"{first['detail'] or first['reason']}"
        )

    @property
    def unchanged(self) -> bool:
        """Planned from the sitemaps, which list no new or edited post: a success that has
        nothing to publish (its tables would be the published ones under a new run id)."""
        p = self.plan
        return p.get("how") == "sitemaps" and not p.get("archives") and not p.get("post_pages")


def finish(
    r: RunReport,
    data_dir: Path,
    *,
    unpublished: str | None = None,
    stopped: Stopped | None = None,
    published: bool = False,
) -> RunReport:
    """The last step of every run: stamp its end, write its report. `unpublished`: why the
    run left the published tables as they were (a run that publishes nothing never
    succeeds); `stopped`: the run a signal or the deadline ended, which publishes nothing
    unless it was stopped after its tables were (`published`)."""
    if stopped is not None:
        _add_stopped(r, stopped)
        unpublished = None if published else str(stopped)
    r.published, r.not_published = unpublished is None, unpublished
    if unpublished is not None and r.exit_status == EXIT_OK and not r.unchanged:
        r.fail(unpublished)
    r.finished_at = dt.datetime.now(dt.UTC)
    r.duration_s = round((r.finished_at - r.started_at).total_seconds(), 3)
    write_report(r, data_dir)
    return r


def _add_stopped(r: RunReport, stopped: Stopped) -> None:
    """A run a signal or the deadline stopped: its crawl's numbers, why, what was kept."""
    if stopped.crawl is not None:
        add_crawl(r, stopped.crawl)
    r.exit_status, r.reason = stopped.exit_status, str(stopped)
    r.stopped = {
        "by": stopped.by,
        "after_s": round(stopped.after_s, 3),
        "pending": stopped.pending,
        "kept": asdict(stopped.kept) if stopped.kept else None,
    }


def write_report(report: RunReport, data_dir: Path) -> Path:
    from etl.files import write_json

    folder = data_dir / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report.run_id}.json"
    write_json(report.to_json(), path)
    return path


def add_crawl(r: RunReport, result: CrawlResult, excerpts: Mapping[str, Any] | None = None) -> None:
    """The crawl's numbers (`excerpts`: etl.crawl.posts' summary); any URL that could not be
    fetched fails the run."""
    r.requests = dict(sorted(result.requests.items()))
    r.retries = dict(sorted(result.retries.items()))
    r.refused = {"off_origin": result.refused_off_origin, "robots": result.disallowed}
    r.pages = {
        "fetched": result.pages_fetched,
        "not_modified": result.pages_not_modified,
        "failed": result.pages_failed,
        "lookahead_wasted": result.lookahead_wasted,  # look-ahead requests past the last page
        "parsed_in_workers": result.parsed_in_workers,
    }
    r.timings["parse_s"] = round(result.parse_s, 3)
    r.plan = dict(result.plan)
    r.excerpts = dict(excerpts) if excerpts is not None else r.excerpts
    r.waits = _waits(result.waits)
    r.failures = [
        {"url": f.url, "status": f.status, "reason": f.reason, "attempts": f.attempts,
         "detail": f.detail}
        for f in result.failures
    ]  # fmt: skip
    if result.failures:
        first = result.failures[0]
        r.fail(f"{len(result.failures)} URL(s) failed, first {first.url}: {first.reason}")


def _waits(waits: Sequence[Wait]) -> dict[str, Any]:
    by_url: dict[str, dict[str, Any]] = {}
    for w in waits:
        row = by_url.setdefault(w.url, {"url": w.url, "waits": 0, "asked_s": 0.0, "waited_s": 0.0})
        row["status"], row["waits"] = w.status, row["waits"] + 1
        row["asked_s"] = max(row["asked_s"], w.asked_s)
        row["waited_s"] = round(row["waited_s"] + w.waited_s, 3)
    longest = sorted(by_url.values(), key=lambda row: row["asked_s"], reverse=True)
    return {
        "count": len(waits),
        "asked_s": round(sum(w.asked_s for w in waits), 3),
        "waited_s": round(sum(w.waited_s for w in waits), 3),
        "by_url": longest[:MAX_WAITS],
    }


def add_merge(
    r: RunReport, merged: MergeResult, drift: Iterable[Problem], codes: Iterable[str]
) -> None:
    """What the merge did to the corpus, and every problem the parse reported."""
    c = merged.counts
    r.posts = {
        "new": c.posts_new,
        "updated": c.posts_updated,
        "unchanged": c.posts_unchanged,
        "gone": c.posts_gone,
        "returned": c.posts_returned,
        "conflicts": c.conflicts,
        "total": merged.corpus.posts.num_rows,
    }
    r.teasers = {"new": c.teasers_new, "seen": c.teasers_seen,
                 "total": merged.corpus.teasers.num_rows}  # fmt: skip
    r.drift = [{"code": p.code, "url": p.url, "detail": p.detail} for p in drift]
    r.problems = dict(sorted(Counter(codes).items()))
    r.rejects = c.rejects
    r.boilerplate_learned = c.boilerplate_learned
    r.posts["excerpt_only"] = len(merged.excerpt_only)
    if merged.excerpt_only or r.excerpts is not None:
        r.excerpts = {**(r.excerpts or {}), "kept": list(merged.excerpt_only)}


def add_audit(
    r: RunReport,
    found: Audit,
    healed: HealResult,
    requests: int,
    post_urls: Iterable[str],
    min_recall: float,
) -> None:
    """Recall as the published tables stand (after heal); too low a recall fails the run."""
    listed = set(found.sitemap.posts)
    have = set(post_urls) & listed
    missing = sorted(listed - have)
    recall = len(have) / len(listed) if listed else None
    r.audit = {
        "sitemap_posts": len(listed),
        "recall": recall,
        "missing": missing,
        "stale": list(found.result.stale),
        "extra": list(found.result.extra),
        "healed": list(healed.healed_urls),
        "heal_failed": [f"{url}: {why}" for url, why in healed.failed],
        "unhealed": list(healed.unhealed),
        "wp_json_total": found.wp_json.total,
        "wp_json": found.wp_json.status,
        "sitemap_problems": list(found.sitemap.problems),
        "truncated": found.sitemap.truncated,
        "requests": requests,
    }
    if unread := found.sitemap.unread:  # an incomplete list: recall cannot pass on it
        r.fail(f"the audit could not read {len(unread)} posts sitemap(s), first {unread[0]}")
    if recall is not None and recall < min_recall:
        r.fail(
            f"recall {recall:.1%} below {min_recall:.0%}: {len(missing)} post(s) in the "
            f"sitemaps are not in the corpus, first {missing[0]}"
        )


class _Warnings(logging.Handler):
    """WARNING and worse, one row per distinct (logger, level, message), counted; at most
    MAX_WARNINGS rows and one more that counts the rest."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(logging.WARNING)
        self.rows = rows
        self.seen: dict[tuple[str, str, str], dict[str, Any]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        key = (record.name, record.levelname, record.getMessage()[:1000])
        if key not in self.seen and len(self.seen) >= MAX_WARNINGS:
            key = (__name__, "WARNING", f"more than {MAX_WARNINGS} distinct warnings: not kept")
        if (row := self.seen.get(key)) is None:
            row = self.seen[key] = {"logger": key[0], "level": key[1], "message": key[2]}
            row["count"] = 0
            self.rows.append(row)
        row["count"] += 1
        if logging.root.handlers == [self] and logging.lastResort:
            # Logging not configured: stderr still shows what it would without this handler.
            logging.lastResort.handle(record)


@contextmanager
def collect_warnings() -> Iterator[list[dict[str, Any]]]:
    """The rows of every WARNING-or-worse record logged while the block runs (those the
    loggers' levels let through: the command line lets every warning through and shows
    only errors with --quiet), for `RunReport.warnings`. Python's `warnings.warn` (a library's
    deprecation, ...) is logged too, as logger "py.warnings", while the block runs."""
    rows: list[dict[str, Any]] = []
    handler = _Warnings(rows)
    logging.root.addHandler(handler)
    shown = warnings.showwarning
    logging.captureWarnings(True)
    try:
        yield rows
    finally:
        if warnings.showwarning is not shown:  # captured here, not by whoever called us
            logging.captureWarnings(False)
        logging.root.removeHandler(handler)
