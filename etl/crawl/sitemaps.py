"""Pure: WordPress core sitemaps in, the site's own list of posts out, and the comparison of
that list with the corpus (missing, extra, stale, recall). Never raises on bad input.

Nothing here touches the network or the disk; `audit.py` fetches the sitemaps and hands over
their bodies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError, ParserCreate

from etl.records import Problem
from etl.urls import canonical_url

_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# WordPress core names the posts sitemaps so, one per 2,000 posts: -1.xml, -2.xml, ...
_POSTS_SITEMAP = re.compile(r"/wp-sitemap-posts-post-\d+\.xml$")
# A DTD or an entity declaration, anywhere in the body (comments and CDATA included).
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


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
    code: str = "sitemap.unreadable"  # with a problem: sitemap.refused, .not_xml, .not_sitemap
    excerpt: str = ""  # the offending piece of the body, for the rejects table

    def to_problem(self, url: str) -> Problem | None:
        """The problem as a record for the run report and the rejects table (None if none)."""
        if self.problem is None:
            return None
        return Problem(
            code=self.code, url=url, detail=self.problem, record_kind="page", excerpt=self.excerpt
        )


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


class _Refused(Exception):
    """A DOCTYPE or entity declaration met by the XML parser: stop before anything expands."""


def parse_sitemap(body: bytes) -> Sitemap:
    """A sitemap index or url set; anything else is an empty Sitemap with a problem. The one
    sitemap reader of the project: it never raises.

    Sitemaps are untrusted XML: a DOCTYPE or an entity declaration (entity expansion, external
    entities) is refused, wherever it stands in the body, and never expanded: the bytes are
    searched first, and the parser stops at the first declaration it meets (the bytes of a
    UTF-16 body hide it from the search).
    """
    if m := _DECLARATION.search(body):
        return _refused(body[m.start() : m.start() + 200])
    reader = _Reader()
    try:
        reader.read(body)
    except _Refused:
        return _refused(body[:200])
    except (ExpatError, ValueError, LookupError, RecursionError, MemoryError) as exc:
        detail = f"not XML: {exc}"
        return Sitemap(problem=detail, code="sitemap.not_xml", excerpt=_show(body[:200]))
    if reader.root == f"{_NS}sitemapindex":
        return Sitemap(children=tuple(reader.locs))
    if reader.root != f"{_NS}urlset":
        detail = f"not a sitemap: the root element is {reader.root!r}"
        return Sitemap(problem=detail, code="sitemap.not_sitemap", excerpt=_show(body[:200]))
    return Sitemap(entries=tuple(reader.entries))


def _refused(excerpt: bytes) -> Sitemap:
    detail = "refused: the sitemap declares a DOCTYPE or entities"
    return Sitemap(problem=detail, code="sitemap.refused", excerpt=_show(excerpt))


def _show(data: bytes) -> str:
    return data.decode("utf-8", "replace")


class _Reader:
    """Expat's callbacks, kept to what a sitemap needs: the root, and each `loc` and `lastmod`
    of a `url` (url set) or a `sitemap` (index). Iterative: deep nesting costs a list entry per
    level, never a recursion."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.locs: list[str] = []
        self.entries: list[Entry] = []
        self._path: list[str] = []
        self._text: list[str] = []
        self._loc: str | None = None
        self._lastmod: str | None = None

    def read(self, body: bytes) -> None:
        parser = ParserCreate(namespace_separator="}")
        parser.StartDoctypeDeclHandler = self._refuse
        parser.EntityDeclHandler = self._refuse
        parser.UnparsedEntityDeclHandler = self._refuse
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text.append
        parser.Parse(body, True)
        if self.root is None:
            raise ValueError("no root element")

    def _refuse(self, *args: object) -> None:
        raise _Refused

    def _start(self, name: str, attrs: object) -> None:
        name = "{" + name if "}" in name else name  # ElementTree's spelling: {namespace}local
        if self.root is None:
            self.root = name
        self._path.append(name)
        self._text.clear()

    def _end(self, name: str) -> None:
        tag = self._path.pop()
        text = "".join(self._text).strip()
        self._text.clear()
        parent = self._path[-1] if self._path else None
        if tag == f"{_NS}loc" and parent in (f"{_NS}url", f"{_NS}sitemap"):
            self._loc = text
        elif tag == f"{_NS}lastmod" and parent == f"{_NS}url":
            self._lastmod = text
        elif tag == f"{_NS}sitemap" and parent == f"{_NS}sitemapindex":
            if self._loc:
                self.locs.append(self._loc)
            self._loc = None
        elif tag == f"{_NS}url" and parent == f"{_NS}urlset":
            if self._loc:
                self.entries.append(Entry(canonical_url(self._loc), parse_lastmod(self._lastmod)))
            self._loc = self._lastmod = None


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
