"""Discover the site's archives and posts: robots.txt's sitemaps (WordPress core's taxonomy and
posts sitemaps) and the home page's category and tag links, or the archives the settings name.

`discover(session)` requests; every sitemap is asked once a run and what it said is handed on
(`Discovery`), so the plan and the audit reuse it. The helpers at the bottom are pure (bytes
in, URLs out).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from etl.crawl.sitemaps import Sitemap, is_posts_sitemap, parse_sitemap
from etl.records import Fetch, Problem
from etl.urls import archive_path, archive_url, same_origin

if TYPE_CHECKING:
    from etl.crawl.session import Session

log = logging.getLogger(__name__)

# Sitemaps that list archives (WordPress core names them so); posts sitemaps are the audit's.
_TAXONOMY_SITEMAP = re.compile(r"wp-sitemap-taxonomies-(category|post_tag)-\d+\.xml$")
REFUSED = "refused (robots.txt, or a redirect off the origin)"


@dataclass(frozen=True, slots=True)
class SitemapRead:
    """The posts the sitemaps list (canonical URL -> lastmod), and what got in the way."""

    posts: Mapping[str, dt.datetime | None]
    sitemaps: tuple[str, ...]  # the posts sitemaps read
    problems: tuple[str, ...]  # "URL: why" for each sitemap that said less than it should
    refused_off_origin: int  # sitemaps and entries off the origin: counted, never fetched
    truncated: bool  # stopped at Settings.audit_max_urls
    # The posts sitemaps on the origin that could not be read ("URL: why"): the audit's list
    # is incomplete, so a run fails on them; those that answered 200 as rejects (`rejected`).
    unread: tuple[str, ...] = ()
    rejected: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class Discovery:
    """What discovery found: the archives to crawl, and what it read on the way."""

    archives: tuple[str, ...]
    # Each sitemap index read (status 200, parsed) -> its children: the audit reuses them.
    indexes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    home: Fetch | None = None  # the home page's answer, when it was asked
    problems: tuple[Problem, ...] = ()  # each sitemap that could not be read: rejects, report
    posts: SitemapRead | None = None  # the posts sitemaps, when they were asked
    listed: tuple[str, ...] = ()  # the archives the taxonomy sitemaps list


async def discover(session: Session, *, posts: bool = False, home: bool = True) -> Discovery:
    """The archives to crawl: `Settings.archives` when given, else every one the taxonomy
    sitemaps and the home page name (sorted, each once). `posts`: read the posts sitemaps
    too; `home=False` leaves the home page for later (`with_home`)."""
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
    read = await read_sitemaps(session, indexes) if posts else None
    problems += [p for p in (read.rejected if read else ()) if p not in problems]
    listed = sorted_unique(found)
    session.archives = listed
    discovery = Discovery(listed, indexes, None, tuple(problems), read, listed)
    return await with_home(session, discovery) if home else discovery


async def with_home(session: Session, discovery: Discovery) -> Discovery:
    """Discovery with the home page's category and tag links added to its archives."""
    site = session.settings.site
    home = await session.get(urljoin(site, "/"))
    found = set(discovery.archives)
    if home is not None and home.status == 200:
        found |= archive_links(home.body, home.url, site)
        session.refuse_off_origin(foreign_archive_links(home.body, home.url, site), home.url)
    session.archives = sorted_unique(found)
    return Discovery(
        session.archives, discovery.indexes, home, discovery.problems, discovery.posts,
        discovery.listed,
    )  # fmt: skip


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


async def read_sitemaps(
    session: Session, indexes: Mapping[str, tuple[str, ...]] | None = None
) -> SitemapRead:
    """Every posts sitemap the index (robots.txt's, else `/wp-sitemap.xml`) names; an index
    discovery read already (in `indexes`) is not asked for again."""
    site, limit = session.settings.site, session.settings.audit_max_urls
    posts: dict[str, dt.datetime | None] = {}
    read: list[str] = []
    problems: list[str] = []
    unread: list[str] = []
    rejected: list[Problem] = []
    off_origin, truncated = 0, False
    queue = list(session.sitemaps or [urljoin(site, "/wp-sitemap.xml")])
    seen: set[str] = set()
    while queue and len(posts) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if not same_origin(url, site):
            off_origin += 1
            problems.append(f"{url}: refused, not on {site}")
            continue
        sitemap, answered = await _posts_sitemap(session, url, indexes or {})
        if sitemap.problem:
            problems.append(f"{url}: {sitemap.problem}")
            if is_posts_sitemap(url):
                log.warning("cannot read posts sitemap %s: %s", url, sitemap.problem)
                unread.append(f"{url}: {sitemap.problem}")
                if answered and (problem := sitemap.to_problem(url)):
                    rejected.append(problem)
            continue
        queue += [c for c in sitemap.children if is_posts_sitemap(c) or not same_origin(c, site)]
        if sitemap.entries:
            read.append(url)
        for entry in sitemap.entries:
            if not same_origin(entry.url, site):
                off_origin += 1
            elif len(posts) < limit or entry.url in posts:
                posts[entry.url] = entry.lastmod
            else:
                truncated = True
    truncated = truncated or bool(queue)  # sitemaps left unread at the limit
    if truncated:
        log.warning("sitemaps list more than %d URLs: the audit stopped there", limit)
    return SitemapRead(
        posts, tuple(read), tuple(problems), off_origin, truncated, tuple(unread), tuple(rejected)
    )


async def _posts_sitemap(
    session: Session, url: str, indexes: Mapping[str, tuple[str, ...]]
) -> tuple[Sitemap, bool]:
    """The sitemap at `url` (an index discovery read comes from `indexes`), and whether the
    site answered 200; a failed request is a Sitemap whose problem says why."""
    if url in indexes:
        return Sitemap(children=indexes[url]), True
    # A posts sitemap robots.txt names was read by discovery, which keeps no posts: ask again.
    fetch = await session.get(url, again=is_posts_sitemap(url))
    if fetch is None:
        return Sitemap(problem=REFUSED), False
    if fetch.status != 200:
        return Sitemap(problem=fetch.error or f"HTTP {fetch.status}"), False
    return parse_sitemap(fetch.body), True


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


def post_archives(html: bytes, base: str, site: str, listed: Iterable[str]) -> set[str] | None:
    """The archives a post page's post belongs to; None when the page has no `article`.

    Its category and tag links inside the `article` (WordPress core: `rel="category tag"`,
    `rel="tag"`, wherever the theme puts them), and the post classes `category-<slug>` and
    `tag-<slug>` (core's `post_class()`, there even when the theme prints no tag list) where
    the taxonomy sitemaps list that archive (`listed`): a class name is the slug sanitized,
    which may differ from the slug in the URL.
    """
    from selectolax.lexbor import LexborHTMLParser

    articles = LexborHTMLParser(html).css("article")
    if not articles:
        return None
    by_term: dict[tuple[str, str], str] = {
        (p.kind, p.slug): a for a in listed if (p := archive_path(a)) is not None
    }
    found: set[str] = set()
    for article in articles:
        for a in article.css("a[href]"):
            if url := archive_url(urljoin(base, a.attributes.get("href") or ""), site):
                found.add(url)
        for name in (article.attributes.get("class") or "").split():
            kind, _, slug = name.partition("-")
            if kind in ("category", "tag") and (url := by_term.get((kind, slug))):
                found.add(url)
    return found


def foreign_archives(urls: Iterable[str], site: str) -> set[str]:
    """Archive-shaped URLs on another origin: refused (and counted), never requested."""
    return {u for u in urls if not same_origin(u, site) and archive_path(u)}


def foreign_archive_links(html: bytes, base: str, site: str) -> set[str]:
    return foreign_archives(_links(html, base), site)


def sorted_unique(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(urls)))
