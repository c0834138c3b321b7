"""The teaser block: the site's latest posts with excerpts, found by what it is.

Links to this site's posts, each with an excerpt, outside the main loop (sidebar, footer,
above the content), in any widget or block markup: the core Latest Posts block, a
recent-posts widget with excerpts, a featured-posts widget of `<article>`s, the
reconstructed theme's `div.latest-tips`, or any other run of such blocks. Each post's part
of the block (its "unit") is the largest element that links to that post alone; its title
is its first titled link to it, its excerpt the words beside it, less any further link to
the post ("Read more", whatever the language). Such a block is never read as posts.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser

from etl.parse import selectors as sel
from etl.parse.dates import HeadingParts, machine_time, split_heading, visible_date
from etl.parse.site import post_url
from etl.parse.tree import Ctx, Node, attr, excerpt, not_inside, select, text
from etl.records import Teaser

_MIN_WORDS = 5  # an excerpt has words; a comment's "Bob on" or a date does not
_TITLE_RULES: tuple[sel.Rule, ...] = (
    ("latest_posts_title", "a.wp-block-latest-posts__post-title"),
    ("entry_title", ".entry-title a[href]"),
    ("heading_link", "h1 a[href], h2 a[href], h3 a[href], h4 a[href], h5 a[href], h6 a[href]"),
    ("link", "a[href]"),
)
_EXCERPT = 'p, div, [class*="excerpt"], [class*="summary"]'  # document order decides
_CSS_WORD = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")
# WordPress' excerpt_more marker closing a cut excerpt: " […]", " [...]", " …", "...".
_MORE_MARK = re.compile(r"\s*(?:\[(?:…|\.\.\.)\]|…|\.\.\.)$")


class Issue(NamedTuple):
    """A problem in a cached block, made a Problem with each page's URL."""

    code: str
    detail: str
    excerpt: str


class Block(NamedTuple):
    teasers: tuple[Teaser, ...]
    issues: tuple[Issue, ...]
    units: int  # post links with words beside them: what a reader sees as teasers
    more: int  # "Read more" links by class: a teaser each, where the theme marks them


class Found(NamedTuple):
    node: Node
    rule: str
    where: str  # a selector that finds the block on the site's other pages
    block: Block


def find_block(tree: Node, ctx: Ctx, preferred: str | None) -> Found | None:
    """The teaser block by its known markups, or where the site profile says it sits."""
    node = tree.css_first(preferred) if preferred else None
    if node is not None:  # where the site profile says it sits: if it still holds teasers
        block = read_block(node, ctx)
        if block.teasers or block.issues:
            return Found(node, ctx.preferred.get("teasers", "profile"), str(preferred), block)
    for name, selector in ctx.rules("teasers", sel.TEASER_BLOCKS):
        for node in tree.css(selector):
            if name == "widget" and not _wordy(node):
                continue
            block = read_block(node, ctx)
            if block.teasers or block.issues:
                return Found(node, name, locator(node), block)
    return None


def find_by_structure(tree: Node, ctx: Ctx, loop: str | None) -> Found | None:
    """Structure: the smallest element beside the main loop holding links to 3+ posts, each
    with words beside it (runs on pages where no known markup matched)."""
    seen: set[int] = set()
    for link in tree.css(not_inside("a[href]", loop) if loop else "a[href]"):
        if post_url(ctx.origin, attr(link, "href")) is None:
            continue
        node = link.parent
        for _ in range(5):
            if node is None or node.tag in ("body", "html", "main") or node.mem_id in seen:
                break
            seen.add(node.mem_id)
            if loop and node.css_first(loop) is not None:
                break  # it holds the main loop: too far up
            urls = {post_url(ctx.origin, attr(a, "href")) for a in node.css("a[href]")}
            if len(urls - {None}) >= 3:
                block = read_block(node, ctx)
                if len(block.teasers) >= 2:
                    return Found(node, "sibling_run", locator(node), block)
                break
            node = node.parent
    return None


def _wordy(node: Node) -> bool:
    """Cheap: a widget with excerpts has far more words than links (a tag cloud has not)."""
    if not sel.PLAIN_WIDGETS.isdisjoint((node.attrs.get("class") or "").split()):
        return False
    links = len(node.css("a"))
    return links > 0 and len(node.text_lexbor()) >= 16 * links


def locator(node: Node) -> str:
    """A CSS selector for this block on the site's other pages: its id, else tag.classes."""
    ident = attr(node, "id")
    if ident and _CSS_WORD.match(ident):
        return f"#{ident}"
    words = [c for c in (attr(node, "class") or "").split() if _CSS_WORD.match(c)]
    return str(node.tag) + "".join(f".{c}" for c in words)


def path_locator(node: Node) -> str:
    """A CSS path for an element on the site's other pages: up from it to the nearest id,
    at most four steps (`#content > div.featured`)."""
    steps: list[str] = []
    while node is not None and node.tag not in ("body", "html") and len(steps) < 4:
        ident = attr(node, "id")
        if ident and _CSS_WORD.match(ident):
            steps.append(f"#{ident}")
            break
        steps.append(locator(node))
        node = node.parent
    return " > ".join(reversed(steps))


def read_block(node: Node, ctx: Ctx) -> Block:
    return _read(_Html(node.html or ""), ctx.origin, ctx.heading_dates, ctx.language)


class _Html:
    """A block's html as a cache key: hashed on a sample (hashing all of a ~10 KB string cost
    a third of reading a cached block), compared whole (so a key is never mistaken)."""

    __slots__ = ("_hash", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._hash = hash((len(text), text[::97]))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Html) and other.text == self.text


@functools.lru_cache(maxsize=256)
def _read(block_html: _Html, origin: str, heading_dates: bool, language: str | None) -> Block:
    """A block's teasers, from its own html alone.

    Cached on that html: the block stands unchanged on every page of a crawl, so its
    teasers are read once, not once per page.
    """
    root = LexborHTMLParser(block_html.text).body
    if root is None or root.child is None:
        return Block((), (), 0, 0)
    block = root.child
    more = len(select(block, sel.MORE_LINK))  # before the excerpts lose their links
    teasers, issues, units = [], [], 0
    for url, unit in _units(block, origin):
        title, rule = _title_link(unit, url, origin)
        sample = excerpt(unit)  # before the excerpt's links are taken out
        words = _excerpt_of(unit, url, origin, title)
        if not words:
            continue
        units += 1
        if title is None:
            issues.append(Issue("drift.teaser_without_link", "a teaser without title link", sample))
            continue
        teaser, issue = _teaser(unit, title, rule, url, words, heading_dates, language)
        teasers.append(teaser)
        if issue:
            issues.append(issue)
    return Block(tuple(teasers), tuple(issues), units, more)


def _units(block: Node, origin: str) -> list[tuple[str, Node]]:
    """(post URL, its unit) in document order: the largest element linking to it alone."""
    links = []
    under: dict[int, set[str]] = {}
    for link in block.css("a[href]"):
        href = attr(link, "href") or ""
        url = None if "#comment" in href or "#respond" in href else post_url(origin, href)
        if url is None:
            continue
        links.append((url, link))
        node = link.parent
        while node is not None and node.mem_id != block.mem_id:
            under.setdefault(node.mem_id, set()).add(url)
            node = node.parent
    units: dict[int, tuple[str, Node]] = {}
    for url, link in links:
        unit = link
        while unit.parent is not None and under.get(unit.parent.mem_id) == {url}:
            unit = unit.parent
        units.setdefault(unit.mem_id, (url, unit))
    return list(units.values())


def _title_link(unit: Node, url: str, origin: str) -> tuple[Node | None, str | None]:
    """The unit's first titled link to its post that is not a "Read more" after the words."""
    more = {n.mem_id for n in select(unit, sel.MORE_LINK)}
    for name, selector in _TITLE_RULES:
        for link in unit.css(selector):
            if link.mem_id in more or post_url(origin, attr(link, "href")) != url:
                continue
            if text(link) and not (name == "link" and _after_words(link)):
                return link, name
    return None, None


def _after_words(link: Node) -> bool:
    """A link that closes a run of words (its block holds more words before it)."""
    block = link.parent
    while block is not None and block.tag in ("span", "em", "strong", "b", "i"):
        block = block.parent
    if block is None:
        return False
    before = text(block).removesuffix(text(link))
    return len(before.split()) >= _MIN_WORDS


def _excerpt_of(unit: Node, url: str, origin: str, title: Node | None) -> str:
    """The words beside the title: the first element of words without the title link,
    less any link to the same post ("Read more", whatever the language)."""
    for node in select(unit, _EXCERPT):
        if title is not None and any(a.mem_id == title.mem_id for a in node.css("a")):
            continue
        for link in node.css("a[href]"):
            if post_url(origin, attr(link, "href")) == url:
                link.decompose()
        words = _MORE_MARK.sub("", text(node))
        if len(words.split()) >= _MIN_WORDS:
            return words
    return ""


def _teaser(
    unit: Node,
    link: Node,
    rule: str | None,
    url: str,
    words: str,
    heading_dates: bool,
    language: str | None,
) -> tuple[Teaser, Issue | None]:
    heading = text(link)
    parts = split_heading(heading) if heading_dates else HeadingParts(heading, None, None, None)
    date, date_rule = parts.date, "heading" if parts.date else None
    if date is None:  # no tip date in the heading: the date the block shows, if any
        date, date_rule = _shown_date(unit, language)
    issue = Issue("date.impossible", parts.problem, heading) if parts.problem else None
    found = (("title", rule), ("excerpt", "beside_title"), ("date", date_rule))
    return Teaser(url, heading, parts.title, date, parts.date_raw, words, found), issue


def _shown_date(unit: Node, language: str | None) -> tuple[dt.date | None, str | None]:
    """The publication date a block prints beside a teaser: machine-readable, else words."""
    day = machine_time(attr(unit.css_first("time[datetime]"), "datetime") or "")[1]
    if day is not None:
        return day, "time_datetime"
    for node in select(unit, sel.TEASER_DATE):
        if (day := visible_date(text(node), language)) is not None:
            return day, "visible_date"
    return None, None
