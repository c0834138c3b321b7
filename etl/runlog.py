"""What a run did, in numbers: the one-line summary, the failure text, the JSON run report.

The report (DATA_DIR/runs/<run_id>.json) is the machine-readable record of every run; the
summary line is what cron mails (or, with --quiet, does not) on success.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from etl.crawl.audit import Audit, HealResult
    from etl.crawl.session import CrawlResult
    from etl.load.merge import MergeResult
    from etl.records import Problem

EXIT_OK = 0
EXIT_FAILED = 1  # pages failed, drift, recall too low: the good data is still merged
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the data folder; try again later


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
    timings: dict[str, float] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        """Mark the run failed; the first reason is the one-line one."""
        self.exit_status = EXIT_FAILED
        self.reason = self.reason or reason

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started_at", "finished_at"):
            value = getattr(self, key)
            data[key] = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
        return data

    def summary_line(self) -> str:
        p, g = self.posts, self.pages
        line = (
            f"etl {self.mode} run {self.run_id}: "
            f"{p.get('new', 0)} new, {p.get('updated', 0)} updated, "
            f"{p.get('unchanged', 0)} unchanged posts ({p.get('total', 0)} in corpus); "
            f"pages {g.get('fetched', 0)} fetched, {g.get('not_modified', 0)} not modified, "
            f"{g.get('failed', 0)} failed; {self.duration_s:.1f} s"
        )
        if self.audit and self.audit.get("recall") is not None:
            line += f"; recall {self.audit['recall']:.1%}"
        return line

    def failure_text(self) -> str:
        """Everything a person reading the cron mail needs after a failed run."""
        lines = [f"etl: run {self.run_id} failed: {self.reason}", self.summary_line()]
        lines += [
            f"  FAILED {f['url']} (status {f['status']}, {f['reason']}, "
            f"{f['attempts']} attempts): {f['detail']}"
            for f in self.failures
        ]
        lines += [f"  DRIFT {d['url']}: {d['code']}: {d['detail']}" for d in self.drift]
        if self.audit and self.audit.get("missing"):
            missing = self.audit["missing"]
            lines += [f"  MISSING {url}" for url in missing[:20]]
            if len(missing) > 20:
                lines.append(f"  ... and {len(missing) - 20} more missing posts")
        return "\n".join(lines)


def write_report(report: RunReport, data_dir: Path) -> Path:
    from etl.load.store import write_json

    folder = data_dir / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report.run_id}.json"
    write_json(report.to_json(), path)
    return path


def add_crawl(r: RunReport, result: CrawlResult) -> None:
    """The crawl's numbers; any URL that could not be fetched fails the run."""
    r.requests = dict(sorted(result.requests.items()))
    r.retries = dict(sorted(result.retries.items()))
    r.refused = {"off_origin": result.refused_off_origin, "robots": result.disallowed}
    r.pages = {
        "fetched": result.pages_fetched,
        "not_modified": result.pages_not_modified,
        "failed": result.pages_failed,
    }
    r.timings["parse_s"] = round(result.parse_s, 3)
    r.failures = [
        {"url": f.url, "status": f.status, "reason": f.reason, "attempts": f.attempts,
         "detail": f.detail}
        for f in result.failures
    ]  # fmt: skip
    if result.failures:
        first = result.failures[0]
        r.fail(f"{len(result.failures)} URL(s) failed, first {first.url}: {first.reason}")


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
    if recall is not None and recall < min_recall:
        r.fail(
            f"recall {recall:.1%} below {min_recall:.0%}: {len(missing)} post(s) in the "
            f"sitemaps are not in the corpus, first {missing[0]}"
        )
