"""The contract theme: the reconstructed markup of docs/CONTRACT.md and tests/fixtures/site.

Not a public theme: the one the snapshots were rendered in (bench/sitemarkup.py holds the same
templates for the benchmark generator). Rendering the cssamerica model in it reproduces
tests/fixtures/site/snapshot-2 byte for byte; tests/test_themes.py checks that.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import ClassVar

from tests.themes import wp
from tests.themes.model import Post, Site, Term
from tests.themes.render import Listing


def _esc(text: str) -> str:
    """This site's escaping: markup escaped, every non-ASCII character as `&#N;`."""
    return html.escape(text).encode("ascii", "xmlcharrefreplace").decode("ascii")


def _heading(post: Post) -> str:
    """the_title(): wptexturize'd (` - ` -> ` – `), then this site's escaping."""
    return _esc(html.unescape(wp.title(post)))


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
<nav id="site-navigation" class="main-navigation" role="navigation"><ul id="menu-main" class="menu">{menu}</ul></nav>
</header>
<div id="main" class="wrapper">
"""
_FOOT = """<footer id="colophon" role="contentinfo"><div class="site-info">&copy; {name} | <a href="{site}/privacy-policy/">Privacy Policy</a></div></footer>
</div>
</body>
</html>
"""
_PRIMARY = '<section id="primary" class="site-content"><div id="content" role="main">'


def _head(site: Site, title: str, canonical: str, body: str, prev: str = "", nxt: str = "") -> str:
    links = "".join(
        f'<link rel="{rel}" href="{href}">\n'
        for rel, href in (("prev", prev), ("next", nxt))
        if href
    )
    menu = "".join(f'<li class="menu-item"><a href="{u}">{_esc(t)}</a></li>' for t, u in site.menu)
    return _HEAD.format(
        title=title,
        canonical=canonical,
        links=links,
        body_class=body,
        name=_esc(site.name),
        site=site.origin,
        menu=menu,
    )


def _foot(site: Site) -> str:
    return _FOOT.format(name=_esc(site.name), site=site.origin)


def _tips(site: Site) -> str:
    if not site.latest:
        return ""
    items = "".join(
        f'<div class="tip-post">\n<h3 class="tip-title"><a href="{site.url(p.path)}">'
        f"{_esc(p.title)}</a></h3>\n"
        f'<div class="tip-excerpt"><p>{_esc(p.excerpt)} <a class="more-link" '
        f'href="{site.url(p.path)}">Read more</a></p></div>\n</div>\n'
        for p in site.teasers
    )
    return f'<div class="latest-tips">\n{items}</div>\n'


def _sidebar(site: Site, tips: str = "") -> str:
    def link(t: Term) -> str:
        return f'<a href="{site.url(t.path)}">{_esc(t.name)}</a>'

    cats = "".join(f'<li class="cat-item">{link(t)}</li>' for t in site.categories)
    cloud = " ".join(
        f'<a href="{site.url(t.path)}" class="tag-cloud-link">{_esc(t.name)}</a>' for t in site.tags
    )
    return (
        '<div id="secondary" class="widget-area" role="complementary">\n'
        f"{tips}"
        '<aside class="widget widget_categories"><h3 class="widget-title">Categories</h3>'
        f"<ul>{cats}</ul></aside>\n"
        '<aside class="widget widget_tag_cloud"><h3 class="widget-title">Tags</h3>'
        f'<div class="tagcloud">{cloud}</div></aside>\n</div>\n</div>\n'
    )


def _clock(post: Post) -> str:
    when = post.published
    return f"{(when.hour - 1) % 12 + 1}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'}"


def _terms(site: Site, terms: Sequence[Term], rel: str) -> str:
    return ", ".join(f'<a href="{site.url(t.path)}" rel="{rel}">{_esc(t.name)}</a>' for t in terms)


def article(site: Site, post: Post, *, single: bool) -> str:
    """A post's `article`: `h1` without a link on its own page, `h2` with one in archives."""
    url = site.url(post.path)
    classes = " ".join(
        [f"post-{post.id} post type-post status-publish format-standard hentry"]
        + [f"category-{t.slug}" for t in post.categories]
        + [f"tag-{t.slug}" for t in post.tags]
    )
    if single:
        title, comments = f'<h1 class="entry-title">{_heading(post)}</h1>', ""
    else:
        title = f'<h2 class="entry-title"><a href="{url}" rel="bookmark">{_heading(post)}</a></h2>'
        comments = (
            f'<span class="comments-link"><a href="{url}#respond">Please leave a comment</a></span>'
        )
    footer = ""
    if post.tags:
        tags = _terms(site, post.tags, "tag")
        footer = f'<footer class="entry-footer"><span class="tags-links">Tagged {tags}</span>'
        footer += "</footer>\n"
    return (
        f'<article id="post-{post.id}" class="{classes}">\n<header class="entry-header">\n{title}\n'
        f'<div class="entry-meta">Posted on <a href="{url}" title="{_clock(post)}" rel="bookmark">'
        f'<time class="entry-date" datetime="{post.published.isoformat()}"></time></a>'
        f" in&nbsp;{_terms(site, post.categories, 'category tag')} {comments}</div>\n</header>\n"
        f'<div class="entry-content">\n{post.body}</div>\n{footer}</article>\n'
    )


def _paging(page: Listing) -> str:
    older = f'<div class="nav-previous"><a href="{page.older}">Older posts</a></div>'
    newer = f'<div class="nav-next"><a href="{page.newer}">Newer posts</a></div>'
    links = (older if page.older else "") + (newer if page.newer else "")
    return f'<nav class="navigation paging-navigation" role="navigation"><div class="nav-links">{links}</div></nav>\n'


class Contract:
    name = "contract"
    per_page = 3
    paged_home = False  # the snapshots' home page has no pagination
    machine_dates = True
    excerpts = False
    loop_link = "article.hentry .entry-title a[rel=bookmark]"
    teaser_link = "div.latest-tips h3.tip-title > a"
    teaser_excerpt = "div.latest-tips div.tip-excerpt"
    markers: ClassVar[dict[str, tuple[str, ...]]] = {
        "listing": ("h1.archive-title > span", "nav.paging-navigation", "footer .tags-links"),
        "single": ("h1.entry-title", "#secondary div.latest-tips", "#reply-title"),
    }

    def listing(self, page: Listing) -> str:
        site, term, n = page.site, page.term, page.number
        articles = "".join(article(site, p, single=False) for p in page.posts)
        if term is None:
            title = f"{_esc(site.name)} | {_esc(site.tagline)}"
            return (
                _head(site, title, site.url("/"), "home blog")
                + _PRIMARY
                + "\n"
                + _tips(site)
                + articles
                + "</div></section>\n"
                + _sidebar(site)
                + _foot(site)
            )
        label = "Category" if term.kind == "category" else "Tag"
        suffix = f" - Page {n}" if n > 1 else ""
        cls = f"archive {term.kind} {term.kind}-{term.slug}"
        if n > 1:
            cls += f" paged paged-{n} {term.kind}-paged-{n}"
        title = f"{_esc(term.name)} | {_esc(site.name)}{suffix}"
        head = _head(site, title, page.url(), cls, page.newer or "", page.older or "")
        return (
            head
            + _PRIMARY
            + "\n"
            + _tips(site)
            + f'<header class="archive-header"><h1 class="archive-title">{label} Archives: '
            f"<span>{_esc(term.name)}</span></h1></header>\n"
            + articles
            + _paging(page)
            + "</div></section>\n"
            + _sidebar(site)
            + _foot(site)
        )

    def single(self, site: Site, post: Post) -> str:
        body = f"post-template-default single single-post postid-{post.id} single-format-standard"
        return (
            _head(site, f"{_heading(post)} | {_esc(site.name)}", site.url(post.path), body)
            + _PRIMARY
            + "\n"
            + article(site, post, single=True)
            + '<div id="comments" class="comments-area"><div id="respond" class="comment-respond">'
            '<h3 id="reply-title" class="comment-reply-title">Add a Comment</h3>'
            '<p class="must-log-in">You must be logged in to post a comment.</p></div></div>\n'
            + "</div></section>\n"
            + _sidebar(site, _tips(site))
            + _foot(site)
        )

    def not_found(self, site: Site) -> str:
        return (
            _head(site, f"Page not found | {_esc(site.name)}", site.url("/"), "error404")
            + _PRIMARY
            + '<article id="post-0" class="post error404 no-results not-found">'
            '<header class="entry-header"><h1 class="entry-title">This is somewhat embarrassing, '
            "isn&#8217;t it?</h1></header></article></div></section>\n</div>\n" + _foot(site)
        )


THEME = Contract()
