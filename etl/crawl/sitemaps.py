"""Pure: WordPress core sitemaps in, the site's own list of posts out, and the comparison of
that list with the corpus (missing, extra, stale, recall). Never raises on bad input.

Nothing here touches the network or the disk; `audit.py` fetches the sitemaps and hands over
their bodies.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from etl.urls import canonical_url

_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# WordPress core names the posts sitemaps so, one per 2,000 posts: -1.xml, -2.xml, ...
_POSTS_SITEMAP = re.compile(r"/wp-sitemap-posts-post-\d+\.xml$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One `<url>` of a url set: the canonical URL and its `lastmod` (UTC), if any."""

    url: str
    lastmod: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """What one sitemap body says; `problem` names why it said less than it should."""

    children: tuple[str, ...] = ()  # an index's sitemaps
    entries: tuple[Entry, ...] = ()  # a url set's pages
    problem: str | None = None


def is_posts_sitemap(url: str) -> bool:
    return bool(_POSTS_SITEMAP.search(urlsplit(url).path))


def parse_lastmod(text: str | None) -> dt.datetime | None:
    """W3C datetime (`2025-01-21T06:45:00-05:00`, `...Z`, or a bare date) as UTC; else None."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:  # a bare date or local time: the sitemap protocol means UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def parse_sitemap(body: bytes) -> Sitemap:
    """A sitemap index or url set; garbage gives an empty Sitemap with a problem, never raises.

    Sitemaps are untrusted XML: a DOCTYPE (entity expansion, external entities) is refused.
    """
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return Sitemap(problem="refused: the sitemap declares a DOCTYPE or entities")
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError, LookupError) as exc:  # LookupError: unknown encoding
        return Sitemap(problem=f"not XML: {exc}")
    if root.tag == f"{_NS}sitemapindex":
        locs = (_text(s.find(f"{_NS}loc")) for s in root.iter(f"{_NS}sitemap"))
        return Sitemap(children=tuple(loc for loc in locs if loc))
    if root.tag != f"{_NS}urlset":
        return Sitemap(problem=f"not a sitemap: the root element is {root.tag!r}")
    entries = []
    for url in root.iter(f"{_NS}url"):
        if loc := _text(url.find(f"{_NS}loc")):
            entries.append(
                Entry(canonical_url(loc), parse_lastmod(_text(url.find(f"{_NS}lastmod"))))
            )
    return Sitemap(entries=tuple(entries))


def _text(node: ET.Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


@dataclass(frozen=True, slots=True)
class AuditResult:
    """The corpus against the site's own list of posts; URL lists sorted."""

    missing: tuple[str, ...]  # in the sitemap, not in the corpus
    extra: tuple[str, ...]  # in the corpus, not in the sitemap (gone, or never listed)
    stale: tuple[str, ...]  # in both; the sitemap's lastmod is newer than our copy
    sitemap_posts: int
    corpus_posts: int
    in_both: int

    @property
    def recall(self) -> float | None:
        """|corpus ∩ sitemap| / |sitemap|; None when the sitemap lists nothing to recall."""
        return self.in_both / self.sitemap_posts if self.sitemap_posts else None


def compare(
    sitemap: Mapping[str, dt.datetime | None], corpus: Mapping[str, dt.datetime | None]
) -> AuditResult:
    """Both map canonical post URL -> time (the sitemap's lastmod; our copy's last_seen_at)."""
    both = sitemap.keys() & corpus.keys()
    stale = []
    for url in both:
        lastmod, ours = sitemap[url], corpus[url]
        # Without both times nothing can be called stale.
        if lastmod is not None and ours is not None and lastmod > ours:
            stale.append(url)
    return AuditResult(
        missing=tuple(sorted(sitemap.keys() - corpus.keys())),
        extra=tuple(sorted(corpus.keys() - sitemap.keys())),
        stale=tuple(sorted(stale)),
        sitemap_posts=len(sitemap),
        corpus_posts=len(corpus),
        in_both=len(both),
    )
