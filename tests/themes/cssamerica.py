"""The cssamerica blog of tests/fixtures/site/snapshot-2 as a `Site`, read once (cached).

Read from the snapshot's own pages (post order from the posts sitemap; id, heading, timestamp,
terms and body HTML from each post page; term names from the sidebar) and from the contract's
expected records (each post's `text`, the teasers' raw headings and excerpts). Nothing here is
a second copy of that data.

Raw titles: the latest-tips block prints the ten newest as typed (`… - 1/21/25`); for the other
posts only WordPress' texturized heading is known (`… – 6/25/13`), which is a fixed point of
wptexturize, so every theme prints it the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from tests.themes.model import Post, Site, Term

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "site"
SNAPSHOT = FIXTURES / "snapshot-2"
EXPECTED = FIXTURES / "expected" / "snapshot-2"
ORIGIN = "https://cssamerica.com"
NAME = "Customer Service Solutions, Inc."
TAGLINE = "Customer Service Training, Research and Consulting"
_BODY = re.compile(
    r'<div class="entry-content">\n(.*)</div>\n(?:<footer class="entry-footer">.*?</footer>\n)?'
    r"</article>",
    re.S,
)
_LOC = re.compile(r"<loc>([^<]+)</loc>")
Node = Any  # selectolax ships no type hints


def _page(url: str) -> str:
    rel = url.removeprefix(ORIGIN).strip("/")
    return (SNAPSHOT / rel / "index.html").read_text(encoding="utf-8")


def _slug(href: str | None) -> str:
    return (href or "").rstrip("/").rsplit("/", 1)[-1]


def _terms(home: LexborHTMLParser) -> tuple[tuple[Term, ...], tuple[Term, ...]]:
    """Every category (sidebar order: by slug) and tag (by name), with stable ids."""
    cats = [(a.text(), _slug(a.attributes["href"])) for a in home.css(".widget_categories a")]
    tags = [(a.text(), _slug(a.attributes["href"])) for a in home.css(".tagcloud a")]
    # WordPress numbers terms in one sequence; 1 is "Uncategorized", which this blog hides.
    categories = tuple(Term("category", 2 + i, n, s) for i, (n, s) in enumerate(cats))
    first_tag = 2 + len(categories)
    return categories, tuple(Term("tag", first_tag + i, n, s) for i, (n, s) in enumerate(tags))


def _post(url: str, by_slug: dict[str, Term], facts: dict[str, Any], raw: str | None) -> Post:
    page = _page(url)
    article: Node = LexborHTMLParser(page).css_first("article")
    stamp = article.css_first("time.entry-date").attributes["datetime"]
    meta = article.css(".entry-meta a[rel='category tag']")
    cats = [by_slug["category/" + _slug(a.attributes["href"])] for a in meta]
    tags = [by_slug["tag/" + _slug(a.attributes["href"])] for a in article.css(".tags-links a")]
    body = _BODY.search(page)
    assert body is not None, f"{url}: no entry-content"
    heading = html.unescape(article.css_first("h1.entry-title").text())
    return Post(
        id=int(article.id.removeprefix("post-")),
        slug=url.removeprefix(ORIGIN).strip("/"),
        title=raw if raw is not None else heading,
        published=dt.datetime.fromisoformat(stamp),
        categories=tuple(cats),
        tags=tuple(tags),
        body=body.group(1),
        text=facts["text"],
    )


def _json(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((EXPECTED / f"{name}.json").read_text("utf-8"))
    return data


@functools.cache
def load() -> Site:
    """The snapshot-2 blog: 65 posts, 6 categories, 4 tags, a 10-teaser latest-tips block."""
    home = LexborHTMLParser((SNAPSHOT / "index.html").read_text(encoding="utf-8"))
    categories, tags = _terms(home)
    by_slug = {f"{t.kind}/{t.slug}": t for t in categories + tags}
    facts = {p["url"]: p for p in _json("posts")}
    teasers = {t["url"]: t for t in _json("teasers")}
    order = _LOC.findall((SNAPSHOT / "wp-sitemap-posts-post-1.xml").read_text(encoding="utf-8"))
    posts = []
    for url in order:
        teaser = teasers.get(url)
        post = _post(url, by_slug, facts[url], teaser["heading"] if teaser else None)
        if teaser:
            post = _with_excerpt(post, teaser["excerpt"])
        posts.append(post)
    menu = tuple((a.text(), a.attributes["href"] or "") for a in home.css("#menu-main a"))
    return Site(
        key="cssamerica",
        origin=ORIGIN,
        name=NAME,
        tagline=TAGLINE,
        posts=tuple(posts),
        categories=categories,
        tags=tags,
        latest=len(teasers),
        menu=menu,
    )


def _with_excerpt(post: Post, excerpt: str) -> Post:
    from dataclasses import replace

    return replace(post, excerpt=excerpt)
