"""Pure: the REST API's view of the newest posts against the records parsed from the pages.

Per field, how many of the posts both hold agree:

- `title`: `title.rendered` less its tags, entities and date suffix (the heading rule's
  split), against the record's title; typographic quotes, dashes and ellipses count as their
  plain forms (a theme may print the raw title where the API gives the texturized one);
- `published_at`: `date_gmt` against the record's publication time (the tip date in a
  heading may differ from it by design: it is never compared); a record without one (the
  theme prints no machine-readable time) is not compared;
- `categories`, `tags`: the names of the post's term IDs, as sets.

A disagreement names the post, the field and both values. When the API shows the post as
modified after the page it was read from was fetched, the page may simply predate the edit
(or a page cache lags the editor): that disagreement is `lagging`, reported but no failure.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from etl.crawl.rest import RestPost, RestView
from etl.parse.dates import split_heading
from etl.parse.text import fold
from etl.urls import canonical_url

FIELDS = ("title", "published_at", "categories", "tags")
# A page cache may serve HTML this much older than its fetch: an edit this close before the
# fetch may not be on the page yet.
CACHE_LAG = dt.timedelta(hours=1)
_TAG = re.compile(r"<[^>]*>")
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "″": '"', "–": "-", "—": "-"})


@dataclass(frozen=True, slots=True)
class Row:
    """A record as the corpus holds it, with when its page was last fetched."""

    url: str
    title: str
    published_at: dt.datetime | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    seen_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Disagreement:
    url: str
    field: str
    site: str  # the REST API's value, as text
    page: str  # the record's
    lagging: bool = False  # the API shows an edit after the page was fetched

    def line(self) -> str:
        why = " (edited after the page was fetched)" if self.lagging else ""
        return f"{self.url}: {self.field}: REST API {self.site}, page {self.page}{why}"


@dataclass(frozen=True, slots=True)
class Agreement:
    """The comparison's outcome; `status` says why nothing was compared when it was not."""

    status: str  # "ok", or why not (the API closed, not asked, ...)
    posts: int = 0  # posts on the API's page
    compared: int = 0  # of them, in the corpus
    fields: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # agree, compared
    disagreements: tuple[Disagreement, ...] = ()  # fail the run
    lagging: tuple[Disagreement, ...] = ()  # reported only
    not_in_corpus: tuple[str, ...] = ()  # the audit's business: recall
    problems: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "posts": self.posts,
            "compared": self.compared,
            "fields": {k: {"agree": a, "compared": n} for k, (a, n) in self.fields.items()},
            "disagreements": [_named(d) for d in self.disagreements],
            "lagging": [_named(d) for d in self.lagging],
            "not_in_corpus": list(self.not_in_corpus),
            "problems": list(self.problems),
        }


def _named(d: Disagreement) -> dict[str, str]:
    return {"url": d.url, "field": d.field, "site": d.site, "page": d.page}


def compare(view: RestView, rows: Iterable[Row], *, heading_dates: bool = True) -> Agreement:
    """The API's posts against the corpus's rows of the same URLs."""
    if not view.answered:
        return Agreement(view.status, problems=view.problems)
    by_url = {r.url: r for r in rows}
    counts = {name: [0, 0] for name in FIELDS}
    failing: list[Disagreement] = []
    lagging: list[Disagreement] = []
    missing = []
    for post in view.posts:
        url = canonical_url(post.link)
        row = by_url.get(url)
        if row is None:
            missing.append(url)
            continue
        late = _edited_after(post, row)
        for name, (site, page) in _values(post, row, view, heading_dates).items():
            if site is None or page is None:
                continue  # not shown on one side: nothing to compare
            counts[name][1] += 1
            if site == page:
                counts[name][0] += 1
            else:
                found = Disagreement(url, name, _show(site), _show(page), late)
                (lagging if late else failing).append(found)
    return Agreement(
        "ok",
        posts=len(view.posts),
        compared=len(view.posts) - len(missing),
        fields={name: (a, n) for name, (a, n) in counts.items()},
        disagreements=tuple(failing),
        lagging=tuple(lagging),
        not_in_corpus=tuple(missing),
        problems=view.problems,
    )


Value = str | dt.datetime | tuple[str, ...] | None


def _values(
    post: RestPost, row: Row, view: RestView, heading_dates: bool
) -> dict[str, tuple[Value, Value]]:
    """Field -> (the API's value, the record's), each None where that side has none."""
    return {
        "title": (rest_title(post.title, heading_dates), plain(row.title)),
        "published_at": (post.date_gmt, _utc(row.published_at)),
        "categories": (_names(post.categories, view.categories), tuple(sorted(row.categories))),
        "tags": (_names(post.tags, view.tags), tuple(sorted(row.tags))),
    }


def rest_title(rendered: str, heading_dates: bool = True) -> str:
    """`title.rendered` as the parser would read the heading: no tags, entities decoded,
    white space folded, the date suffix cut (where headings carry dates)."""
    heading = fold(html.unescape(_TAG.sub("", rendered)))
    return plain(split_heading(heading).title if heading_dates else heading)


def plain(title: str) -> str:
    """Curly quotes, en and em dashes, the ellipsis as their plain forms: wptexturize undone."""
    return fold(title).translate(_PLAIN).replace("…", "...")


def _names(ids: tuple[int, ...], names: Mapping[int, str]) -> tuple[str, ...] | None:
    """The names of term IDs, sorted; None when one is unknown (its list was cut short)."""
    if any(i not in names for i in ids):
        return None
    return tuple(sorted({names[i] for i in ids}))


def _utc(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _edited_after(post: RestPost, row: Row) -> bool:
    """The API shows an edit the page may not show yet: after (or just before) its fetch."""
    seen = _utc(row.seen_at)
    if post.modified_gmt is None or seen is None:
        return False
    return post.modified_gmt > seen - CACHE_LAG


def _show(value: Value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return repr(value)
