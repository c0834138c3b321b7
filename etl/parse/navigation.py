"""What a page is and where it leads: its kind, its archive and page number, pagination.

The URL says most (WordPress permalinks), body_class() the rest (`archive category
category-<slug>`, `single-post`, `paged-N`). Pagination is read from the links themselves:
a link to page N+1 of the same archive is the next page whatever its words or classes, and
a link whose text is its own page number is numbered pagination (the largest is the last
page). Language-independent: no rule reads "Older posts" or "Next".
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from etl.parse import selectors as sel
from etl.parse.site import ARCHIVE_PATH, PageURL, absolute, archive_page, host_of, joined
from etl.parse.tree import Ctx, Node, attr, excerpt, select, text
from etl.records import PageKind, TermKind

_HOME_PAGED = re.compile(r"^/page/\d+/?$")
_PAGE_WORDS = re.compile(r"/page/\d|paged=|-page=")
_PAGE_HREF = re.compile(r"(?:https?://(?P<host>[^/?#]+))?(?P<base>/[^?#]*?/)page/(?P<n>\d+)/?$")
_THEME = re.compile(r"/wp-content/themes/([\w.-]+)/")
_ARTICLE_TYPES = ("Article", "BlogPosting", "NewsArticle", "WebPage")


class Kind(NamedTuple):
    kind: PageKind
    term_kind: TermKind | None
    slug: str | None
    number: int | None
    rule: str


def page_kind(tree: Node, at: PageURL, body_classes: list[str]) -> Kind:
    """The page's kind from its URL, else its body_class(), else an archive title."""
    path = at.path
    m = ARCHIVE_PATH.search(path)
    if m is not None:
        term_kind: TermKind = "category" if m["kind"] == "category" else "tag"
        return Kind("archive", term_kind, m["slug"], int(m["n"]) if m["n"] else 1, "url")
    words = set(body_classes)
    if words & {"archive", "category", "tag"}:
        kind: TermKind | None = (
            "category" if "category" in words else "tag" if "tag" in words else None
        )
        return Kind("archive", kind, _slug(body_classes, kind), _paged(at, words), "body_class")
    if words & {"single-post", "single"}:
        return Kind("post", None, None, None, "body_class")
    if words & {"home", "blog"} or path == "/" or _HOME_PAGED.match(path):
        return Kind("home", None, None, None, "body_class" if words else "url")
    if tree.css_first(sel.ARCHIVE_TITLE[0][1]) is not None:
        return Kind("archive", None, None, None, sel.ARCHIVE_TITLE[0][0])
    return Kind("other", None, None, None, "none")


def _slug(body_classes: list[str], kind: TermKind | None) -> str | None:
    """`category-<slug>` of body_class(), not its `category-<id>` or `category-paged-N`."""
    if kind is None:
        return None
    prefix = f"{kind}-"
    for word in body_classes:
        rest = word[len(prefix) :]
        if (
            word.startswith(prefix)
            and rest
            and not rest.isdigit()
            and not rest.startswith("paged-")
        ):
            return rest
    return None


def _paged(at: PageURL, words: set[str]) -> int:
    for word in words:
        if word.startswith("paged-") and word[6:].isdigit():
            return int(word[6:])
    return at.number


def theme(html: str, body_classes: list[str]) -> str | None:
    """The theme's folder name: body_class()'s wp-(child-)theme-<name>, else a stylesheet."""
    for prefix in ("wp-child-theme-", "wp-theme-"):
        for word in body_classes:
            if word.startswith(prefix):
                return word[len(prefix) :]
    m = _THEME.search(html, 0, 30_000)
    return m[1] if m else None


class Pagination(NamedTuple):
    next_url: str | None
    last_page: int | None
    shown: bool
    next_rule: str | None
    last_rule: str | None


def pagination(tree: Node, ctx: Ctx) -> Pagination:
    """Where the archive goes on: the next page, the last page number, whether any is shown."""
    here = ctx.at
    head = tree.head
    rel_next = head.css_first(sel.NEXT_HEAD) if head is not None else None
    href = attr(rel_next, "href")
    next_url, rule = (joined(ctx.url, href), "link_rel_next") if href else (None, None)
    pages, numbered = 0, []
    for link, href in _page_links(tree):
        number = _number_here(href, ctx)
        if number is None:
            continue
        pages += 1
        if text(link).endswith(str(number)):
            numbered.append(number)
        if next_url is None and number == here.number + 1:
            rel = (attr(link, "rel") or "").split()
            next_url = joined(ctx.url, href)
            rule = "a_rel_next" if "next" in rel else "page_link"
    if next_url is None:
        next_url, rule = _next_control(tree, ctx)
    if next_url is None and (unread := tree.css_first(sel.NEXT_WITHOUT_URL)) is not None:
        ctx.problem(
            "drift.next_unread",
            "the page shows a next-page control but no rule reads its URL",
            drift=True,
            excerpt=excerpt(unread),
        )
    last = max(*numbered, here.number) if numbered else None
    shown = bool(pages or rel_next or next_url) or tree.css_first(sel.PAGINATION) is not None
    if not shown and head is not None and head.css_first(sel.PREV_HEAD) is not None:
        shown = True
    return Pagination(next_url, last, shown, rule, "page_numbers" if numbered else None)


def _number_here(href: str, ctx: Ctx) -> int | None:
    """The page number a link leads to within this page's archive; None: elsewhere."""
    m = _PAGE_HREF.match(href)  # the common shape, read without splitting the URL
    if m is not None:
        host = m["host"]
        if host is not None and host.lower().removeprefix("www.") != ctx.at.host:
            return None
        return int(m["n"]) if m["base"] == ctx.at.base else None
    target = absolute(ctx.url, href)
    if host_of(target) != ctx.at.host:
        return None
    where = archive_page(target)
    return where.number if where.base == ctx.at.base else None


def _page_links(tree: Node) -> list[tuple[Node, str]]:
    """(link, href) of the links whose URL names a page number: in <nav>s first (one cheap
    query each), else anywhere (substring selectors cost lexbor several plain queries)."""
    found = []
    for nav in tree.css(sel.NAV):
        for link in nav.css("a[href]"):
            href = link.attrs.get("href") or ""
            if _PAGE_WORDS.search(href):
                found.append((link, href))
    if found:
        return found
    links = tree.css(sel.PAGE_LINKS) or select(tree, sel.PAGE_QUERY_LINKS)
    return [(link, href) for link in links if (href := attr(link, "href"))]


def _next_control(tree: Node, ctx: Ctx) -> tuple[str | None, str | None]:
    """A next control whose URL carries no page number (odd permalink settings)."""
    for name, selector in sel.NEXT_CONTROLS:
        href = attr(tree.css_first(selector), "href")
        if href:
            target = joined(ctx.url, href)
            if (
                absolute(ctx.url, target) != absolute(ctx.url, ctx.url)
                and host_of(target) == ctx.at.host
            ):
                return target, name
    return None, None


def jsonld_published(tree: Node) -> str | None:
    """`datePublished` of the page's schema.org Article (SEO plugins print it in the head)."""
    for script in tree.css(sel.JSON_LD):
        try:
            data = json.loads(script.text(deep=True) or "null")
        except ValueError:
            continue
        for node in _graph(data):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(k in _ARTICLE_TYPES for k in kinds) and isinstance(
                node.get("datePublished"), str
            ):
                return str(node["datePublished"])
    return None


def _graph(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [n for item in data for n in _graph(item)]
    if isinstance(data, dict):
        return [data, *_graph(data.get("@graph"))] if "@graph" in data else [data]
    return []
