"""A post's fields, from its block of the main loop (etl/parse/loop.py) or its own page.

Each field is read by the first rule of its list in etl/parse/selectors.py that finds it,
and the record says which (`Post.found_by`; None where no rule did). The body's text and
html are made on first read (`records.Deferred`). A field the block shows but no rule
reads is a drift problem; one the post lacks is not.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import NamedTuple

from etl.parse import selectors as sel
from etl.parse.dates import HeadingParts, machine_time, split_heading, visible_date
from etl.parse.site import absolute, post_url
from etl.parse.terms import post_terms
from etl.parse.text import body_text
from etl.parse.tree import Ctx, Node, attr, classes, empty, excerpt, first, select, text
from etl.records import DateSource, PageKind, Post, TermKind

_WP_ID = re.compile(r"post-(\d+)$")
DATE_SHOWN = "time, .entry-date, .published, [itemprop=datePublished], .wp-block-post-date"


# A post's fields, as named in its found_by (published_date: the date the page shows).
FIELDS = (
    "title",
    "url",
    "wp_id",
    "published_at",
    "published_date",
    "date",
    "text",
    "categories",
    "tags",
)
# Cached here, not in dates.py: a post's heading recurs on each archive page showing it.
_split = functools.lru_cache(maxsize=8192)(split_heading)


class Where(NamedTuple):
    """What the page says about the posts it lists."""

    kind: PageKind
    term_kind: TermKind | None
    term: str | None
    own_url: str  # a post page's canonical URL; the page URL elsewhere
    jsonld_time: str | None  # a post page's JSON-LD datePublished
    body_id: int | None  # a post page's body_class() postid-N


def read_post(item: Node, ctx: Ctx, where: Where) -> Post | None:
    """One block as a Post; None (and a drift Problem) when it has no title, URL or body."""
    found: dict[str, str | None] = dict.fromkeys(FIELDS)  # None: no rule read it
    heading, url = _title_and_url(item, ctx, where, found)
    if not heading or not url:
        ctx.problem(
            "drift.article_without_title",
            "an article without title or URL was dropped",
            drift=True,
            record_kind="post",
            excerpt=excerpt(item),
        )
        return None
    parts = _split(heading) if ctx.heading_dates else HeadingParts(heading, None, None, None)
    if parts.problem:
        ctx.problem("date.impossible", parts.problem, record_kind="post", url=url, excerpt=heading)
    wp_id = _wp_id(item, where, found)
    if wp_id is None:
        detail = "article without id=post-N or a post-N class"
        ctx.problem("post.no_wp_id", detail, record_kind="post", url=url, excerpt=excerpt(item))
    stamp, day = _published(item, ctx, where, url, found)
    if stamp is None:
        detail = "no machine-readable publication time"
        ctx.problem("post.no_published_at", detail, record_kind="post", url=url, excerpt=heading)
    date, source = _date(parts, day, found)
    body = _body(item, ctx, where, url, found)
    if body is None:  # a post without its body would overwrite a good copy in the merge
        ctx.problem(
            "drift.article_without_body",
            f"text on {ctx.url}: no entry-content, excerpt or paragraphs: the post was dropped",
            drift=True,
            record_kind="post",
            url=url,
            excerpt=excerpt(item),
        )
        return None
    categories, tags = post_terms(item, ctx, where.term_kind, where.term, url, found)
    return Post(
        url=url,
        wp_id=wp_id,
        heading=heading,
        title=parts.title,
        date=date,
        date_raw=parts.date_raw,
        date_source=source,
        published_at=stamp.astimezone(dt.UTC) if stamp else None,
        categories=categories,
        tags=tags,
        text=body.text,
        html=body.html,
        found_by=tuple(found.items()),
        excerpt_only=body.excerpt_only,
    )


def _title_and_url(
    item: Node, ctx: Ctx, where: Where, found: dict[str, str | None]
) -> tuple[str, str | None]:
    if where.kind == "post":  # a post page: plain title, the page's own (canonical) URL
        node, found["title"] = first(item, ctx.rules("title", sel.POST_TITLE))
        found["url"] = "canonical"
        return text(node), where.own_url
    for name, selector in ctx.rules("title", sel.TITLE_LINK):
        link = item.css_first(selector)
        heading = text(link)
        if heading:
            found["title"] = found["url"] = name
            href = attr(link, "href")
            return heading, absolute(ctx.url, href) if href else None
    found["title"] = found["url"] = None
    return "", None


def _wp_id(item: Node, where: Where, found: dict[str, str | None]) -> int | None:
    m = _WP_ID.match(attr(item, "id") or "")
    if m is None:
        m = next(filter(None, map(_WP_ID.match, classes(item))), None)
        found["wp_id"] = "post_class" if m else None
    else:
        found["wp_id"] = "element_id"
    if m is None and where.body_id is not None:
        found["wp_id"] = "body_class"  # a post page's body_class(): postid-N
        return where.body_id
    return int(m[1]) if m else None


def _published(
    item: Node, ctx: Ctx, where: Where, url: str, found: dict[str, str | None]
) -> tuple[dt.datetime | None, dt.date | None]:
    """The publication time (aware) and its local date; a visible date gives the date only."""
    for name, selector in ctx.rules("published_at", sel.TIMESTAMP):
        node = item.css_first(selector)
        if node is None:
            continue
        attrs = node.attributes
        if name == "time_datetime" and _only_updated(attrs.get("class")):
            continue
        value = attrs.get("datetime") or attrs.get("content") or attrs.get("title")
        stamp, day = machine_time(value or "")
        if day is not None:
            found["published_at"] = name if stamp else None
            found["published_date"] = name
            return stamp, day
    if where.jsonld_time:  # a post page's structured data (SEO plugins)
        stamp, day = machine_time(where.jsonld_time)
        if day is not None:
            found["published_at"] = "json_ld" if stamp else None
            found["published_date"] = "json_ld"
            return stamp, day
    found["published_at"] = None
    for node in select(item, sel.VISIBLE_DATE[0][1]):
        day = visible_date(text(node), ctx.language)
        if day is not None:
            found["published_date"] = sel.VISIBLE_DATE[0][0]
            return None, day
    found["published_date"] = None
    shown = [n for n in select(item, DATE_SHOWN) if text(n) or attr(n, "datetime")]
    if shown:  # the page shows a date but no rule reads it
        ctx.problem(
            "drift.date_unread",
            f"date on {ctx.url}: the article shows a date element but no rule reads it",
            drift=True,
            record_kind="post",
            url=url,
            excerpt=excerpt(shown[0]),
        )
    return None, None


def _only_updated(words: str | None) -> bool:
    """A time element that is the last edit's, not the publication's."""
    words = words or ""
    return "updated" in words and "published" not in words and "entry-date" not in words


def _date(
    parts: HeadingParts, day: dt.date | None, found: dict[str, str | None]
) -> tuple[dt.date | None, DateSource | None]:
    """The heading's date wins; else the publication date, in the time's own offset."""
    if parts.date is not None:
        found["date"] = "heading"
        return parts.date, "heading"
    found["date"] = found.get("published_date")
    return (day, "published") if day is not None else (None, None)


class _Body:
    """A post's body node; its html and text are made on first read (see Deferred)."""

    __slots__ = ("_html", "excerpt_only", "node", "origin", "post_url", "rule")

    def __init__(self, node: Node, rule: object, excerpt_only: bool, url: str, origin: str):
        self.node, self.rule, self.excerpt_only = node, rule, excerpt_only
        self.post_url, self.origin = url, origin
        self._html: str | None = None

    def html(self) -> str:
        if self._html is None:
            self._html = self.node.inner_html or ""
        return self._html

    def text(self) -> str:
        self.html()  # body_text edits the tree (<br>s): the html is taken first
        if self.excerpt_only:  # "Read more" closes an excerpt: its words are not the post's
            for link in self.node.css("a[href]"):
                if post_url(self.origin, attr(link, "href")) == self.post_url:
                    link.decompose()
        return body_text(self.node, self.rule)  # type: ignore[arg-type]


def _body(
    item: Node, ctx: Ctx, where: Where, url: str, found: dict[str, str | None]
) -> _Body | None:
    node, rule = _filled(item, ctx.rules("text", sel.CONTENT))
    cut = False
    if node is None:
        node, rule = _filled(item, ctx.rules("excerpt", sel.EXCERPT))
        cut = node is not None
    elif where.kind != "post" and _ends_in_link_to(node, url, ctx.origin):
        cut, rule = True, f"{rule}_cut"  # an excerpt, or cut at <!--more-->: read more
    found["text"] = rule
    if node is None:
        return None
    return _Body(node, ctx.boilerplate, cut and where.kind != "post", url, ctx.origin)


def _ends_in_link_to(node: Node, url: str, origin: str) -> bool:
    """The body's last element is (or holds) a link to the post itself: "Read more", in any
    language (the_content() cut at <!--more-->, themes that print excerpts in it)."""
    last = node.last_child
    while last is not None and last.tag in ("-text", "-comment"):
        last = last.prev
    if last is None:
        return False
    if last.tag != "a":  # the link closes the last block: its last element child
        last = last.last_child
        while last is not None and last.tag in ("-text", "-comment"):
            last = last.prev
    return last is not None and last.tag == "a" and post_url(origin, attr(last, "href")) == url


def _filled(item: Node, rules: tuple[sel.Rule, ...]) -> tuple[Node | None, str | None]:
    """The first match of the rules that holds something (Astra prints empty entry-content)."""
    for name, selector in rules:
        node = item.css_first(selector)
        if node is None:
            continue
        if not empty(node):
            return node, name
        for node in select(item, selector)[1:]:
            if not empty(node):
                return node, name
    return None, None
