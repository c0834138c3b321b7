"""Pure URL rules of a WordPress site: which links are posts, archives and archive pages.

WordPress' permalinks say what a link is whatever the theme: `/category/<slug>/`,
`/tag/<slug>/`, `/page/N/` (or `?paged=N`, a Query Loop's `?query-1-page=N`), and a post at
any other path of the site. Cached: the same links stand on every page of a crawl.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from etl.urls import ARCHIVE_PATH as ARCHIVE_PATH  # the one archive-URL rule
from etl.urls import canonical_url

_PAGED_PATH = re.compile(r"^(?P<base>.*?/)page/(?P<n>\d+)/?$")
_PAGED_QUERY = re.compile(r"(?:^|&)(?:paged|query-\d+-page)=(?P<n>\d+)(?:&|$)")
# Paths that are never a post: archives, feeds, WordPress' own files, date archives, home.
_NOT_POST = re.compile(
    r"^/(?:category|tag|author|page|feed|comments|search|wp-content|wp-admin|wp-json|wp-includes"
    r"|wp-login\.php|xmlrpc\.php)(?:/|$)|/(?:feed|page/\d+)/?$|^/\d{4}/(?:\d{2}/){0,2}$|^/$"
)
_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|xml|txt|css|js)$", re.I)


def host_of(url: str) -> str:
    """The host without `www.` and port case: links to either spelling are this site."""
    return _host(url)


@functools.lru_cache(maxsize=8192)
def _host(url: str) -> str:
    netloc = urlsplit(url).netloc.lower()
    return netloc.removeprefix("www.")


def absolute(page_url: str, href: str) -> str:
    """The canonical absolute URL of a link on `page_url`."""
    href = href.strip()
    if not href.startswith(("https://", "http://")):
        href = urljoin(page_url, href)
    return _canonical(href)


def joined(page_url: str, href: str) -> str:
    """A link made absolute as written (a next page's URL is asked as the page gives it)."""
    href = href.strip()
    return href if href.startswith(("https://", "http://")) else urljoin(page_url, href)


@functools.lru_cache(maxsize=8192)
def _canonical(url: str) -> str:
    return canonical_url(url)


@functools.lru_cache(maxsize=16384)
def post_url(origin: str, href: str | None) -> str | None:
    """The canonical URL of a link to a post of the site at `origin`; None otherwise.

    `origin` is the page's `scheme://host[:port]` (the cache key stays the same on every
    page of a crawl). Links to `www.` and bare spellings of the host are this site.
    """
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href.strip())
    if parts.netloc and _host(href.strip()) != _host(origin):
        return None
    path = parts.path or "/"
    if not parts.netloc and not path.startswith("/"):
        return None  # WordPress links are absolute; a bare relative one is no permalink
    if _NOT_POST.search(path) or _FILE.search(path):
        return None
    if parts.query and not parts.query.startswith("p="):  # ?p=123 is a post; others not
        return None
    return _canonical(href.strip() if parts.netloc else origin + href.strip())


class ArchiveURL(NamedTuple):
    """Where a URL stands in an archive: its first page's path and its page number."""

    base: str  # the path of page 1, e.g. /category/x/
    number: int


@functools.lru_cache(maxsize=8192)
def archive_page(url: str) -> ArchiveURL:
    """`/category/x/page/3/` -> (/category/x/, 3); `?paged=3` and `?query-1-page=3` too."""
    parts = urlsplit(url)
    return _archive_page(parts.path or "/", parts.query)


def _archive_page(path: str, query: str) -> ArchiveURL:
    m = _PAGED_PATH.match(path)
    if m is not None:
        return ArchiveURL(m["base"], int(m["n"]))
    q = _PAGED_QUERY.search(query)
    base = path if path.endswith("/") else path + "/"
    return ArchiveURL(base, int(q["n"]) if q else 1)


class PageURL(NamedTuple):
    """What a page's own URL says, split once per page."""

    url: str
    origin: str  # scheme://host[:port], lower-case: the site its links are compared with
    host: str  # without www.
    path: str
    base: str  # the path of the archive's first page
    number: int  # the page number (1 on a first page)


def page_url(url: str) -> PageURL:
    """One split of the page's own URL (a new one each page: not worth a cache)."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    if sep and netloc and not any(c in netloc for c in "@[?#"):  # plain scheme://host[:port]
        path, _, query = ("/" + tail if slash else "/").partition("#")[0].partition("?")
        host = netloc.lower()
        where = _archive_page(path, query)
        origin = f"{scheme.lower()}://{host}"
        return PageURL(url, origin, host.removeprefix("www."), path, where.base, where.number)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    where = _archive_page(parts.path or "/", parts.query)
    return PageURL(
        url,
        f"{parts.scheme.lower()}://{netloc}",
        parts.netloc.lower().removeprefix("www."),
        parts.path or "/",
        where.base,
        where.number,
    )


def slug_of(url: str) -> str:
    """The last path segment of a URL (a term's slug in its archive URL)."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
