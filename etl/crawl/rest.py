"""The site's own structured data: one page of its REST API's newest posts and the category
and tag lists (`/wp-json/wp/v2/...`), a second opinion on what the parser read.

`read_rest(session)` asks through the run's `Session` (robots.txt, rate limit, the raw
archive, the counts): one page of posts (`per_page=100`, only the fields compared) and the
term lists by ID, 100 a page, at most `MAX_TERM_PAGES` pages each. Many sites close the API
(401 from a security plugin, 404, an HTML page with 200): the answer then says why, and the
run goes on. The reading itself (`why_not`, `read_posts`, `read_terms`) is pure.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from etl.records import Fetch

if TYPE_CHECKING:
    from etl.crawl.session import Session

log = logging.getLogger(__name__)

POSTS = "/wp-json/wp/v2/posts"
TERMS = {"categories": "/wp-json/wp/v2/categories", "tags": "/wp-json/wp/v2/tags"}
POST_FIELDS = "link,date,date_gmt,modified_gmt,title,categories,tags"
PER_PAGE = 100  # the most WordPress gives in one page
MAX_TERM_PAGES = 5  # 500 categories and 500 tags: a term past them is "unknown", not compared
REFUSED = "refused (robots.txt disallows it, or a redirect leaves the origin)"


@dataclass(frozen=True, slots=True)
class RestPost:
    """One post as `/wp/v2/posts` gives it (times UTC, terms by ID)."""

    link: str
    title: str  # title.rendered: texturized HTML, entities and all
    date_gmt: dt.datetime | None
    modified_gmt: dt.datetime | None
    categories: tuple[int, ...]
    tags: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RestView:
    """What the REST API said, or why it said nothing usable (`status` other than "ok")."""

    status: str  # "ok", or e.g. "HTTP 401: the REST API is closed to visitors ..."
    posts: tuple[RestPost, ...] = ()
    categories: Mapping[int, str] = field(default_factory=dict)  # ID -> name (unescaped)
    tags: Mapping[int, str] = field(default_factory=dict)
    total: int | None = None  # X-WP-Total: the published posts
    requests: int = 0
    problems: tuple[str, ...] = ()  # items not read, term lists cut short

    @property
    def answered(self) -> bool:
        return self.status == "ok"


async def read_rest(session: Session) -> RestView:
    """One page of the newest posts, then the category and tag lists their IDs need."""
    before = session.requests
    site = session.settings.site
    query = urlencode({"per_page": PER_PAGE, "_fields": POST_FIELDS})
    fetch = await session.get(urljoin(site, f"{POSTS}?{query}"), again=True)
    value, why = read_json(fetch)
    if why is not None:
        log.info("REST API not used: %s", why)
        return RestView(why, requests=session.requests - before)
    posts, problems = read_posts(value)
    terms: dict[str, dict[int, str]] = {}
    for kind, path in TERMS.items():
        wanted = {t for p in posts for t in getattr(p, kind)}
        terms[kind], more = await _terms(session, path, wanted) if wanted else ({}, [])
        problems += more
    return RestView(
        "ok",
        posts,
        terms["categories"],
        terms["tags"],
        total=_total(fetch),
        requests=session.requests - before,
        problems=tuple(problems),
    )


async def _terms(session: Session, path: str, wanted: set[int]) -> tuple[dict[int, str], list[str]]:
    """ID -> name of one taxonomy, page by page until every wanted ID is known."""
    names: dict[int, str] = {}
    for page in range(1, MAX_TERM_PAGES + 1):
        query = urlencode({"per_page": PER_PAGE, "page": page, "_fields": "id,name"})
        fetch = await session.get(urljoin(session.settings.site, f"{path}?{query}"), again=True)
        value, why = read_json(fetch)
        if why is not None:
            return names, [f"{path} page {page}: {why}"]
        names.update(read_terms(value))
        pages = _header(fetch, "x-wp-totalpages")
        if wanted <= names.keys() or not value or (pages is not None and page >= pages):
            return names, []
    missing = len(wanted - names.keys())
    return names, [f"{path}: {missing} term ID(s) past {MAX_TERM_PAGES} pages not read"]


def why_not(fetch: Fetch | None) -> str | None:
    """Why an answer is no REST API answer (None: it is one)."""
    if fetch is None:
        return REFUSED
    if fetch.status in (401, 403):
        return f"HTTP {fetch.status}: the REST API is closed to visitors (a security plugin?)"
    if fetch.status == 404:
        return "HTTP 404: no REST API at /wp-json/"
    if fetch.status != 200:
        return fetch.error or f"HTTP {fetch.status}"
    kind = fetch.header("content-type") or ""
    if "json" not in kind.lower():
        return f"not JSON ({kind or 'no content type'}): the REST API answers with a page"
    return None


def read_json(fetch: Fetch | None) -> tuple[Any, str | None]:
    """(the JSON list an answer holds, None), or (None, why it holds none)."""
    if (why := why_not(fetch)) is not None:
        return None, why
    assert fetch is not None
    try:
        value = json.loads(fetch.body)
    except ValueError:
        return None, "not JSON (the body does not parse)"
    if not isinstance(value, list):
        return None, "unexpected JSON: not a list"
    return value, None


def read_posts(items: list[Any]) -> tuple[tuple[RestPost, ...], list[str]]:
    """The posts of a `/wp/v2/posts` answer; an item without a link or title is named."""
    posts, problems = [], []
    for n, item in enumerate(items):
        try:
            posts.append(
                RestPost(
                    link=str(item["link"]),
                    title=str(item["title"]["rendered"]),
                    date_gmt=_gmt(item.get("date_gmt")),
                    modified_gmt=_gmt(item.get("modified_gmt")),
                    categories=tuple(int(t) for t in item.get("categories") or ()),
                    tags=tuple(int(t) for t in item.get("tags") or ()),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{POSTS} item {n}: not a post ({type(exc).__name__}: {exc})")
    return tuple(posts), problems


def read_terms(items: list[Any]) -> dict[int, str]:
    """ID -> name of a terms answer; names come HTML-escaped, as WordPress stores them."""
    out = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            out[item["id"]] = html.unescape(str(item.get("name", "")))
    return out


def _gmt(value: Any) -> dt.datetime | None:
    """`2024-06-25T13:00:00` (UTC, no offset, as `date_gmt` is) -> an aware datetime."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _header(fetch: Fetch | None, name: str) -> int | None:
    value = (fetch.header(name) or "") if fetch else ""
    return int(value) if value.strip().isdigit() else None


def _total(fetch: Fetch | None) -> int | None:
    return _header(fetch, "x-wp-total")
