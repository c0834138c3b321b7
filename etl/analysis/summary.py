"""Pure: the corpus tables -> the figures of the report and of `etl stats`.

Every number the report shows is computed here from the tables (and the run reports), so a
test can recompute any of them with pandas and compare. No I/O, no plotting.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from etl.analysis.checks import SiteChecks, site_checks

if TYPE_CHECKING:
    import pandas as pd

TUESDAY = 1  # date.weekday(): weekly tips go out on Tuesdays (docs/CONTRACT.md)
CONFLICT_DAYS = 2  # heading date vs publication: one day apart is normal (Monday evening post)


@dataclass(frozen=True, slots=True)
class Glance:
    """The corpus at a glance: what `etl stats` prints and the report opens with."""

    posts: int
    teasers: int
    distinct_urls: int
    first_date: dt.date | None
    last_date: dt.date | None
    last_run_id: str | None
    last_run_mode: str | None
    last_run_status: int | None
    last_run_finished: dt.datetime | None
    last_run_recall: float | None = None  # the completeness audit's, after heal

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs, in display order."""
        dates = f"{self.first_date} .. {self.last_date}" if self.first_date else "none"
        run = "none recorded"
        if self.last_run_id:
            when = f", finished {self.last_run_finished:%Y-%m-%d %H:%M} UTC"
            run = f"{self.last_run_id} ({self.last_run_mode}, exit {self.last_run_status}"
            run += (when if self.last_run_finished else "") + ")"
        return [
            ("posts", str(self.posts)),
            ("teasers", str(self.teasers)),
            ("distinct URLs", str(self.distinct_urls)),
            ("date range", dates),
            ("last run", run),
            ("recall", "not audited" if self.last_run_recall is None
             else f"{self.last_run_recall:.1%} of the sitemap's posts"),
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Item:
    """One post worth a look (undated, off-Tuesday, conflicting dates, excerpt only)."""

    url: str
    title: str
    date: dt.date | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class RunHealth:
    run_id: str
    mode: str
    exit_status: int | None
    duration_s: float | None
    fetched: int
    not_modified: int
    failed: int
    retries: int
    drift: int
    rejects: int


@dataclass(frozen=True, slots=True)
class Summary:
    glance: Glance
    posts_per_year: tuple[tuple[int, int], ...]
    posts_per_category: tuple[tuple[str, int], ...]
    top_tags: tuple[tuple[str, int], ...]
    word_counts: tuple[int, ...]  # one per post, ascending
    excerpt_only: tuple[Item, ...]
    date_sources: tuple[tuple[str, int], ...]
    undated: tuple[Item, ...]
    not_tuesday: tuple[Item, ...]
    conflicts: tuple[Item, ...]
    runs: tuple[RunHealth, ...]  # the last runs, oldest first
    rejects_by_reason: tuple[tuple[str, int], ...]
    checks: SiteChecks = field(default_factory=SiteChecks)  # REST API, rule counts, profile


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA; a list (or array) of terms is never "missing"."""
    import pandas as pd

    if value is None:
        return True
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _values(frame: pd.DataFrame | None, name: str) -> list[Any]:
    """A column as Python values with None for missing; all None when the column is absent."""
    if frame is None:
        return []
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if _missing(v) else v for v in frame[name].tolist()]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): None if _missing(v) else v for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _ranked(counts: Counter[Any]) -> tuple[tuple[Any, int], ...]:
    """Most common first; ties by name so the report is stable run to run."""
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def glance(posts: pd.DataFrame, teasers: pd.DataFrame, runs: pd.DataFrame | None) -> Glance:
    """Needs only `url` and `date` of posts and teasers, so `etl stats` reads just those."""
    urls = set(_values(posts, "url")) | set(_values(teasers, "url"))
    dates = [d for d in _values(posts, "date") + _values(teasers, "date") if d is not None]
    last: dict[str, Any] = {}
    if runs is not None and len(runs):
        last = _records(runs.tail(1))[0]
    finished = last.get("finished_at")
    return Glance(
        posts=len(posts),
        teasers=len(teasers),
        distinct_urls=len(urls - {None}),
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
        last_run_id=last.get("run_id"),
        last_run_mode=last.get("mode"),
        last_run_status=None if last.get("exit_status") is None else int(last["exit_status"]),
        last_run_finished=None if finished is None else finished.to_pydatetime(),
        last_run_recall=_recall(last.get("recall")),
    )


def _recall(value: Any) -> float | None:
    """A run's recall, None when it was not audited (None or NaN in the runs frame)."""
    return None if value is None or value != value else float(value)


def _per_year(dates: Iterable[dt.date]) -> tuple[tuple[int, int], ...]:
    """Posts per year from the first year to the last, empty years as 0: a chart that skipped
    them would put 2014 next to 2016 and read as a continuous series."""
    counts = Counter(d.year for d in dates)
    if not counts:
        return ()
    return tuple((year, counts[year]) for year in range(min(counts), max(counts) + 1))


def _items(rows: Iterable[tuple[Any, Any, Any]], note: str = "") -> tuple[Item, ...]:
    return tuple(sorted((Item(u, t or "", d, note) for u, t, d in rows), key=lambda i: i.url))


def _date_checks(posts: pd.DataFrame) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """Heading dates not on a Tuesday, and heading vs publication date more than 2 days apart."""
    off_day: list[Item] = []
    conflicts: list[Item] = []
    rows = zip(
        _values(posts, "url"),
        _values(posts, "title"),
        _values(posts, "date"),
        _values(posts, "date_source"),
        _values(posts, "published_at"),
        strict=True,
    )
    for url, title, date, source, published in rows:
        if source != "heading" or date is None:
            continue  # a date taken from the timestamp says nothing about the heading
        if date.weekday() != TUESDAY:
            off_day.append(Item(url, title or "", date, f"{date:%A}"))
        published_on = _date(published)
        if published_on is not None and abs((published_on - date).days) > CONFLICT_DAYS:
            days = (published_on - date).days
            conflicts.append(
                Item(url, title or "", date, f"published {published_on} ({days:+d} d)")
            )
    return tuple(sorted(off_day, key=lambda i: i.url)), tuple(
        sorted(conflicts, key=lambda i: i.url)
    )


def _excerpt_only(
    posts: pd.DataFrame, teasers: pd.DataFrame, documents: pd.DataFrame | None
) -> tuple[Item, ...]:
    if documents is not None and "has_full_text" in documents.columns:
        flags = _values(documents, "has_full_text")
        rows = zip(
            _values(documents, "url"),
            _values(documents, "title"),
            _values(documents, "date"),
            strict=True,
        )
        return _items(r for r, full in zip(rows, flags, strict=True) if full is False)
    full = set(_values(posts, "url"))
    rows = zip(
        _values(teasers, "url"), _values(teasers, "title"), _values(teasers, "date"), strict=True
    )
    return _items(r for r in rows if r[0] not in full)


def _run_health(runs: pd.DataFrame | None, last: int) -> tuple[RunHealth, ...]:
    if runs is None or not len(runs):
        return ()

    def count(row: dict[str, Any], key: str) -> int:
        return 0 if row.get(key) is None else int(row[key])

    health = []
    for row in _records(runs.tail(last)):
        status, duration = row.get("exit_status"), row.get("duration_s")
        health.append(
            RunHealth(
                run_id=str(row["run_id"]),
                mode=str(row.get("mode") or ""),
                exit_status=None if status is None else int(status),
                duration_s=None if duration is None else float(duration),
                fetched=count(row, "pages_fetched"),
                not_modified=count(row, "pages_not_modified"),
                failed=count(row, "pages_failed"),
                retries=count(row, "retries"),
                drift=count(row, "drift"),
                rejects=count(row, "rejects"),
            )
        )
    return tuple(health)


def summarize(
    posts: pd.DataFrame,
    teasers: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    runs: pd.DataFrame | None = None,
    rejects: pd.DataFrame | None = None,
    *,
    last_runs: int = 10,
    top: int = 20,
) -> Summary:
    """Every figure of the report, from the tables (`corpus.*()` frames) and nothing else."""
    dates = _values(posts, "date")
    off_day, conflicts = _date_checks(posts)
    words = _values(posts, "word_count")
    if all(w is None for w in words):  # an older table without the column: count them here
        words = [len(t.split()) if t else 0 for t in _values(posts, "text")]
    undated = zip(_values(posts, "url"), _values(posts, "title"), dates, strict=True)
    return Summary(
        glance=glance(posts, teasers, runs),
        posts_per_year=_per_year(d for d in dates if d is not None),
        posts_per_category=_ranked(
            Counter(c for cs in _values(posts, "categories") for c in cs or ())
        ),
        top_tags=_ranked(Counter(t for ts in _values(posts, "tags") for t in ts or ()))[:top],
        word_counts=tuple(sorted(int(w) for w in words if w is not None)),
        excerpt_only=_excerpt_only(posts, teasers, documents),
        date_sources=_ranked(Counter(s or "(none)" for s in _values(posts, "date_source"))),
        undated=_items(r for r in undated if r[2] is None),
        not_tuesday=off_day,
        conflicts=conflicts,
        runs=_run_health(runs, last_runs),
        rejects_by_reason=_ranked(Counter(r or "(none)" for r in _values(rejects, "reason"))),
        checks=site_checks([r for r in _values(runs, "report") if isinstance(r, dict)]),
    )


def format_glance(summary: Glance) -> str:
    """The at-a-glance figures as a small aligned text table, for the terminal."""
    return format_rows(summary.rows())


def format_rows(rows: list[tuple[str, str]]) -> str:
    """(label, value) pairs aligned on the labels."""
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
