"""The records a correct pipeline holds after crawling a (blog, theme) fixture once.

In the contract's JSON shape (tests/fixtures/site/expected/snapshot-2/*.json), on the fields
every theme must yield the same: posts `url, title, date, categories, tags, text,
published_at`, teasers `url, title, date, excerpt`. The theme changes one thing only: where
its archives print no machine-readable time (`Theme.machine_dates` false), `published_at` may
also be null (or filled from the post page or the REST API). A teaser's `excerpt` is the
words of the block's excerpt without WordPress' excerpt_more marker (a trailing "…", "[…]" or
"...") and without its read-more link.

`differences` compares them with what a run wrote and returns a readable list, one line per
field that differs (field, URL, expected vs got), instead of one giant assert.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tests.themes import wp
from tests.themes.model import Post, Site

POST_FIELDS = ("url", "title", "date", "categories", "tags", "text", "published_at")
TEASER_FIELDS = ("url", "title", "date", "excerpt")
# The contract's heading rule: a last dash-separated part that is a US M/D/YY date.
_DATED = re.compile(r"(?P<title>.+?)\s+[–-]\s+(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2})(?: TOW)?")
Record = dict[str, Any]


def split_heading(heading: str) -> tuple[str, dt.date | None]:
    """(title, tip date) of a decoded heading; no date suffix: (heading, None)."""
    m = _DATED.fullmatch(heading)
    if not m:
        return heading, None
    try:
        day = dt.date(2000 + int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        day = None  # cut from the title all the same (docs/CONTRACT.md)
    return m["title"], day


def utc(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _names(terms: Iterable[Any]) -> list[str]:
    return sorted(t.name for t in terms)


def post_record(site: Site, post: Post, origin: str) -> Record:
    title, day = split_heading(html.unescape(wp.title(post)))
    return {
        "url": origin + post.path,
        "title": title,
        "date": (day or post.published.date()).isoformat(),
        "categories": _names(post.categories),
        "tags": _names(post.tags),
        "text": post.text,
        "published_at": utc(post.published),
    }


def posts(site: Site, origin: str | None = None) -> list[Record]:
    """Every post's record, sorted by URL; URLs on `origin` (default: the site's own)."""
    base = origin or site.origin
    return sorted((post_record(site, p, base) for p in site.posts), key=lambda r: r["url"])


def teasers(site: Site, origin: str | None = None) -> list[Record]:
    """The latest-posts block's records (none on a blog without one), sorted by URL."""
    base = origin or site.origin
    out = []
    for post in site.teasers:
        title, day = split_heading(html.unescape(wp.title(post)))
        date = (day or post.published.date()).isoformat()
        out.append({"url": base + post.path, "title": title, "date": date, "excerpt": post.excerpt})
    return sorted(out, key=lambda r: r["url"])


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy arrays from pandas
        return value.tolist()
    return value


def read_corpus(data_dir: Path) -> tuple[list[Record], list[Record]]:
    """(posts, teasers) of a run's Parquet tables, in the contract's JSON shape."""
    import pyarrow.parquet as pq

    def table(name: str, fields: tuple[str, ...]) -> list[Record]:
        path = data_dir / "processed" / f"{name}.parquet"
        if not path.exists():
            return []
        rows = pq.read_table(path).to_pylist()
        return [{f: _json_value(r.get(f)) for f in fields} for r in rows]

    return table("posts", POST_FIELDS), table("teasers", TEASER_FIELDS)


def _compare(
    kind: str,
    fields: tuple[str, ...],
    want: list[Record],
    got: list[Record],
    lenient: frozenset[str],
) -> list[str]:
    out = []
    got_by = {r["url"]: r for r in got}
    want_by = {r["url"]: r for r in want}
    out += [f"{kind}: missing {u}" for u in sorted(want_by.keys() - got_by.keys())]
    out += [f"{kind}: unexpected {u}" for u in sorted(got_by.keys() - want_by.keys())]
    for url in sorted(want_by.keys() & got_by.keys()):
        for field in fields:
            w, g = want_by[url][field], got_by[url].get(field)
            if field in ("categories", "tags") and isinstance(g, list):
                g = sorted(g)
            if w != g and not (field in lenient and g is None):
                out.append(f"{kind}.{field} {url}: expected {w!r}, got {g!r}")
    return out


def differences(
    want: tuple[list[Record], list[Record]],
    got: tuple[list[Record], list[Record]],
    *,
    machine_dates: bool = True,
) -> list[str]:
    """Readable differences between expected and actual (posts, teasers); [] when equal."""
    lenient = frozenset() if machine_dates else frozenset({"published_at"})
    return _compare("posts", POST_FIELDS, want[0], got[0], lenient) + _compare(
        "teasers", TEASER_FIELDS, want[1], got[1], frozenset()
    )


def by_url(records: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {r["url"]: r for r in records}
