"""Twenty Twenty-One (2021), the default theme of WordPress 5.6, in WordPress 6.7.

Reproduces WordPress/twentytwentyone (the theme's development repository, commit ba9f20ca) and
WordPress/wordpress-develop, src/wp-content/themes/twentytwentyone/: header.php (`main#main`),
footer.php, template-parts/header/site-header.php, site-branding.php, site-nav.php, archive.php
(`h1.page-title` with get_the_archive_title: "Category: <span>…</span>"), index.php,
template-parts/content/content.php ("display_excerpt_or_full_post" set to full: the whole post
in archives; the title link has no rel=bookmark), content-single.php, single.php
(the_post_navigation with "Previous post"/"Next post"), template-parts/footer/footer-widgets.php
(`aside.widget-area` above the footer), inc/template-tags.php (twenty_twenty_one_posted_on
"Published <time class="entry-date published updated" datetime>", the entry footer's
"Categorized as" / "Tagged" in `div.post-taxonomies`, twenty_twenty_one_the_posts_navigation:
the_posts_pagination with "Page N" numbers and "Older posts"), inc/template-functions.php
(post_class "entry", body classes), functions.php (sidebar-1: `section.widget`).

The latest-tips block is the Recent Posts Widget Extended plugin in the footer widget area:
title links with rel=bookmark, excerpts, and a "Read More »" link glued to each excerpt. Three
posts a page.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

from typing import ClassVar

from tests.themes import page as core
from tests.themes import widgets, wp
from tests.themes.model import Post, Site
from tests.themes.render import Listing

NAME = "twentytwentyone"
SIDEBAR = widgets.Sidebar()  # section.widget, h2.widget-title
_SVG = (
    '<svg class="svg-icon" width="24" height="24" aria-hidden="true" role="img" '
    'focusable="false" viewBox="0 0 24 24" fill="none" xmlns="http://www.w3.org/2000/svg">'
    '<path fill-rule="evenodd" clip-rule="evenodd" d="{d}" fill="currentColor"/></svg>'
)
LEFT = _SVG.format(d="M20 13v-2H8l4-4-1.4-1.4L4.2 12l6.4 6.4L12 17l-4-4h12z")
RIGHT = _SVG.format(d="m4 13v-2h12l-4-4 1.4-1.4 6.4 6.4-6.4 6.4-1.4-1.4 4-4z")


def _header(view: core.View, body_class: str) -> str:
    site, o = view.site, view.site.origin
    name = wp.esc(site.name)
    if view.is_home and view.number == 1:
        title = f'<h1 class="site-title">{name}</h1>'
    elif view.is_home:
        title = f'<h1 class="site-title"><a href="{o}/">{name}</a></h1>'
    else:
        title = f'<p class="site-title"><a href="{o}/">{name}</a></p>'
    menu = "".join(
        f'<li id="menu-item-{20 + i}" class="menu-item menu-item-type-custom '
        f'menu-item-object-custom menu-item-{20 + i}"><a href="{u}">{wp.esc(t)}</a></li>'
        for i, (t, u) in enumerate(site.menu)
    )
    styles = [
        ("twenty-twenty-one-style", f"{o}/wp-content/themes/twentytwentyone/style.css?ver=2.4")
    ]
    return (
        '<!doctype html>\n<html lang="en-US" >\n<head>\n\t<meta charset="UTF-8" />\n'
        '\t<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        + core.wp_head(view, styles)
        + f'</head>\n\n<body class="{body_class}">\n<div id="page" class="site">\n'
        '\t<a class="skip-link screen-reader-text" href="#content">\n\t\tSkip to content\t</a>\n\n'
        '\n<header id="masthead" class="site-header has-title-and-tagline has-menu" role="banner">'
        f'\n\n\t\n\n<div class="site-branding">\n\n\t\n\t\t\t\t\t{title}\n\t\t\n'
        f'\t\t\t<p class="site-description">\n\t\t\t{wp.esc(site.tagline)}\t\t</p>\n'
        '\t</div><!-- .site-branding -->\n\t\n\t<nav id="site-navigation" '
        'class="primary-navigation" role="navigation" aria-label="Primary menu">\n'
        '\t\t<div class="menu-button-container">\n\t\t\t<button id="primary-mobile-menu" '
        'class="button" aria-controls="primary-menu-list" aria-expanded="false">\n'
        '\t\t\t\t<span class="dropdown-icon open">Menu\t\t\t\t</span>\n'
        '\t\t\t\t<span class="dropdown-icon close">Close\t\t\t\t</span>\n'
        "\t\t\t</button><!-- #primary-mobile-menu -->\n\t\t</div><!-- .menu-button-container -->"
        f'\n\t\t<div class="primary-menu-container"><ul id="primary-menu-list" '
        f'class="menu-wrapper">{menu}</ul></div>\t</nav><!-- #site-navigation -->\n\t\n'
        '</header><!-- #masthead -->\n\n\t<div id="content" class="site-content">\n'
        '\t\t<div id="primary" class="content-area">\n\t\t\t<main id="main" class="site-main">\n'
    )


def _footer(site: Site, view: core.View) -> str:
    tips = widgets.rpwe(site, SIDEBAR) if site.latest else ""
    name = wp.esc(site.name)
    linked = name if view.is_home and view.number == 1 else f'<a href="{site.url("/")}">{name}</a>'
    return (
        "\t\t\t</main><!-- #main -->\n\t\t</div><!-- #primary -->\n\t</div><!-- #content -->\n\n"
        f'\t\n\t<aside class="widget-area">\n\t\t{tips}{widgets.categories(site, SIDEBAR)}'
        f"{widgets.tag_cloud(site, SIDEBAR)}\t</aside><!-- .widget-area -->\n\n\n"
        '\t<footer id="colophon" class="site-footer" role="contentinfo">\n\n'
        '\t\t\t\t<div class="site-info">\n\t\t\t<div class="site-name">\n'
        f"\t\t\t\t\t\t\t\t\t\t\t\t{linked}\n\t\t\t\t\t\t\t\t\t\t\t\t\t</div><!-- .site-name -->\n"
        '\n\t\t\t\n\t\t\t<div class="powered-by">\n\t\t\t\tProudly powered by '
        '<a href="https://wordpress.org/">WordPress</a>.\t\t\t</div><!-- .powered-by -->\n\n'
        "\t\t</div><!-- .site-info -->\n\t</footer><!-- #colophon -->\n\n</div><!-- #page -->\n\n"
        "</body>\n</html>\n"
    )


def _posted_on(post: Post) -> str:
    return (
        '<span class="posted-on">Published <time class="entry-date published updated" '
        f'datetime="{wp.iso(post.published)}">{wp.date_text(post.published)}</time></span>'
    )


def _taxonomies(site: Site, post: Post) -> str:
    out = '<div class="post-taxonomies">'
    if post.categories:
        out += f'<span class="cat-links">Categorized as {wp.category_list(site, post)} </span>'
    if post.tags:
        out += f'<span class="tags-links">Tagged {wp.tag_list(site, post)}</span>'
    return out + "</div>"


def _article(site: Site, post: Post) -> str:
    """template-parts/content/content.php, outside single views."""
    return (
        f'\n<article id="post-{post.id}" class="{wp.post_class(post, hentry=True)} entry">\n'
        '\t<header class="entry-header">\n\t\t\t\t\t<h2 class="entry-title default-max-width">'
        f'<a href="{site.url(post.path)}">{wp.title(post)}</a></h2>\t\t\n\t\t\t</header>'
        '<!-- .entry-header -->\n\n\t<div class="entry-content">\n\t\t'
        f"{post.body}\t</div><!-- .entry-content -->\n\n"
        f'\t<footer class="entry-footer default-max-width">\n\t\t{_posted_on(post)}'
        f"{_taxonomies(site, post)}\t</footer><!-- .entry-footer -->\n</article><!-- #post-${{ID}} -->\n"
    )


def _pagination(page: Listing) -> str:
    """twenty_twenty_one_the_posts_navigation(): DESC order, so "Newer" goes back."""
    return wp.posts_pagination(
        page.number,
        page.last,
        page.url,
        mid_size=0,
        before_number="Page ",
        prev_text=f'{LEFT} <span class="nav-prev-text">Newer <span class="nav-short">posts</span></span>',
        next_text=f'<span class="nav-next-text">Older <span class="nav-short">posts</span></span> {RIGHT}',
    )


def _post_navigation(site: Site, post: Post) -> str:
    i = site.posts.index(post)
    links = ""
    if i + 1 < len(site.posts):
        older = site.posts[i + 1]
        links += (
            f'<div class="nav-previous"><a href="{site.url(older.path)}" rel="prev"><p '
            f'class="meta-nav">{LEFT}Previous post</p><p class="post-title">'
            f"{wp.title(older)}</p></a></div>"
        )
    if i > 0:
        newer = site.posts[i - 1]
        links += (
            f'<div class="nav-next"><a href="{site.url(newer.path)}" rel="next"><p '
            f'class="meta-nav">Next post{RIGHT}</p><p class="post-title">'
            f"{wp.title(newer)}</p></a></div>"
        )
    return wp.navigation_markup(links, "post-navigation", "Post navigation", "Posts")


class TwentyTwentyOne:
    name = NAME
    per_page = 3
    paged_home = True
    machine_dates = True
    excerpts = False
    loop_link = "main#main > article.entry h2.entry-title > a"
    teaser_link = "aside.widget-area .rpwe-block h3.rpwe-title > a"
    teaser_excerpt = "aside.widget-area .rpwe-block div.rpwe-summary"
    markers: ClassVar[dict[str, tuple[str, ...]]] = {
        "listing": (
            "header.page-header > h1.page-title > span",
            "nav.navigation.pagination .nav-links span.page-numbers.current",
            "footer.entry-footer .posted-on time.entry-date.published.updated",
            "div.post-taxonomies span.tags-links a[rel=tag]",
            "aside.widget-area section.widget",
        ),
        "single": (
            "header.entry-header.alignwide > h1.entry-title",
            "div.posted-by span.byline",
            "nav.post-navigation a[rel=prev] p.post-title",
            "#respond h2.comment-reply-title",
        ),
    }
    _extra = ("wp-embed-responsive", "is-light-theme", "no-js")

    def listing(self, page: Listing) -> str:
        site, term = page.site, page.term
        view = core.View(site, term, page.number)
        extra = (*self._extra, "hfeed", "has-main-navigation")
        body = wp.body_class(site, NAME, term=term, number=page.number, extra=extra)
        heading = ""
        if term is not None:
            heading = (
                '\n\t<header class="page-header alignwide">\n\t\t<h1 class="page-title">'
                f"{wp.archive_title(term)}</h1>\t\t\t</header><!-- .page-header -->\n\n\t"
            )
        articles = "".join(_article(site, p) for p in page.posts)
        return (
            _header(view, body)
            + heading
            + articles
            + _pagination(page)
            + "\n"
            + _footer(site, view)
        )

    def single(self, site: Site, post: Post) -> str:
        view = core.View(site, post=post)
        extra = (*self._extra, "singular", "has-main-navigation")
        body = wp.body_class(site, NAME, post=post, extra=extra)
        comments = core.comment_form(site, post, "h2", "Leave a comment")
        return (
            _header(view, body)
            + f'\n<article id="post-{post.id}" class="{wp.post_class(post)} entry">\n\n'
            '\t<header class="entry-header alignwide">\n\t\t'
            f'<h1 class="entry-title">{wp.title(post)}</h1>\t\t\t</header><!-- .entry-header -->\n\n'
            f'\t<div class="entry-content">\n\t\t{post.body}\t</div><!-- .entry-content -->\n\n'
            '\t<footer class="entry-footer default-max-width">\n\t\t<div class="posted-by">'
            f'{_posted_on(post)}<span class="byline">By <a href="{site.url("/author/admin/")}" '
            f'rel="author">admin</a></span></div>{_taxonomies(site, post)}\t</footer><!-- .entry-footer -->\n\n'
            "\t\t\t\t\n</article><!-- #post-${ID} -->\n\n"
            f'<div id="comments" class="comments-area default-max-width show-avatars">\n\n{comments}\n'
            "</div><!-- #comments -->\n" + _post_navigation(site, post) + "\n" + _footer(site, view)
        )

    def not_found(self, site: Site) -> str:
        view = core.View(site, missing=True)
        body = wp.body_class(site, NAME, missing=True, extra=(*self._extra, "hfeed"))
        return (
            _header(view, body)
            + '\n\t<header class="page-header alignwide">\n\t\t<h1 class="page-title">Nothing '
            'here</h1>\n\t</header><!-- .page-header -->\n\n\t<div class="error-404 not-found '
            'default-max-width">\n\t\t<div class="page-content">\n\t\t\t<p>It looks like nothing '
            f"was found at this location. Maybe try a search?</p>\n\t\t\t{core.search_form(site)}"
            "\n\t\t</div><!-- .page-content -->\n\t</div><!-- .error-404 -->\n\n"
            + _footer(site, view)
        )


THEME = TwentyTwentyOne()
