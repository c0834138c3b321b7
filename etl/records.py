"""The typed records passed between stages.

crawl -> `Fetch` (one HTTP exchange) -> parse -> `Page` (with `Teaser`s, `Post`s and
`Problem`s) -> load. All records are frozen; sequences are tuples so records hash and compare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal, overload

TermKind = Literal["category", "tag"]
DateSource = Literal["heading", "published"]
PageKind = Literal["archive", "post", "home", "other"]

# Which extraction rule found each field of a record (None: no rule did), in field order,
# e.g. (("title", "entry_title"), ("tags", "rel_tag"), ("date", None)). Rule names are
# stable: they are counted by name in the run report and kept in the site profile.
FoundBy = tuple[tuple[str, str | None], ...]


def rule_of(record: Post | Teaser | Page, field: str) -> str | None:
    """The rule that found `field` of `record`; None when no rule did or it was not asked."""
    return next((rule for name, rule in record.found_by if name == field), None)


@dataclass(frozen=True, slots=True, kw_only=True)
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
    found_by: FoundBy = ()


class Deferred:
    """A `str` field computed on its first read, then kept: the parser's post bodies.

    A post's text and html cost more than the rest of its page together, and most posts a
    crawl sees are already in the corpus unchanged: the parser hands them over as functions,
    and nothing is computed for a reader that never asks. Constructed with a plain str, the
    field is that str. Equality, hashing, `replace` and pickling read (so compute) the value.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Deferred: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> str: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> str | Deferred:
        if obj is None:
            raise AttributeError(self.slot)  # tells dataclass the field has no default
        value: str | Callable[[], str] = obj.__dict__[self.slot]
        if not isinstance(value, str):
            value = value()
            obj.__dict__[self.slot] = value  # the function (and the tree it holds) is let go
        return value

    def __set__(self, obj: object, value: str | Callable[[], str]) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True, init=False)
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
    text: Deferred = Deferred()  # str: paragraphs joined by a blank line, boilerplate out
    html: Deferred = Deferred()  # str: the entry-content as served
    found_by: FoundBy = ()
    # The archive showed only an excerpt: `text` and `html` are that excerpt, and the post's
    # own page has the body (never let this record replace a full one).
    excerpt_only: bool = False

    def __init__(
        self,
        url: str,
        wp_id: int | None,
        heading: str,
        title: str,
        date: dt.date | None,
        date_raw: str | None,
        date_source: DateSource | None,
        published_at: dt.datetime | None,
        categories: tuple[str, ...],
        tags: tuple[str, ...],
        text: str | Callable[[], str],
        html: str | Callable[[], str],
        found_by: FoundBy = (),
        excerpt_only: bool = False,
    ) -> None:
        # Straight into the instance dict (text and html in the Deferred slots): the frozen
        # dataclass' own __init__ sets each field through object.__setattr__, three times
        # slower, and a crawl builds a Post for every post on every page.
        self.__dict__.update(
            url=url,
            wp_id=wp_id,
            heading=heading,
            title=title,
            date=date,
            date_raw=date_raw,
            date_source=date_source,
            published_at=published_at,
            categories=categories,
            tags=tags,
            _text=text,
            _html=html,
            found_by=found_by,
            excerpt_only=excerpt_only,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (e.g. to another process) with its values, never the functions.
        return (Post, tuple(getattr(self, f.name) for f in fields(self)))


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
    # The highest page number the page's numbered pagination shows (None: it shows none).
    last_page: int | None = None
    # False: the page shows no pagination at all (no rel=next/prev, no page links), so only
    # asking for /page/N/ can tell whether the archive goes on.
    shows_pagination: bool = False
    # The archive shows excerpts only: each post's text must come from its own page.
    excerpts_only: bool = False
    # Page-level rule hits: kind, term, posts, next, last_page, teasers.
    found_by: FoundBy = ()
    teaser_block: str | None = None  # where the teaser block sits: a CSS selector
    theme: str | None = None  # the theme's folder name, when the page names it

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

    def header(self, name: str) -> str | None:
        """The response header `name` (lower case), the first if repeated; None if absent."""
        return next((v for k, v in self.headers if k.lower() == name), None)


# Fields that exist for the pipeline but not in the contract's expected JSON.
_NOT_IN_JSON = {
    "html",
    "kind",
    "problems",
    "found_by",
    "excerpt_only",
    "last_page",
    "shows_pagination",
    "excerpts_only",
    "teaser_block",
    "theme",
}


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
