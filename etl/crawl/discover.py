"""Discover the site's archives: robots.txt's sitemaps (WordPress core's taxonomy sitemaps)
and the home page's category and tag links, or the archives the settings name.

`discover(session)` requests; the helpers below it are pure (bytes in, URLs out).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from etl.crawl.sitemaps import parse_sitemap
from etl.records import Fetch, Problem
from etl.urls import archive_path, archive_url, same_origin

if TYPE_CHECKING:
    from etl.crawl.session import Session

log = logging.getLogger(__name__)

# Sitemaps that list archives (WordPress core names them so); posts sitemaps are the audit's.
_TAXONOMY_SITEMAP = re.compile(r"wp-sitemap-taxonomies-(category|post_tag)-\d+\.xml$")


@dataclass(frozen=True, slots=True)
class Discovery:
    """What discovery found: the archives to crawl, and what it read on the way."""

    archives: tuple[str, ...]
    # Each sitemap index read (status 200, parsed) -> its children: the audit reuses them.
    indexes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    home: Fetch | None = None  # the home page's answer, when it was asked
    problems: tuple[Problem, ...] = ()  # each sitemap that could not be read: rejects, report


async def discover(session: Session) -> Discovery:
    """The archives to crawl: `Settings.archives` when given, else every one the taxonomy
    sitemaps and the home page name (sorted, each once)."""
    site = session.settings.site
    if session.settings.archives:
        named = sorted_unique(urljoin(site, a) for a in session.settings.archives)
        session.archives = named
        return Discovery(named)
    found: set[str] = set()
    indexes: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for sitemap in session.sitemaps or (urljoin(site, "/wp-sitemap.xml"),):
        await _sitemap(session, sitemap, found, indexes, problems, top=True)
    home = await session.get(urljoin(site, "/"))
    if home is not None and home.status == 200:
        found |= archive_links(home.body, home.url, site)
        session.refuse_off_origin(foreign_archive_links(home.body, home.url, site), home.url)
    session.archives = sorted_unique(found)
    return Discovery(session.archives, indexes, home, tuple(problems))


async def _sitemap(
    session: Session,
    url: str,
    found: set[str],
    indexes: dict[str, tuple[str, ...]],
    problems: list[Problem],
    *,
    top: bool,
) -> None:
    site = session.settings.site
    if not same_origin(url, site):  # a hint, not a page we owe the run
        session.refuse_off_origin({url}, "robots.txt")
        return
    fetch = await session.get(url)
    if fetch is None or fetch.status != 200:
        return  # optional: the home page still names the archives
    sitemap = parse_sitemap(fetch.body)
    if problem := sitemap.to_problem(url):
        log.warning("cannot read sitemap %s: %s", url, problem.detail)
        problems.append(problem)
        return
    if sitemap.children:
        indexes[url] = sitemap.children
    pages = [e.url for e in sitemap.entries]
    found |= {a for a in (archive_url(p, site) for p in pages) if a}
    session.refuse_off_origin(foreign_archives(pages, site), url)
    for child in sitemap.children:
        if top and wants_sitemap(child):
            await _sitemap(session, child, found, indexes, problems, top=False)


def wants_sitemap(url: str) -> bool:
    """Only the taxonomy sitemaps lead to archives."""
    return bool(_TAXONOMY_SITEMAP.search(urlsplit(url).path))


def _links(html: bytes, base: str) -> list[str]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    return [urljoin(base, a.attributes.get("href") or "") for a in tree.css("a[href]")]


def archive_links(html: bytes, base: str, site: str) -> set[str]:
    """The category and tag archives a page links to (the home page's sidebar)."""
    return {u for u in (archive_url(link, site) for link in _links(html, base)) if u}


def foreign_archives(urls: Iterable[str], site: str) -> set[str]:
    """Archive-shaped URLs on another origin: refused (and counted), never requested."""
    return {u for u in urls if not same_origin(u, site) and archive_path(u)}


def foreign_archive_links(html: bytes, base: str, site: str) -> set[str]:
    return foreign_archives(_links(html, base), site)


def sorted_unique(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(urls)))
