"""The typed records passed between stages.

crawl -> `Fetch` (one HTTP exchange) -> parse -> `Page` (with `Teaser`s, `Post`s and
`Problem`s) -> load. All records are frozen; sequences are tuples so records hash and compare.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, Literal

TermKind = Literal["category", "tag"]
DateSource = Literal["heading", "published"]
PageKind = Literal["archive", "post", "home", "other"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an input, named and counted instead of raised.

    `drift` problems mean the markup no longer matches the contract: they fail the run.
    Record-level problems (an impossible date, a missing optional field) are only reported.
    """

    code: str  # short, stable, dotted: "drift.no_teasers", "date.impossible", ...
    url: str  # the page (or post) the problem was found on
    detail: str  # one human sentence
    drift: bool = False
    record_kind: str = "page"  # page | teaser | post
    excerpt: str = ""  # a short piece of the offending input, for the rejects table


@dataclass(frozen=True, slots=True)
class Teaser:
    """A post as shown in the site-wide latest-tips block: heading and 55-word excerpt."""

    url: str
    heading: str
    title: str
    date: dt.date | None
    date_raw: str | None
    excerpt: str


@dataclass(frozen=True, slots=True)
class Post:
    """A full post, from an archive page's `article` or a post page."""

    url: str
    wp_id: int | None
    heading: str
    title: str
    date: dt.date | None
    date_raw: str | None
    date_source: DateSource | None
    published_at: dt.datetime | None  # UTC, tz-aware
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    text: str  # paragraphs joined by a blank line, boilerplate out
    html: str  # the entry-content as served


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed page: what it is, where it leads, what it holds, what was wrong with it."""

    url: str
    kind: PageKind
    term_kind: TermKind | None
    term: str | None
    term_slug: str | None
    page: int | None
    next_url: str | None
    teasers: tuple[Teaser, ...]
    posts: tuple[Post, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def drift(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.drift)


@dataclass(frozen=True, slots=True)
class Fetch:
    """One request's outcome as the crawler saw it (after retries)."""

    url: str  # the URL requested
    status: int | None  # None when no response ever arrived
    fetched_at: dt.datetime  # UTC
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    attempts: int = 1
    error: str | None = None  # why the fetch failed, when it did
    request_headers: tuple[tuple[str, str], ...] = ()  # as sent, for the WARC request record


# Fields that exist for the pipeline but not in the contract's expected JSON.
_NOT_IN_JSON = {"html", "kind", "problems"}


def to_json(value: Any) -> Any:
    """The contract's JSON form of a record: ISO dates, `Z` timestamps, lists, no html."""
    if isinstance(value, Teaser | Post | Page):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in fields(value)
            if f.name not in _NOT_IN_JSON
        }
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
