"""Pure: (html, url) -> Page with its teasers, posts and problems. Never raises.

One lexbor tree per page and targeted selectors (etl/selectors.py). Where the markup no
longer matches docs/CONTRACT.md the page carries drift Problems instead of fewer records.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from etl.parse import selectors as sel
from etl.parse.dates import HeadingParts, parse_timestamp, post_date, split_heading
from etl.parse.decode import damaged_records, decode
from etl.parse.text import body_text, fold
from etl.records import Fetch, Page, PageKind, Post, Problem, Teaser, TermKind
from etl.urls import canonical_url

_ARCHIVE_PATH = re.compile(r"/(?P<kind>category|tag)/(?P<slug>[^/]+)(?:/page/(?P<n>\d+))?/?$")
_WP_ID = re.compile(r"post-(\d+)$")
Node = Any  # selectolax ships no type hints


def parse_fetch(fetch: Fetch) -> Page:
    """Decode a fetched body the way a browser would, then parse it."""
    content_type = next((v for k, v in fetch.headers if k.lower() == "content-type"), None)
    decoded = decode(fetch.body, content_type)
    html = decoded.text
    page = parse_page(html, fetch.url)
    found = [Problem("page.decoding", fetch.url, decoded.problem)] if decoded.problem else []
    found += damaged_records(page, decoded)  # the records that hold U+FFFD
    if fetch.status == 200 and not fetch.body.strip():
        found.append(Problem("page.empty", fetch.url, "the server answered 200 with no body", True))
    elif page.kind in ("archive", "post") and not _whole(html):
        # Cut short: the last record may be cut too, and a later fetch would win the merge.
        lost = f"{len(page.posts)} posts and {len(page.teasers)} teasers not loaded"
        detail = f"page ends before </html> (truncated?): {lost}"
        found.append(Problem("page.truncated", fetch.url, detail, True, "page", html[-200:]))
        page = replace(page, posts=(), teasers=())
    return _replace_problems(page, (*found, *page.problems)) if found else page


def _whole(html: str) -> bool:
    """A complete document has its closing html tag near the end (caches add comments after)."""
    return "</html>" in html[-4096:].lower()


def parse_page(html: str, url: str) -> Page:
    """Everything one page says: its kind, its term, where it leads, its records."""
    tree = LexborHTMLParser(html)
    problems: list[Problem] = []
    kind, term_kind, slug, number = _classify(tree, url)
    term = _term(tree) if kind == "archive" else None
    if kind == "archive" and term is None:
        problems.append(Problem("drift.no_term", url, "archive page without a term name", True))
    teasers = _teasers(tree, url, problems)
    tag = term if term_kind == "tag" else None
    posts = tuple(
        post
        for article in tree.css(sel.ARTICLE)
        if (post := _post(article, tree, url, kind, tag, problems)) is not None
    )
    if kind in ("archive", "post"):
        _unclassed(tree, url, problems)
    if kind == "archive" and not posts:
        problems.append(Problem("drift.no_posts", url, "archive page without any post", True))
    return Page(
        url,
        kind,
        term_kind,
        term,
        slug,
        number,
        _next_url(tree, url),
        teasers,
        posts,
        tuple(problems),
    )


def _unclassed(tree: Node, url: str, problems: list[Problem]) -> None:
    """Articles the record selector misses (they lost their class): named, not quietly skipped."""
    for article in tree.css(sel.ARTICLE_ANY):
        if not article.css_matches(sel.ARTICLE):
            detail = f"an article that is not {sel.ARTICLE} was skipped"
            excerpt = _excerpt(article)
            problems.append(Problem("drift.article_unclassed", url, detail, True, "post", excerpt))


def _replace_problems(page: Page, problems: tuple[Problem, ...]) -> Page:
    return replace(page, problems=problems)


def _attr(node: Node | None, name: str) -> str | None:
    """An attribute's value, None when the node or the value is missing."""
    if node is None:
        return None
    value = node.attributes.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _text(node: Node | None) -> str:
    # text() keeps the spaces between inline tags; fold() then tidies them.
    return fold(node.text(deep=True, separator="", strip=False)) if node is not None else ""


def _classify(tree: Node, url: str) -> tuple[PageKind, TermKind | None, str | None, int | None]:
    """Kind from the URL (archives) or the markup (a post page has an h1 title)."""
    path = urlsplit(url).path or "/"
    m = _ARCHIVE_PATH.search(path)
    if m is not None:
        term_kind: TermKind = "category" if m["kind"] == "category" else "tag"
        return "archive", term_kind, m["slug"], int(m["n"]) if m["n"] else 1
    if tree.css_first(sel.ARCHIVE_TITLE) is not None:
        return "archive", None, None, None  # an archive we cannot name from its URL
    article = tree.css_first(sel.ARTICLE_ANY)
    if article is not None and article.css_first(sel.POST_PAGE_TITLE) is not None:
        return "post", None, None, None
    return ("home" if path == "/" else "other"), None, None, None


def _term(tree: Node) -> str | None:
    return _text(tree.css_first(sel.ARCHIVE_TERM)) or None


def _next_url(tree: Node, url: str) -> str | None:
    # The head's rel=next first; else the "Older posts" link at the bottom.
    href = _attr(tree.css_first(sel.NEXT), "href") or _attr(tree.css_first(sel.OLDER_POSTS), "href")
    return urljoin(url, href.strip()) if href else None


def _teasers(tree: Node, url: str, problems: list[Problem]) -> tuple[Teaser, ...]:
    teasers = []
    blocks = tree.css(sel.TEASER)
    for block in blocks:
        heading, href, parts, excerpt = _teaser_parts(block.html or "")
        if parts is None or not href:
            problems.append(
                Problem(
                    "drift.teaser_without_link",
                    url,
                    "a tip-post without title link",
                    True,
                    "teaser",
                    _excerpt(block),
                )
            )
            continue
        if parts.problem:
            problems.append(
                Problem("date.impossible", url, parts.problem, False, "teaser", heading)
            )
        teasers.append(
            Teaser(_absolute(url, href), heading, parts.title, parts.date, parts.date_raw, excerpt)
        )
    if not teasers and tree.css_first(sel.MORE_LINK) is not None:
        problems.append(
            Problem(
                "drift.no_teasers", url, "page has Read more links but no teaser was found", True
            )
        )
    elif teasers and len(blocks) < (more := len(tree.css(sel.MORE_LINK))):
        # Every teaser ends in "Read more": fewer teasers than links means some were missed.
        detail = f"{more} Read more links but only {len(blocks)} teasers found"
        problems.append(Problem("drift.teasers_missing", url, detail, True))
    return tuple(teasers)


@functools.lru_cache(maxsize=256)
def _teaser_parts(block_html: str) -> tuple[str, str | None, HeadingParts | None, str]:
    """(heading, href, its parts, excerpt) of one tip-post, from its own html alone.

    Cached on that html: the latest-tips block stands unchanged on every page of a crawl, so
    its ten teasers are read once, not once per page (they were a third of parse time).
    """
    block = LexborHTMLParser(block_html).css_first(sel.TEASER_BLOCK)
    link = block.css_first(sel.TEASER_LINK) if block is not None else None
    excerpt = block.css_first(sel.TEASER_EXCERPT) if block is not None else None
    heading = _text(link)
    parts = split_heading(heading) if heading else None
    return heading, _attr(link, "href"), parts, _excerpt_text(excerpt)


def _excerpt_text(node: Node | None) -> str:
    """The teaser's words without the trailing "Read more" link text."""
    text = _text(node)
    for more in node.css(sel.MORE_LINK) if node is not None else ():
        label = _text(more)
        if label and text.endswith(label):
            text = text[: -len(label)].rstrip()
    return text


def _excerpt(node: Node) -> str:
    return (node.html or "")[:200]


def _post(
    article: Node, tree: Node, url: str, kind: PageKind, tag: str | None, problems: list[Problem]
) -> Post | None:
    """One article as a Post; None (and a drift Problem) when it has no title or URL."""
    heading, post_url = _heading_and_url(article, tree, url, kind)
    if not heading or not post_url:
        problems.append(
            Problem(
                "drift.article_without_title",
                url,
                "an article without title or URL was dropped",
                True,
                "post",
                _excerpt(article),
            )
        )
        return None
    parts = split_heading(heading)
    if parts.problem:
        problems.append(Problem("date.impossible", post_url, parts.problem, False, "post", heading))
    wp_id = _wp_id(article)
    if wp_id is None:
        problems.append(
            Problem(
                "post.no_wp_id",
                post_url,
                "article without id=post-N",
                False,
                "post",
                _excerpt(article),
            )
        )
    stamp = parse_timestamp(_attr(article.css_first(sel.TIMESTAMP), "datetime") or "")
    if stamp is None:
        problems.append(
            Problem(
                "post.no_published_at",
                post_url,
                "no time[datetime] with an offset",
                False,
                "post",
                heading,
            )
        )
    date, source = post_date(parts.date, stamp)
    content = article.css_first(sel.CONTENT)
    if content is None:  # a post without its body would overwrite a good copy in the merge
        problems.append(
            Problem(
                "drift.article_without_body",
                post_url,
                f"no {sel.CONTENT} in the article: the post was dropped",
                True,
                "post",
                _excerpt(article),
            )
        )
        return None
    html = content.inner_html or ""
    return Post(
        url=post_url,
        wp_id=wp_id,
        heading=heading,
        title=parts.title,
        date=date,
        date_raw=parts.date_raw,
        date_source=source,
        published_at=stamp.astimezone(dt.UTC) if stamp else None,
        categories=tuple(dict.fromkeys(_names(article, sel.CATEGORIES))),
        tags=tuple(sorted({*_names(article, sel.TAGS), *([tag] if tag else [])})),
        html=html,
        text=body_text(content),  # after html: it edits <br>
    )


def _heading_and_url(article: Node, tree: Node, url: str, kind: PageKind) -> tuple[str, str | None]:
    link = article.css_first(sel.TITLE_LINK)
    if link is not None:  # archive pages: the heading links to the post
        href = _attr(link, "href")
        return _text(link), _absolute(url, href) if href else None
    if kind != "post":
        return "", None
    # A post page: plain h1 title; the URL is the canonical link, else the page's own.
    href = _attr(tree.css_first(sel.CANONICAL), "href")
    return _text(article.css_first(sel.POST_PAGE_TITLE)), _absolute(url, href or url)


def _names(article: Node, selector: str) -> list[str]:
    """The link texts of the article's categories or tags, in document order."""
    return [name for a in article.css(selector) if (name := _text(a))]


def _absolute(page_url: str, href: str) -> str:
    """The canonical absolute URL of a link."""
    href = href.strip()
    if not href.startswith(("https://", "http://")):
        href = urljoin(page_url, href)
    return _canonical(href)


@functools.lru_cache(maxsize=4096)
def _canonical(url: str) -> str:
    # Cached: the same teaser links stand on every page of the site.
    return canonical_url(url)


def _wp_id(article: Node) -> int | None:
    m = _WP_ID.match(_attr(article, "id") or "")
    return int(m[1]) if m else None
