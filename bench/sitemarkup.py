"""The site's markup as string templates, copied from tests/fixtures/site/snapshot-2.

Pure: data in, HTML text out. The shell (head, header, sidebar, footer) is the same on every
page, so it is built once per site and only the parts that change are formatted per page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

SITE = "https://cssamerica.com"
NAME = "Customer Service Solutions, Inc."


def esc(text: str) -> str:
    """Escape as WordPress prints text: markup escaped, every non-ASCII character as `&#N;`."""
    return html.escape(text).encode("ascii", "xmlcharrefreplace").decode("ascii")


def texturize(heading: str) -> str:
    """WordPress' wptexturize on a heading, the part that matters here: ` - ` becomes ` – `."""
    return heading.replace(" - ", " – ")


@dataclass(frozen=True, slots=True)
class Term:
    kind: str  # "category" or "tag"
    name: str
    slug: str

    @property
    def url(self) -> str:
        return f"{SITE}/{self.kind}/{self.slug}/"

    def page_url(self, n: int) -> str:
        return self.url if n == 1 else f"{self.url}page/{n}/"


@dataclass(frozen=True, slots=True)
class Article:
    """What a post's `article` needs; the body is already HTML."""

    wp_id: int
    url: str
    heading: str  # as typed, with ` - `
    published: datetime
    categories: tuple[Term, ...]
    tags: tuple[Term, ...]
    body: str


_HEAD = """<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="canonical" href="{canonical}">
{links}<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Feed" href="{site}/feed/">
<link rel="stylesheet" href="/wp-content/themes/css/style.css" type="text/css" media="all">
</head>
<body class="{body_class}">
<div id="page" class="hfeed site">
<header id="masthead" class="site-header" role="banner">
<p class="site-title"><a href="{site}/" rel="home">{name}</a></p>
<nav id="site-navigation" class="main-navigation" role="navigation"><ul id="menu-main" class="menu"><li class="menu-item"><a href="{site}/">Home</a></li><li class="menu-item"><a href="{site}/category/customer-service-tip-of-the-week/">Tips</a></li><li class="menu-item"><a href="{site}/category/service-advice/">Business Advice</a></li><li class="menu-item"><a href="{site}/contact-us/">Contact Us</a></li><li class="menu-item"><a href="https://www.linkedin.com/company/customer-service-solutions-inc">LinkedIn</a></li></ul></nav>
</header>
<div id="main" class="wrapper">
"""  # noqa: E501

_FOOT = f"""<footer id="colophon" role="contentinfo"><div class="site-info">&copy; {NAME} | <a href="{SITE}/privacy-policy/">Privacy Policy</a></div></footer>
</div>
</body>
</html>
"""  # noqa: E501


def head(title: str, canonical: str, body_class: str, prev: str = "", next_: str = "") -> str:
    links = "".join(
        f'<link rel="{rel}" href="{href}">\n'
        for rel, href in (("prev", prev), ("next", next_))
        if href
    )
    return _HEAD.format(
        title=title, canonical=canonical, links=links, body_class=body_class, name=NAME, site=SITE
    )


def latest_tips(tips: Sequence[tuple[str, str, str]]) -> str:
    """The block of the ten newest posts: (url, heading as typed, 55-word excerpt as text)."""
    items = "".join(
        f'<div class="tip-post">\n<h3 class="tip-title"><a href="{url}">{esc(heading)}</a></h3>\n'
        f'<div class="tip-excerpt"><p>{esc(excerpt)} <a class="more-link" href="{url}">'
        f"Read more</a></p></div>\n</div>\n"
        for url, heading, excerpt in tips
    )
    return f'<div class="latest-tips">\n{items}</div>\n'


def sidebar(categories: Sequence[Term], tags: Sequence[Term], tips_block: str = "") -> str:
    cats = "".join(
        f'<li class="cat-item"><a href="{t.url}">{esc(t.name)}</a></li>' for t in categories
    )
    cloud = " ".join(f'<a href="{t.url}" class="tag-cloud-link">{esc(t.name)}</a>' for t in tags)
    return (
        '<div id="secondary" class="widget-area" role="complementary">\n'
        f"{tips_block}"
        '<aside class="widget widget_categories"><h3 class="widget-title">Categories</h3>'
        f"<ul>{cats}</ul></aside>\n"
        '<aside class="widget widget_tag_cloud"><h3 class="widget-title">Tags</h3>'
        f'<div class="tagcloud">{cloud}</div></aside>\n</div>\n</div>\n'
    )


def _clock(when: datetime) -> str:
    return f"{(when.hour - 1) % 12 + 1}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'}"


def article(a: Article, *, single: bool) -> str:
    """A post's `article`: `h1` without a link on its own page, `h2` with one in archives."""
    heading = esc(texturize(a.heading))
    classes = " ".join(
        [f"post-{a.wp_id} post type-post status-publish format-standard hentry"]
        + [f"category-{t.slug}" for t in a.categories]
        + [f"tag-{t.slug}" for t in a.tags]
    )
    if single:
        title = f'<h1 class="entry-title">{heading}</h1>'
        comments = ""
    else:
        title = f'<h2 class="entry-title"><a href="{a.url}" rel="bookmark">{heading}</a></h2>'
        comments = (
            f'<span class="comments-link"><a href="{a.url}#respond">'
            "Please leave a comment</a></span>"
        )
    cats = ", ".join(
        f'<a href="{t.url}" rel="category tag">{esc(t.name)}</a>' for t in a.categories
    )
    footer = ""
    if a.tags:
        tags = ", ".join(f'<a href="{t.url}" rel="tag">{esc(t.name)}</a>' for t in a.tags)
        footer = (
            f'<footer class="entry-footer"><span class="tags-links">Tagged {tags}</span></footer>\n'
        )
    return (
        f'<article id="post-{a.wp_id}" class="{classes}">\n<header class="entry-header">\n{title}\n'
        f'<div class="entry-meta">Posted on <a href="{a.url}" title="{_clock(a.published)}" '
        f'rel="bookmark"><time class="entry-date" datetime="{a.published.isoformat()}"></time></a>'
        f" in&nbsp;{cats} {comments}</div>\n</header>\n"
        f'<div class="entry-content">\n{a.body}</div>\n{footer}</article>\n'
    )


def paging(term: Term, n: int, last: int) -> str:
    older = f'<div class="nav-previous"><a href="{term.page_url(n + 1)}">Older posts</a></div>'
    newer = f'<div class="nav-next"><a href="{term.page_url(n - 1)}">Newer posts</a></div>'
    links = (older if n < last else "") + (newer if n > 1 else "")
    return f'<nav class="navigation paging-navigation" role="navigation"><div class="nav-links">{links}</div></nav>\n'  # noqa: E501


def archive_page(term: Term, n: int, last: int, articles: str, tips: str, side: str) -> str:
    label = "Category" if term.kind == "category" else "Tag"
    suffix = f" - Page {n}" if n > 1 else ""
    cls = f"archive {term.kind} {term.kind}-{term.slug}"
    if n > 1:
        cls += f" paged paged-{n} {term.kind}-paged-{n}"
    return (
        head(
            f"{esc(term.name)} | {NAME}{suffix}",
            term.page_url(n),
            cls,
            prev=term.page_url(n - 1) if n > 1 else "",
            next_=term.page_url(n + 1) if n < last else "",
        )
        + '<section id="primary" class="site-content"><div id="content" role="main">\n'
        + tips
        + f'<header class="archive-header"><h1 class="archive-title">{label} Archives: '
        f"<span>{esc(term.name)}</span></h1></header>\n"
        + articles
        + paging(term, n, last)
        + "</div></section>\n"
        + side
        + _FOOT
    )


def home_page(articles: str, tips: str, side: str) -> str:
    title = f"{NAME} | Customer Service Training, Research and Consulting"
    return (
        head(title, f"{SITE}/", "home blog")
        + '<section id="primary" class="site-content"><div id="content" role="main">\n'
        + tips
        + articles
        + "</div></section>\n"
        + side
        + _FOOT
    )


def post_page(a: Article, side_with_tips: str) -> str:
    return (
        head(
            f"{esc(texturize(a.heading))} | {NAME}",
            a.url,
            f"post-template-default single single-post postid-{a.wp_id} single-format-standard",
        )
        + '<section id="primary" class="site-content"><div id="content" role="main">\n'
        + article(a, single=True)
        + '<div id="comments" class="comments-area"><div id="respond" class="comment-respond">'
        '<h3 id="reply-title" class="comment-reply-title">Add a Comment</h3>'
        '<p class="must-log-in">You must be logged in to post a comment.</p></div></div>\n'
        + "</div></section>\n"
        + side_with_tips
        + _FOOT
    )


def not_found_page() -> str:
    return (
        head(f"Page not found | {NAME}", f"{SITE}/", "error404")
        + '<section id="primary" class="site-content"><div id="content" role="main">'
        '<article id="post-0" class="post error404 no-results not-found"><header '
        'class="entry-header"><h1 class="entry-title">This is somewhat embarrassing, '
        "isn&#8217;t it?</h1></header></article></div></section>\n</div>\n" + _FOOT
    )


ROBOTS = f"""User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: {SITE}/wp-sitemap.xml
"""

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def sitemap_index(names: Sequence[str]) -> str:
    maps = "".join(f"<sitemap><loc>{SITE}/{n}</loc></sitemap>" for n in names)
    return f"{_XML}<sitemapindex {_NS}>{maps}</sitemapindex>\n"


def urlset(entries: Sequence[tuple[str, str]]) -> str:
    """A sitemap of (url, lastmod or "") entries."""
    urls = "".join(
        f"<url><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
        for u, m in entries
    )
    return f"{_XML}<urlset {_NS}>{urls}</urlset>\n"
