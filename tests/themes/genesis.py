"""The Genesis Framework 3.1 with its child theme Genesis Sample 3.4.

Reproduces seothemes/genesis-as-a-plugin (the Genesis Framework's code, commit 298e1f3f):
lib/structure/post.php (`article.entry`: Genesis replaces post_class's hentry by "entry";
genesis_do_post_title `h2.entry-title > a.entry-title-link[rel=bookmark]`; genesis_post_info
`p.entry-meta` in the entry header; genesis_post_meta `footer.entry-footer > p.entry-meta` with
"Filed Under:" and "Tagged With:"; genesis_numeric_posts_nav `div.archive-pagination > ul > li`,
"Next Page »"), lib/shortcodes/post.php (post_date:
`time.entry-time[itemprop=datePublished][datetime]`, post_categories, post_tags,
post_author_posts_link), lib/structure/archive.php (genesis_do_taxonomy_title_description:
`div.archive-description > h1.archive-title`, the term name as the heading under
genesis-accessibility "headings"), lib/functions/markup.php and lib/functions/schema.php
(attributes, CreativeWork microdata for the main loop only), lib/functions/widgetize.php
(`section.widget > div.widget-wrap`, `h3.widgettitle`), lib/widgets/featured-post-widget.php
(Genesis - Featured Posts: each post an `article.entry` with `h4.entry-title` and the excerpt),
lib/structure/header.php and footer.php; and studiopress/genesis-sample (commit 9772ae37):
config/child-theme-settings.php (six posts a page, full content, numeric navigation),
config/theme-supports.php, functions.php (the primary menu in the header).

The latest-tips block is the Featured Posts widget in the primary sidebar: `article` elements
carrying post_class (category slugs and all) that a naive parser reads as posts.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

from typing import ClassVar

from tests.themes import page as core
from tests.themes import widgets, wp
from tests.themes.model import Post, Site
from tests.themes.render import Listing

NAME = "genesis"
SIDEBAR = widgets.Sidebar(
    '<section id="%1$s" class="widget %2$s"><div class="widget-wrap">',
    "</div></section>\n",
    '<h3 class="widgettitle widget-title">',
    "</h3>\n",
)
_CREATIVE = 'itemscope itemtype="https://schema.org/CreativeWork"'


def _entry_class(post: Post) -> str:
    """post_class through genesis_entry_post_class: "entry" added, "hentry" removed."""
    return wp.post_class(post, hentry=False) + " entry"


def _header(view: core.View, body_class: str) -> str:
    site, o = view.site, view.site.origin
    menu = "".join(
        f'<li id="menu-item-{20 + i}" class="menu-item menu-item-type-custom menu-item-object-custom menu-item-{20 + i}"><a href="{u}" itemprop="url"><span itemprop="name">{wp.esc(t)}</span></a></li>'
        for i, (t, u) in enumerate(site.menu)
    )
    tag = "h1" if view.is_home and view.number == 1 else "p"
    styles = [("genesis-sample-css", f"{o}/wp-content/themes/genesis-sample/style.css?ver=3.4.2")]
    return (
        '<!DOCTYPE html>\n<html lang="en-US">\n<head >\n<meta charset="UTF-8" />\n<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        + core.wp_head(view, styles)
        + f'</head>\n<body class="{body_class}" itemscope itemtype="https://schema.org/WebPage">'
        '<div class="site-container"><ul class="genesis-skip-link"><li><a href="#genesis-content" class="screen-reader-shortcut"> Skip to main content</a></li>'
        '<li><a href="#genesis-sidebar-primary" class="screen-reader-shortcut"> Skip to primary sidebar</a></li><li><a href="#footer" class="screen-reader-shortcut"> Skip to footer</a></li></ul>'
        '<header class="site-header" itemscope itemtype="https://schema.org/WPHeader"><div class="wrap"><div class="title-area">'
        f'<{tag} class="site-title" itemprop="headline"><a href="{o}/">{wp.esc(site.name)}</a></{tag}><p class="site-description" itemprop="description">{wp.esc(site.tagline)}</p></div>'
        '<nav class="nav-primary" aria-label="Main" itemscope itemtype="https://schema.org/SiteNavigationElement" id="genesis-nav-primary"><div class="wrap">'
        f'<ul id="menu-main" class="menu genesis-nav-menu menu-primary js-superfish">{menu}</ul></div></nav></div></header>'
        '<div class="site-inner"><div class="content-sidebar-wrap"><main class="content" id="genesis-content">'
    )


def _featured_posts(site: Site) -> str:
    """Genesis - Featured Posts: title and excerpt ("Show Content: excerpt") of the newest ten."""
    items = ""
    for post in site.teasers:
        excerpt, cut = widgets.teaser_excerpt(post)
        items += (
            f'<article class="{_entry_class(post)}" aria-label="{wp.title_attribute(post)}"><header class="entry-header">'
            f'<h4 class="entry-title"><a href="{site.url(post.path)}">{wp.title(post)}</a></h4></header>'
            f'<div class="entry-content"><p>{excerpt}{" [&hellip;]" if cut else ""}</p>\n</div></article>'
        )
    return widgets.widget(
        SIDEBAR, "featured-post-2", "featured-content featuredpost", "Latest Tips", items
    )


def _sidebar_and_footer(site: Site) -> str:
    tips = _featured_posts(site) if site.latest else ""
    return (
        '</main><aside class="sidebar sidebar-primary widget-area" role="complementary" aria-label="Primary Sidebar" itemscope itemtype="https://schema.org/WPSideBar" id="genesis-sidebar-primary">'
        f'<h2 class="genesis-sidebar-title screen-reader-text">Primary Sidebar</h2>{tips}{widgets.categories(site, SIDEBAR)}{widgets.tag_cloud(site, SIDEBAR)}</aside></div></div>'
        '<footer class="site-footer" itemscope itemtype="https://schema.org/WPFooter"><div class="wrap"><p>Copyright &#x000A9;&nbsp;2025 &middot; '
        '<a href="https://www.studiopress.com/themes/genesis-sample/">Genesis Sample</a> on <a href="https://www.studiopress.com/">Genesis Framework</a> &middot; '
        f'<a href="https://wordpress.org/">WordPress</a> &middot; <a rel="nofollow" href="{site.url("/wp-login.php")}">Log in</a></p></div></footer></div>\n</body></html>\n'
    )


def _info(site: Site, post: Post, single: bool) -> str:
    """genesis_post_info: "[post_date] by [post_author_posts_link] [post_comments]"."""
    comments = (
        ""
        if single
        else f' <span class="entry-comments-link"><a href="{site.url(post.path)}#respond">Leave a Comment</a></span>'
    )
    return (
        f'<p class="entry-meta"><time class="entry-time" itemprop="datePublished" datetime="{wp.iso(post.published)}">{wp.date_text(post.published)}</time> '
        f'by <span class="entry-author" itemprop="author" itemscope itemtype="https://schema.org/Person"><a href="{site.url("/author/admin/")}" class="entry-author-link" rel="author" itemprop="url">'
        f'<span class="entry-author-name" itemprop="name">admin</span></a></span>{comments} </p>'
    )


def _meta(site: Site, post: Post) -> str:
    """genesis_post_meta: "[post_categories] [post_tags]"."""
    cats = f'<span class="entry-categories">Filed Under: {wp.category_list(site, post)}</span>'
    tags = wp.tag_list(site, post, '<span class="entry-tags">Tagged With: ', ", ", "</span>")
    return f'<footer class="entry-footer"><p class="entry-meta">{cats} {tags}</p></footer>'


def _article(site: Site, post: Post, single: bool) -> str:
    title = wp.title(post)
    heading = (
        f'<h1 class="entry-title" itemprop="headline">{title}</h1>\n'
        if single
        else f'<h2 class="entry-title" itemprop="headline"><a class="entry-title-link" rel="bookmark" href="{site.url(post.path)}">{title}</a></h2>\n'
    )
    return (
        f'<article class="{_entry_class(post)}" aria-label="{wp.title_attribute(post)}" {_CREATIVE}><header class="entry-header">{heading}{_info(site, post, single)}</header>'
        f'<div class="entry-content" itemprop="text">{post.body}</div>{_meta(site, post)}</article>'
    )


def _numeric_nav(page: Listing) -> str:
    """genesis_numeric_posts_nav: the current page, two either side, first, last, ellipses."""
    if page.last <= 1:
        return ""
    n, last = page.number, page.last
    links = (
        {n} | ({n - 1, n - 2} if n >= 3 else set()) | ({n + 1, n + 2} if n + 2 <= last else set())
    )
    out = []
    if page.newer:
        out.append(
            f'<li class="pagination-previous"><a href="{page.newer}" >&#x000AB; Previous Page</a></li>\n'
        )
    number = '<span class="screen-reader-text">Page </span>'
    if 1 not in links:
        out.append(f'<li><a href="{page.url(1)}">{number}1</a></li>\n')
        if 2 not in links:
            out.append('<li class="pagination-omission">&#x02026;</li>\n')
    for link in sorted(links):
        current = (
            (' class="active" ', ' aria-label="Current page" aria-current="page"')
            if link == n
            else ("", "")
        )
        out.append(
            f'<li{current[0]}><a href="{page.url(link)}"{current[1]}>{number}{link}</a></li>\n'
        )
    if last not in links:
        if last - 1 not in links:
            out.append('<li class="pagination-omission">&#x02026;</li>\n')
        out.append(f'<li><a href="{page.url(last)}">{number}{last}</a></li>\n')
    if page.older:
        out.append(
            f'<li class="pagination-next"><a href="{page.older}" >Next Page &#x000BB;</a></li>\n'
        )
    return f'<div class="archive-pagination pagination" role="navigation" aria-label="Pagination"><ul>{"".join(out)}</ul></div>'


def _body(*classes: str) -> tuple[str, ...]:
    return (
        "wp-child-theme-genesis-sample",
        "header-full-width",
        "content-sidebar",
        "genesis-breadcrumbs-hidden",
        "genesis-footer-widgets-hidden",
        *classes,
        "no-js",
    )


class Genesis:
    name = NAME
    per_page = 6
    paged_home = True
    machine_dates = True
    excerpts = False
    loop_link = (
        "main#genesis-content > article.entry h2.entry-title > a.entry-title-link[rel=bookmark]"
    )
    teaser_link = "section.featuredpost article.entry h4.entry-title > a"
    teaser_excerpt = "section.featuredpost article.entry div.entry-content"
    markers: ClassVar[dict[str, tuple[str, ...]]] = {
        "listing": (
            "div.taxonomy-archive-description > h1.archive-title",
            "main#genesis-content > article.entry[itemtype='https://schema.org/CreativeWork']",
            "p.entry-meta > time.entry-time[itemprop=datePublished][datetime]",
            "footer.entry-footer span.entry-tags a[rel=tag]",
            "div.archive-pagination li.pagination-next a",
            "aside.sidebar-primary section.featuredpost article.entry",
        ),
        "single": (
            "main#genesis-content > article.entry h1.entry-title",
            "footer.entry-footer span.entry-categories a[rel='category tag']",
            "section.featuredpost div.widget-wrap",
            "#respond",
        ),
    }

    def listing(self, page: Listing) -> str:
        site, term = page.site, page.term
        body = wp.body_class(site, NAME, term=term, number=page.number, extra=_body())
        title = (
            ""
            if term is None
            else f'<div class="archive-description taxonomy-archive-description taxonomy-description"><h1 class="archive-title">{wp.esc(term.name)}</h1>\n</div>'
        )
        articles = "".join(_article(site, p, single=False) for p in page.posts)
        return (
            _header(core.View(site, term, page.number), body)
            + title
            + articles
            + _numeric_nav(page)
            + _sidebar_and_footer(site)
        )

    def single(self, site: Site, post: Post) -> str:
        body = wp.body_class(site, NAME, post=post, extra=_body("genesis-singular-image-hidden"))
        comments = core.comment_form(site, post, "h3", "Leave a Reply")
        return (
            _header(core.View(site, post=post), body)
            + _article(site, post, single=True)
            + f'<h2 class="screen-reader-text">Reader Interactions</h2>{comments}'
            + _sidebar_and_footer(site)
        )

    def not_found(self, site: Site) -> str:
        body = wp.body_class(site, NAME, missing=True, extra=_body())
        return (
            _header(core.View(site, missing=True), body)
            + '<article class="entry"><h1 class="entry-title">Not found, error 404</h1><div class="entry-content"><p>The page you are looking for no longer exists. '
            f'Perhaps you can return back to the <a href="{site.url("/")}">homepage</a> and see if you can find what you are looking for.</p>{core.search_form(site)}</div></article>'
            + _sidebar_and_footer(site)
        )


THEME = Genesis()
