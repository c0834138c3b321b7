"""Pure helpers for finding URLs: robots.txt rules, WordPress sitemaps, archive links.

Nothing here touches the network; `crawl.py` fetches and hands the bodies over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

from etl.urls import same_origin

Allowed = Callable[[str], bool]

# `/category/SLUG/` or `/tag/SLUG/`, optionally a later page of it.
_ARCHIVE = re.compile(r"^/(category|tag)/([^/]+)/(?:page/\d+/?)?$")
# Sitemaps that list archives (WordPress core names them so); posts sitemaps are not needed.
_TAXONOMY_SITEMAP = re.compile(r"wp-sitemap-taxonomies-(category|post_tag)-\d+\.xml$")
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OLDER = re.compile(r"older\s+posts", re.IGNORECASE)


def robots_rules(status: int | None, body: bytes, user_agent: str) -> tuple[Allowed, list[str]]:
    """RFC 9309 2.3.1: a 4xx robots.txt allows everything; no answer or 5xx disallows all.

    Returns the rule as a predicate on URLs, and the sitemaps robots.txt names.
    """
    if status is not None and 400 <= status < 500:
        return (lambda url: True), []
    if status != 200:
        return (lambda url: False), []
    from protego import Protego

    parser = Protego.parse(body.decode("utf-8", "replace"))
    return (lambda url: bool(parser.can_fetch(url, user_agent))), list(parser.sitemaps)


def archive_url(url: str, site: str) -> str | None:
    """The first-page URL of the archive `url` belongs to, or None if it is no archive."""
    parts = urlsplit(url)
    if not same_origin(url, site):
        return None
    m = _ARCHIVE.match(parts.path)
    if m is None:
        return None
    return urlunsplit((parts.scheme, parts.netloc, f"/{m.group(1)}/{m.group(2)}/", "", ""))


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """`(child sitemaps, page URLs)` of a sitemap index or url set.

    Sitemaps are untrusted XML: a DOCTYPE (entity expansion, external entities) is refused.
    """
    import xml.etree.ElementTree as ET

    if b"<!DOCTYPE" in body[:4096].upper():
        raise ValueError("sitemap refused: it declares a DOCTYPE")
    root = ET.fromstring(body)
    locs = [(el.text or "").strip() for el in root.iter(f"{_SITEMAP_NS}loc")]
    if root.tag == f"{_SITEMAP_NS}sitemapindex":
        return locs, []
    return [], locs


def wants_sitemap(url: str) -> bool:
    """Only the taxonomy sitemaps lead to archives."""
    return bool(_TAXONOMY_SITEMAP.search(urlsplit(url).path))


def _links(html: bytes, base: str) -> list[str]:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    return [urljoin(base, a.attributes.get("href") or "") for a in tree.css("a[href]")]


def archive_links(html: bytes, base: str, site: str) -> set[str]:
    """The category and tag archives a page links to (the home page's sidebar)."""
    return {u for u in (archive_url(link, site) for link in _links(html, base)) if u}


def foreign_archives(urls: Iterable[str], site: str) -> set[str]:
    """Archive-shaped URLs on another origin: refused (and counted), never requested."""
    return {u for u in urls if not same_origin(u, site) and _ARCHIVE.match(urlsplit(u).path)}


def foreign_archive_links(html: bytes, base: str, site: str) -> set[str]:
    return foreign_archives(_links(html, base), site)


def next_page(html: bytes, base: str) -> str | None:
    """The next (older) page of an archive: `link[rel=next]`, else an "Older posts" link."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("link[rel=next], a[rel=next]"):
        if href := node.attributes.get("href"):
            return urljoin(base, href)
    for node in tree.css("a[href]"):
        if OLDER.search(node.text()) and (href := node.attributes.get("href")):
            return urljoin(base, href)
    return None


def sorted_unique(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(urls)))
