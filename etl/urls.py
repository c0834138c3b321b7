"""URL rules in one place: the merge key (canonical post URL), the origin check and the shape
of a category or tag archive's URL."""

from __future__ import annotations

import re
from typing import Literal, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track a click; they never change the page.
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "_ga", "ref")


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return any(name == t or (t.endswith("_") and name.startswith(t)) for t in _TRACKING)


def canonical_url(url: str) -> str:
    """The one spelling of a URL that is the merge key of a post.

    https, lower-case host, no default port, no fragment, no tracking parameters, and a
    path that ends in `/` (WordPress' own form). `http://CSSAmerica.com/x#c` and
    `https://cssamerica.com/x/` are the same post.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if scheme in ("http", "https") and port in (None, 80, 443):
        scheme = "https"  # the site serves both; https is the form it links to
    path = parts.path or "/"
    last = path.rsplit("/", 1)[-1]
    if not path.endswith("/") and "." not in last:
        path += "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _is_tracking(k)])
    return urlunsplit((scheme, host, path, query, ""))


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme.lower()}://{host}"


def same_origin(url: str, site: str) -> bool:
    """True when `url` is on the site's origin (scheme, host and port all equal)."""
    return origin(url) == origin(site)


# WordPress's archive permalinks: `/category/SLUG/` or `/tag/SLUG/`, then `/page/N/`. Searched
# at the end of the path, so a blog installed in a folder (`/blog/category/x/`) matches too.
ARCHIVE_PATH = re.compile(r"/(?P<kind>category|tag)/(?P<slug>[^/]+)(?:/page/(?P<n>\d+))?/?$")


class ArchivePath(NamedTuple):
    """Where an archive page's URL says it is: which term, and which page of it."""

    kind: Literal["category", "tag"]
    slug: str
    page: int
    first: str  # the URL of the archive's first page


def archive_path(url: str) -> ArchivePath | None:
    """The archive an URL belongs to, or None when it is no archive's URL."""
    parts = urlsplit(url)
    m = ARCHIVE_PATH.search(parts.path)
    if m is None:
        return None
    kind: Literal["category", "tag"] = "category" if m["kind"] == "category" else "tag"
    first_path = parts.path[: m.start()] + f"/{m['kind']}/{m['slug']}/"
    first = urlunsplit((parts.scheme, parts.netloc, first_path, "", ""))
    return ArchivePath(kind, m["slug"], int(m["n"]) if m["n"] else 1, first)


def archive_url(url: str, site: str) -> str | None:
    """The first-page URL of the archive `url` belongs to, if it is one on the site's origin."""
    found = archive_path(url) if same_origin(url, site) else None
    return found.first if found else None
