"""GeneratePress 3.x (a framework theme), with the Yoast SEO plugin's head.

Reproduces tomusborne/generatepress (commit e0de8deb, 2025-05): header.php, footer.php,
archive.php, index.php, single.php, content.php and content-single.php (`article` with
post_class and schema.org CreativeWork microdata, `.inside-article`,
`h2.entry-title[itemprop=headline] > a[rel=bookmark]`, `div.entry-content[itemprop=text]`),
inc/structure/archives.php (generate_archive_title: `header.page-header > h1.page-title` with
the term name only, the prefix filtered away), inc/structure/post-meta.php (`div.entry-meta`
"posted-on time.entry-date.published[datetime][itemprop=datePublished]" and byline; the footer
`footer.entry-meta` with `span.cat-links` / `span.tags-links` after an SVG icon and
screen-reader text; generate_content_nav: `nav#nav-below.paging-navigation` with "Older posts"
and the_posts_pagination's `div.nav-links`), inc/structure/header.php, footer.php,
navigation.php, inc/class-html-attributes.php, inc/theme-functions.php (microdata, title
parameters), inc/markup.php (body classes), inc/general.php (widgets
`aside.widget.inner-padding`).

Yoast SEO (v23) replaces the document title and canonical, prints `<link rel="prev">` /
`<link rel="next">` on archives (which WordPress core never does) and a JSON-LD graph
(`datePublished` in UTC on post pages). The latest-tips block is the core Latest Posts block, a
block widget in the right sidebar under a heading; GeneratePress's excerpt_more filter ends a
cut excerpt with " ... Read more" (`a.read-more`). Three posts a page.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

import datetime as dt
import html
import json
from typing import ClassVar

from tests.themes import page as core
from tests.themes import widgets, wp
from tests.themes.model import Post, Site
from tests.themes.render import Listing

NAME = "generatepress"
SIDEBAR = widgets.Sidebar('<aside id="%1$s" class="widget inner-padding %2$s">', "</aside>")
_ICON = '<span class="gp-icon icon-{0}"><svg viewBox="0 0 512 512" aria-hidden="true" xmlns="http://www.w3.org/2000/svg" width="1em" height="1em"><path d="M0 0h512v512H0z"></path></svg></span>'


def _yoast(view: core.View, last: int = 1) -> str:
    """Yoast SEO's head: title, canonical, prev/next, Open Graph, the schema graph."""
    site, url = view.site, view.url
    name = wp.esc(site.name)
    if view.post is not None:
        title = f"{wp.esc(view.post.title)} - {name}"  # Yoast prints the raw title
    elif view.term is not None:
        page = f" - Page {view.number} of {last}" if view.number > 1 else ""
        title = f"{wp.esc(view.term.name)} Archives{page} - {name}"
    else:
        title = f"{name} - {wp.esc(site.tagline)}"
    out = [
        "\t<!-- This site is optimized with the Yoast SEO plugin v23.9 - https://yoast.com/wordpress/plugins/seo/ -->",
        f"\t<title>{title}</title>",
        f'\t<link rel="canonical" href="{url}" />',
    ]
    if view.post is None and view.number > 1:
        out.append(
            f'\t<link rel="prev" href="{core.View(site, view.term, view.number - 1).url}" />'
        )
    if view.post is None and view.number < last:
        out.append(
            f'\t<link rel="next" href="{core.View(site, view.term, view.number + 1).url}" />'
        )
    out += [
        '\t<meta property="og:locale" content="en_US" />',
        f'\t<meta property="og:type" content="{"article" if view.post or view.term else "website"}" />',
        f'\t<meta property="og:title" content="{title}" />',
        f'\t<meta property="og:url" content="{url}" />',
        f'\t<meta property="og:site_name" content="{name}" />',
    ]
    graph: list[dict[str, object]] = []
    if view.post is not None:
        post, published = view.post, view.post.published.astimezone(dt.UTC).isoformat()
        out.append(f'\t<meta property="article:published_time" content="{published}" />')
        graph.append(
            {
                "@type": "Article",
                "@id": f"{url}#article",
                "isPartOf": {"@id": url},
                "headline": html.unescape(wp.title(post)),
                "datePublished": published,
                "dateModified": published,
                "mainEntityOfPage": {"@id": url},
                "keywords": [t.name for t in post.tags],
                "articleSection": [t.name for t in post.categories],
                "inLanguage": "en-US",
            }
        )
    kind = "WebPage" if view.post else "CollectionPage"
    graph.append(
        {
            "@type": kind,
            "@id": url,
            "url": url,
            "name": html.unescape(title),
            "isPartOf": {"@id": f"{site.origin}/#website"},
            "inLanguage": "en-US",
        }
    )
    graph.append(
        {
            "@type": "WebSite",
            "@id": f"{site.origin}/#website",
            "url": f"{site.origin}/",
            "name": site.name,
            "description": site.tagline,
            "inLanguage": "en-US",
        }
    )
    ld = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
    out.append(f'\t<script type="application/ld+json" class="yoast-schema-graph">{ld}</script>')
    out.append("\t<!-- / Yoast SEO plugin. -->\n\n")
    return "\n".join(out)


def _header(view: core.View, body_class: str, last: int = 1) -> str:
    site, o = view.site, view.site.origin
    tag = "h1" if view.is_home else "p"
    itemtype = "WebPage" if view.missing else "Blog"
    menu = "".join(
        f'<li id="menu-item-{20 + i}" class="menu-item menu-item-type-custom menu-item-object-custom menu-item-{20 + i}"><a href="{u}">{wp.esc(t)}</a></li>'
        for i, (t, u) in enumerate(site.menu)
    )
    head = core.wp_head(
        view,
        [
            (
                "generate-style",
                f"{o}/wp-content/themes/generatepress/assets/css/main.min.css?ver=3.5.1",
            )
        ],
        title=False,
        robots=False,
    )
    head = head.replace(f'<link rel="canonical" href="{view.url}" />\n', "")  # Yoast prints its own
    return (
        '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n\t<meta charset="UTF-8">\n'
        "\t<meta name='robots' content='index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1' />\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        + _yoast(view, last)
        + head
        + f'</head>\n\n<body class="{body_class}" itemtype="https://schema.org/{itemtype}" itemscope>\n\t'
        '<a class="screen-reader-text skip-link" href="#content" title="Skip to content">Skip to content</a>\t\t'
        '<header class="site-header" id="masthead" aria-label="Site"  itemtype="https://schema.org/WPHeader" itemscope>\n'
        '\t\t\t<div class="inside-header grid-container">\n\t\t\t\t<div class="site-branding">\n'
        f'\t\t\t\t\t\t<{tag} class="main-title" itemprop="headline">\n\t\t\t\t\t<a href="{o}/" rel="home">{wp.esc(site.name)}</a>\n'
        f'\t\t\t\t</{tag}>\n\t\t\t\t\t\t<p class="site-description" itemprop="description">{wp.esc(site.tagline)}</p>\n'
        "\t\t\t\t\t</div>\t\t\t</div>\n\t\t</header>\n\t\t"
        '<nav class="main-navigation sub-menu-right" id="site-navigation" aria-label="Primary"  itemtype="https://schema.org/SiteNavigationElement" itemscope>\n'
        '\t\t\t<div class="inside-navigation grid-container">\n\t\t\t\t<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">\n'
        '\t\t\t\t\t<span class="mobile-menu">Menu</span>\t\t\t\t</button>\n'
        f'\t\t\t\t<div id="primary-menu" class="main-nav"><ul id="menu-main" class=" menu sf-menu">{menu}</ul></div>\t\t\t</div>\n\t\t</nav>\n'
        '\t\t\n\t<div class="site grid-container container hfeed" id="page">\n\t\t\t\t<div class="site-content" id="content">\n\t\t\t\n'
    )


def _sidebar(site: Site) -> str:
    def more(post: Post) -> str:  # generate_excerpt_more, inside the block's excerpt
        attr = wp.title_attribute(post)
        return f' ... <a title="{attr}" class="read-more" href="{site.url(post.path)}" aria-label="Read more about {attr}">Read more</a>'

    tips = ""
    if site.latest:
        block = widgets.latest_posts_block(site, more=more)
        group = f'<div class="wp-block-group is-layout-flow wp-block-group-is-layout-flow"><h2 class="wp-block-heading">Latest Tips</h2>{block}</div>'
        tips = widgets.widget(SIDEBAR, "block-2", "widget_block", "", group)
    return (
        '<div class="widget-area sidebar is-right-sidebar" id="right-sidebar">\n\t<div class="inside-right-sidebar">\n\t\t'
        f"{tips}{widgets.categories(site, SIDEBAR)}{widgets.tag_cloud(site, SIDEBAR)}\t</div>\n</div>\n"
    )


def _footer(site: Site) -> str:
    return (
        '\n\t</div>\n</div>\n\n\n<div class="site-footer">\n\t\t\t'
        '<footer class="site-info" aria-label="Site"  itemtype="https://schema.org/WPFooter" itemscope>\n'
        '\t\t\t<div class="inside-site-info grid-container">\n\t\t\t\t\t\t\t\t<div class="copyright-bar">\n'
        f'\t\t\t\t\t<span class="copyright">&copy; 2025 {wp.esc(site.name)}</span> &bull; Built with <a href="https://generatepress.com" itemprop="url">GeneratePress</a>\t\t\t\t</div>\n'
        "\t\t\t</div>\n\t\t</footer>\n\t\t</div>\n\n</body>\n</html>\n"
    )


def _meta_header(site: Site, post: Post) -> str:
    return (
        '\t\t\t\t<div class="entry-meta">\n\t\t\t<span class="posted-on"><time class="entry-date published" '
        f'datetime="{wp.iso(post.published)}" itemprop="datePublished">{wp.date_text(post.published)}</time></span> '
        '<span class="byline">by <span class="author vcard" itemprop="author" itemtype="https://schema.org/Person" itemscope>'
        f'<a class="url fn n" href="{site.url("/author/admin/")}" title="View all posts by admin" rel="author" itemprop="url">'
        '<span class="author-name" itemprop="name">admin</span></a></span></span> \t\t</div>\n'
    )


def _meta_footer(site: Site, post: Post, single: bool) -> str:
    out = f'<span class="cat-links">{_ICON.format("categories")}<span class="screen-reader-text">Categories </span>{wp.category_list(site, post)}</span> '
    if post.tags:
        out += f'<span class="tags-links">{_ICON.format("tags")}<span class="screen-reader-text">Tags </span>{wp.tag_list(site, post)}</span> '
    if not single:
        out += f'<span class="comments-link">{_ICON.format("comments")}<a href="{site.url(post.path)}#respond">Leave a comment</a></span> '
    else:
        out += _post_navigation(site, post)
    return (
        f'\t\t\t\t<footer class="entry-meta" aria-label="Entry meta">\n\t\t\t{out}\t\t</footer>\n'
    )


def _post_navigation(site: Site, post: Post) -> str:
    i = site.posts.index(post)
    links = ""
    if i + 1 < len(site.posts):
        older = site.posts[i + 1]
        links += f'<div class="nav-previous">{_ICON.format("arrow-left")}<span class="prev"><a href="{site.url(older.path)}" rel="prev">{wp.title(older)}</a></span></div>'
    if i > 0:
        newer = site.posts[i - 1]
        links += f'<div class="nav-next">{_ICON.format("arrow-right")}<span class="next"><a href="{site.url(newer.path)}" rel="next">{wp.title(newer)}</a></span></div>'
    return f'\t\t<nav id="nav-below" class="post-navigation" aria-label="Posts">\n\t\t\t{links}\t\t</nav>\n\t\t'


def _article(site: Site, post: Post, single: bool) -> str:
    url = site.url(post.path)
    heading = (
        f'<h1 class="entry-title" itemprop="headline">{wp.title(post)}</h1>'
        if single
        else f'<h2 class="entry-title" itemprop="headline"><a href="{url}" rel="bookmark">{wp.title(post)}</a></h2>'
    )
    return (
        f'<article id="post-{post.id}" class="{wp.post_class(post)}" itemtype="https://schema.org/CreativeWork" itemscope>\n'
        '\t<div class="inside-article">\n\t\t\t\t\t<header class="entry-header">\n'
        f"\t\t\t\t{heading}\t\t{_meta_header(site, post)}\t\t\t</header>\n\t\t\t\n"
        f'\t\t\t<div class="entry-content" itemprop="text">\n\t\t\t\t{post.body}\t\t\t</div>\n\n'
        f"{_meta_footer(site, post, single)}\t\t\t</div>\n</article>\n"
    )


def _paging(page: Listing) -> str:
    if page.last < 2:
        return ""
    links = ""
    if page.older:
        links += f'<div class="nav-previous">{_ICON.format("arrow")}<span class="prev" title="Previous"><a href="{page.older}" >Older posts</a></span></div>'
    if page.newer:
        links += f'<div class="nav-next">{_ICON.format("arrow")}<span class="next" title="Next"><a href="{page.newer}" >Newer posts</a></span></div>'
    numbers = "\n".join(
        wp.paginate_links(
            page.number,
            page.last,
            page.url,
            mid_size=1,
            prev_text='<span aria-hidden="true">&larr;</span> Previous',
            next_text='Next <span aria-hidden="true">&rarr;</span>',
            before_number='<span class="screen-reader-text">Page</span>',
        )
    )
    return f'\t\t<nav id="nav-below" class="paging-navigation" aria-label="Archive Page">\n\t\t\t{links}<div class="nav-links">{numbers}</div>\t\t</nav>\n\t\t'


_BODY_EXTRA = (
    "right-sidebar",
    "nav-below-header",
    "separate-containers",
    "header-aligned-left",
    "dropdown-hover",
)


class GeneratePress:
    name = NAME
    per_page = 3
    paged_home = True
    machine_dates = True
    excerpts = False
    loop_link = "main#main > article.hentry h2.entry-title[itemprop=headline] > a[rel=bookmark]"
    teaser_link = "#right-sidebar a.wp-block-latest-posts__post-title"
    teaser_excerpt = "#right-sidebar div.wp-block-latest-posts__post-excerpt"
    markers: ClassVar[dict[str, tuple[str, ...]]] = {
        "listing": (
            "header.page-header > h1.page-title",
            "article[itemtype='https://schema.org/CreativeWork'] .inside-article",
            "time.entry-date.published[itemprop=datePublished]",
            "footer.entry-meta span.tags-links a[rel=tag]",
            "nav#nav-below.paging-navigation div.nav-links a.page-numbers",
            "head link[rel=next]",
            "script.yoast-schema-graph",
            "#right-sidebar aside.widget.inner-padding",
            "a.read-more",
        ),
        "single": (
            "h1.entry-title[itemprop=headline]",
            "nav#nav-below.post-navigation span.prev a[rel=prev]",
            "meta[property='article:published_time']",
            "#respond",
        ),
    }

    def listing(self, page: Listing) -> str:
        site, term = page.site, page.term
        view = core.View(site, term, page.number)
        body = wp.body_class(site, NAME, term=term, number=page.number, extra=_BODY_EXTRA)
        title = (
            ""
            if term is None
            else f'<header class="page-header" aria-label="Page">\n\t\t\t\n\t\t\t<h1 class="page-title">\n\t\t\t\t{wp.archive_title(term, prefix=False)}\t\t\t</h1>\n\n\t\t\t\t\t</header>\n\t\t'
        )
        articles = "".join(_article(site, p, single=False) for p in page.posts)
        return (
            _header(view, body, page.last)
            + '\t<div class="content-area" id="primary">\n\t\t<main class="site-main" id="main">\n\t\t\t'
            + title
            + articles
            + _paging(page)
            + "\t\t</main>\n\t</div>\n\n\t"
            + _sidebar(site)
            + _footer(site)
        )

    def single(self, site: Site, post: Post) -> str:
        view = core.View(site, post=post)
        body = wp.body_class(site, NAME, post=post, extra=_BODY_EXTRA)
        comments = core.comment_form(site, post, "h3", "Leave a Comment")
        return (
            _header(view, body)
            + '\t<div class="content-area" id="primary">\n\t\t<main class="site-main" id="main">\n\t\t\t'
            + _article(site, post, single=True)
            + f'\t\t\t<div class="comments-area">\n\t\t\t\t<div id="comments">\n\n{comments}\n\t</div><!-- #comments -->\n</div>\n\n'
            + "\t\t</main>\n\t</div>\n\n\t"
            + _sidebar(site)
            + _footer(site)
        )

    def not_found(self, site: Site) -> str:
        view = core.View(site, missing=True)
        body = wp.body_class(site, NAME, missing=True, extra=_BODY_EXTRA)
        return (
            _header(view, body)
            + '\t<div class="content-area" id="primary">\n\t\t<main class="site-main" id="main">\n\t\t\t'
            '<div class="inside-article">\n\t\t\t<header class="entry-header">\n\t\t\t\t<h1 class="entry-title" itemprop="headline">Oops! That page can&rsquo;t be found.</h1>\n\t\t\t</header>\n'
            f'\t\t\t<div class="entry-content" itemprop="text">\n\t\t\t\t<p>It looks like nothing was found at this location. Maybe try searching?</p>{core.search_form(site)}\t\t\t</div>\n\t\t</div>\n'
            "\t\t</main>\n\t</div>\n\n\t" + _sidebar(site) + _footer(site)
        )


THEME = GeneratePress()
