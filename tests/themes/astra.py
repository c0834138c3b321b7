"""Astra 3.6 (a framework theme), default blog settings with the date and tags turned on.

Reproduces brainstormforce/astra (commit 9a836138, 2021-07): archive.php, single.php,
header.php, footer.php, sidebar.php, template-parts/content-blog.php (`article.ast-article-post`
with post_class and schema.org CreativeWork microdata), template-parts/blog/blog-layout.php
(`div.entry-content` holding only the excerpt: "blog-post-content" is "excerpt" by default),
template-parts/single/single-layout.php, inc/blog/blog.php (astra_get_blog_post_title_meta:
`h2.entry-title[itemprop=headline] > a[rel=bookmark]`, astra_blog_get_post_meta),
inc/blog/blog-config.php (astra_get_post_meta with " / " between items: astra_post_date prints
the date as text only, `span.published[itemprop=datePublished]`, no time element; categories and
tags as `span.cat-links` / `span.tags-links` inside `div.entry-meta`; astra_post_link, the
excerpt_more filter: " …" and `p.read-more` "Read More »" without the more-link class),
inc/blog/single-blog.php (post navigation "Previous Post" / "Next Post"),
inc/core/common-functions.php (astra_archive_page_info: `section.ast-archive-description >
h1.page-title.ast-archive-title` with the term name only), inc/markup-extras.php
(astra_number_pagination: `div.ast-pagination` around the_posts_pagination, "Next Page →").

Customizer settings changed from the defaults: the blog meta shows date, category, tag and
author (the default is comments, category, author). The latest-tips block is the core Latest
Posts block in the footer widget area; Astra's excerpt_more ends a cut excerpt. Three posts a
page.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

from typing import ClassVar

from tests.themes import page as core
from tests.themes import widgets, wp
from tests.themes.model import Post, Site
from tests.themes.render import Listing

NAME = "astra"
SIDEBAR = widgets.Sidebar('<aside id="%1$s" class="widget %2$s">', "</aside>")


def _read_more(site: Site, post: Post) -> str:
    """astra_post_link, the excerpt_more filter (raw; the_excerpt's wpautop splits it)."""
    return (
        f' &hellip;<p class="read-more"> <a class="" href="{site.url(post.path)}"> '
        f'<span class="screen-reader-text">{wp.title(post)}</span> Read More &raquo;</a></p>'
    )


def _header(view: core.View, body_class: str) -> str:
    site, o = view.site, view.site.origin
    menu = "".join(
        f'<li id="menu-item-{20 + i}" class="menu-item menu-item-type-custom menu-item-object-custom menu-item-{20 + i}"><a href="{u}" class="menu-link">{wp.esc(t)}</a></li>'
        for i, (t, u) in enumerate(site.menu)
    )
    itemtype = "WebPage" if view.post or view.missing else "Blog"
    return (
        '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="profile" href="https://gmpg.org/xfn/11">\n\n'
        + core.wp_head(
            view,
            [
                (
                    "astra-theme-css",
                    f"{o}/wp-content/themes/astra/assets/css/minified/style.min.css?ver=3.6.0",
                )
            ],
        )
        + f"</head>\n\n<body itemtype='https://schema.org/{itemtype}' itemscope='itemscope' class=\"{body_class}\">\n\n"
        '<a\n\tclass="skip-link screen-reader-text"\n\thref="#content"\n\trole="link"\n\ttitle="Skip to content">\n\t\tSkip to content</a>\n\n'
        '<div\nclass="hfeed site" id="page">\n\t\t<header\n\t\tclass="site-header header-main-layout-1 ast-primary-menu-enabled ast-logo-title-inline ast-hide-custom-menu-mobile ast-builder-menu-toggle-icon ast-mobile-header-inline" id="masthead" itemtype="https://schema.org/WPHeader" itemscope="itemscope" itemid="#masthead"\t\t>\n'
        '\t\t\t<div id="ast-desktop-header" data-toggle-type="dropdown">\n\t\t<div class="ast-main-header-wrap main-header-bar-wrap ">\n'
        '\t\t<div class="ast-primary-header-bar ast-primary-header main-header-bar site-header-focus-item" data-section="section-primary-header-builder">\n'
        '\t\t\t\t\t\t<div class="site-primary-header-wrap ast-builder-grid-row-container site-header-focus-item ast-container" data-section="section-primary-header-builder">\n'
        '\t\t\t\t<div class="ast-builder-grid-row ast-builder-grid-row-has-sides ast-builder-grid-row-no-center">\n'
        '\t\t\t\t\t\t\t\t\t<div class="site-header-primary-section-left site-header-section ast-flex site-header-section-left">\n'
        '\t\t\t\t\t\t\t\t\t\t\t<div class="ast-builder-layout-element ast-flex site-header-focus-item" data-section="title_tagline">\n'
        '\t\t\t\t\t\t\t<div\n\t\t\t\tclass="site-branding ast-site-identity" itemtype="https://schema.org/Organization" itemscope="itemscope"\t\t\t\t>\n'
        f'\t\t\t\t\t<div class="ast-site-title-wrap">\n\t\t\t\t\t\t<span class="site-title" itemprop="name">\n\t\t\t\t<a href="{o}/" rel="home" itemprop="url" >\n'
        f"\t\t\t\t\t{wp.esc(site.name)}\n\t\t\t\t</a>\n\t\t\t</span>\n"
        f'\t\t\t\t\t\t<p class="site-description" itemprop="description">\n\t\t\t\t{wp.esc(site.tagline)}\n\t\t\t</p>\n'
        "\t\t\t\t\t\t</div>\n\t\t\t\t</div>\n\t\t\t\t\t\t</div>\n\t\t\t\t\t\t\t\t\t</div>\n"
        '\t\t\t\t\t\t\t\t\t<div class="site-header-primary-section-right site-header-section ast-flex ast-grid-right-section">\n'
        '\t\t\t\t\t\t\t\t\t\t<div class="ast-builder-menu-1 ast-builder-menu ast-flex ast-builder-menu-1-focus-item ast-builder-layout-element site-header-focus-item" data-section="section-hb-menu-1">\n'
        '\t\t\t<div class="ast-main-header-bar-alignment"><div class="main-header-bar-navigation"><nav class="site-navigation ast-flex-grow-1 navigation-accessibility site-header-focus-item" id="primary-site-navigation" aria-label="Site Navigation" itemtype="https://schema.org/SiteNavigationElement" itemscope="itemscope">'
        f'<div class="main-navigation ast-inline-flex"><ul id="ast-hf-menu-1" class="main-header-menu ast-menu-shadow ast-nav-menu ast-flex  submenu-with-border stack-on-mobile">{menu}</ul></div></nav></div></div>\t\t</div>\n'
        "\t\t\t\t\t\t\t\t\t</div>\n\t\t\t\t\t\t\t\t\t\t\t\t</div>\n\t\t\t\t\t</div>\n\t\t\t\t\t\t\t\t</div>\n\t\t\t</div>\n\t\t</div>\n\t\t\t\t</header><!-- #masthead -->\n"
        '\t\t<div id="content" class="site-content">\n\t\t<div class="ast-container">\n\t\t\n\n'
    )


def _footer(site: Site) -> str:
    tips = ""
    if site.latest:
        block = widgets.latest_posts_block(site, more=lambda p: _read_more(site, p))
        tips = (
            '<div class="site-footer-primary-section-1 site-footer-section site-footer-section-1">\n'
            '\t<aside\n\t\tclass="footer-widget-area widget-area site-footer-focus-item footer-widget-area-inner" data-section="sidebar-widgets-footer-widget-1" aria-label="Footer Widget 1"\t\t>\n'
            f'\t\t\t<section id="block-7" class="widget widget_block widget_recent_entries">{block}</section>\t\t</aside>\n\t</div>\n'
        )
    return (
        "\t</div> <!-- ast-container -->\n\t</div><!-- #content -->\n"
        '<footer\nclass="site-footer" id="colophon" itemtype="https://schema.org/WPFooter" itemscope="itemscope" itemid="#colophon">\n'
        '\t\t\t<div class="site-primary-footer-wrap ast-builder-grid-row-container site-footer-focus-item ast-builder-grid-row-3-equal ast-builder-grid-row-tablet-3-equal ast-builder-grid-row-mobile-full ast-footer-row-stack ast-footer-row-tablet-stack ast-footer-row-mobile-stack" data-section="section-primary-footer-builder">\n'
        '\t\t\t<div class="ast-builder-grid-row-container-inner">\n\t\t\t\t\t<div class="ast-builder-footer-grid-columns site-primary-footer-inner-wrap ast-builder-grid-row">\n'
        f"{tips}\t\t\t\t\t</div>\n\t\t\t</div>\n\t\t</div>\n"
        '<div class="site-below-footer-wrap ast-builder-grid-row-container site-footer-focus-item ast-builder-grid-row-full ast-builder-grid-row-tablet-full ast-builder-grid-row-mobile-full ast-footer-row-stack ast-footer-row-tablet-stack ast-footer-row-mobile-stack" data-section="section-below-footer-builder">\n'
        '\t<div class="ast-builder-grid-row-container-inner">\n\t\t<div class="ast-builder-footer-grid-columns site-below-footer-inner-wrap ast-builder-grid-row">\n'
        '\t\t\t<div class="site-footer-below-section-1 site-footer-section site-footer-section-1">\n'
        '\t\t\t\t<div class="ast-builder-layout-element ast-flex site-footer-focus-item ast-footer-copyright" data-section="section-footer-builder">\n'
        f'\t\t\t\t\t<div class="ast-footer-copyright"><p>Copyright &copy; 2025 {wp.esc(site.name)} | Powered by <a href="https://wpastra.com/" rel="nofollow noopener" target="_blank">Astra WordPress Theme</a></p>\n</div>\t\t\t\t</div>\n'
        "\t\t\t</div>\n\t\t</div>\n\t</div>\n</div>\n\t</footer><!-- #colophon -->\n\t\t\t</div><!-- #page -->\n\n</body>\n</html>\n"
    )


def _sidebar(site: Site) -> str:
    return (
        '\n<div class="widget-area secondary" id="secondary" role="complementary" itemtype="https://schema.org/WPSideBar" itemscope="itemscope">\n'
        f'\t<div class="sidebar-main" >\n\t\t{widgets.categories(site, SIDEBAR)}{widgets.tag_cloud(site, SIDEBAR)}\n\t</div><!-- .sidebar-main -->\n</div><!-- #secondary -->\n\n\n'
    )


def _meta(site: Site, post: Post) -> str:
    """astra_get_post_meta( date, category, tag, author ) joined by " / "."""
    when = wp.date_text(post.published)
    parts = [
        f'<span class="posted-on"><span class="published" itemprop="datePublished"> {when}</span><span class="updated" itemprop="dateModified"> {when}</span></span>',
        f'<span class="cat-links">{wp.category_list(site, post)}</span>',
    ]
    if post.tags:
        parts.append(f'<span class="tags-links">{wp.tag_list(site, post)}</span>')
    parts.append(
        f'By <span class="posted-by vcard author" itemtype="https://schema.org/Person" itemscope="itemscope" itemprop="author">\t\t\t<a title="View all posts by admin" href="{site.url("/author/admin/")}" rel="author" class="url fn n" itemprop="url"\t\t\t\t>\n\t\t\t\t<span\n\t\t\t\tclass="author-name" itemprop="name"\t\t\t\t>admin</span>\n\t\t\t</a>\n\t\t</span>\n\n\t\t'
    )
    return '<div class="entry-meta">' + " / ".join(parts) + "</div>"


def _article(site: Site, post: Post) -> str:
    words, cut = wp.auto_excerpt(post)  # the_excerpt: 55 words, Astra's more when cut
    more = _read_more(site, post).replace("<p", "</p>\n<p", 1) if cut else "</p>"
    excerpt = f"<p>{words}{more}\n"
    return (
        f'\n<article\nclass="{wp.post_class(post)} ast-col-sm-12 ast-article-post" id="post-{post.id}" itemtype="https://schema.org/CreativeWork" itemscope="itemscope">\n'
        '\t\t<div class="ast-post-format- blog-layout-1 ast-no-thumb">\n\t<div class="post-content ast-col-md-12" >\n'
        '\t\t<div class="ast-blog-featured-section post-thumb ast-col-md-12"></div>\t\t<header class="entry-header">\n'
        f'\t\t\t<h2 class="entry-title" itemprop="headline"><a href="{site.url(post.path)}" rel="bookmark">{wp.title(post)}</a></h2>\t\t\t'
        f"{_meta(site, post)}\t\t</header><!-- .entry-header -->\n"
        f'\t\t\t\t<div class="entry-content clear" \n\t\titemprop="text"\t\t>\n\n\t\t\t{excerpt}\t\t</div><!-- .entry-content .clear -->\n'
        "\t</div><!-- .post-content -->\n</div> <!-- .blog-layout-1 -->\n\t</article><!-- #post-## -->\n"
    )


def _post_navigation(site: Site, post: Post) -> str:
    i = site.posts.index(post)
    links = ""
    if i + 1 < len(site.posts):
        links += f'<div class="nav-previous"><a href="{site.url(site.posts[i + 1].path)}" rel="prev"><span class="ast-left-arrow">&larr;</span> Previous Post</a></div>'
    if i > 0:
        links += f'<div class="nav-next"><a href="{site.url(site.posts[i - 1].path)}" rel="next">Next Post <span class="ast-right-arrow">&rarr;</span></a></div>'
    return wp.navigation_markup(links, "post-navigation", "Post navigation", "Post navigation")


_BODY = (
    "ast-desktop",
    "ast-separate-container",
    "ast-two-container",
    "ast-right-sidebar",
    "astra-3.6.0",
    "ast-blog-single-style-1",
    "ast-custom-post-type",
    "ast-inherit-site-logo-transparent",
    "ast-hfb-header",
)


class Astra:
    name = NAME
    per_page = 3
    paged_home = True
    machine_dates = False
    excerpts = True
    loop_link = "main#main article.ast-article-post h2.entry-title > a[rel=bookmark]"
    teaser_link = "footer#colophon a.wp-block-latest-posts__post-title"
    teaser_excerpt = "footer#colophon div.wp-block-latest-posts__post-excerpt"
    markers: ClassVar[dict[str, tuple[str, ...]]] = {
        "listing": (
            "section.ast-archive-description > h1.page-title.ast-archive-title",
            "div.ast-row > article.ast-article-post",
            "div.entry-meta span.published[itemprop=datePublished]",
            "div.entry-meta span.tags-links a[rel=tag]",
            "div.entry-content.clear p.read-more a",
            "div.ast-pagination nav.navigation.pagination",
        ),
        "single": (
            "article.ast-article-single h1.entry-title[itemprop=headline]",
            "nav.post-navigation a[rel=prev]",
            "footer#colophon div.wp-block-latest-posts__post-excerpt",
            "#respond h3#reply-title",
        ),
    }

    def listing(self, page: Listing) -> str:
        site, term = page.site, page.term
        body = wp.body_class(site, NAME, term=term, number=page.number, extra=_BODY)
        title = (
            ""
            if term is None
            else f'\n\t\t<section class="ast-archive-description">\n\t\t\t\t\t\t<h1 class="page-title ast-archive-title">{wp.esc(term.name)}</h1>\n\t\t\t\t\t</section>\n\n\t\t'
        )
        pagination = ""
        if page.last > 1:
            pagination = (
                "<div class='ast-pagination'>"
                + wp.posts_pagination(
                    page.number,
                    page.last,
                    page.url,
                    prev_text='<span class="ast-left-arrow">&larr;</span> Previous Page',
                    next_text='Next Page <span class="ast-right-arrow">&rarr;</span>',
                )
                + "</div>"
            )
        articles = "".join(_article(site, p) for p in page.posts)
        return (
            _header(core.View(site, term, page.number), body)
            + '\t<div id="primary" class="content-area primary">\n\n\t\t'
            + title
            + f'\n\t\t\t\t\t<main id="main" class="site-main">\n\t\t<div class="ast-row">{articles}\t\t</div>\n\t\t\t</main><!-- #main -->\n\t\t\t{pagination}\n\n\t</div><!-- #primary -->\n'
            + _sidebar(site)
            + _footer(site)
        )

    def single(self, site: Site, post: Post) -> str:
        body = wp.body_class(site, NAME, post=post, extra=_BODY)
        comments = core.comment_form(site, post, "h3", "Leave a Comment")
        return (
            _header(core.View(site, post=post), body)
            + '\t<div id="primary" class="content-area primary">\n\n\t\t\t\t\t<main id="main" class="site-main">\n\n'
            f'<article\nclass="{wp.post_class(post)} ast-article-single" id="post-{post.id}" itemtype="https://schema.org/CreativeWork" itemscope="itemscope">\n'
            '\t<div class="ast-post-format- single-layout-1 ast-no-thumb">\n\t<header class="entry-header ast-no-thumbnail">\n'
            f'\t\t<div class="ast-single-post-order"><h1 class="entry-title" itemprop="headline">{wp.title(post)}</h1>{_meta(site, post)}</div>\t</header><!-- .entry-header -->\n'
            f'\t<div class="entry-content clear" \n\t\titemprop="text"\t>\n\n\t\t{post.body}\n\t</div><!-- .entry-content .clear -->\n</div>\n</article><!-- #post-## -->\n\n'
            + _post_navigation(site, post)
            + f'\n<div id="comments" class="comments-area">\n\n{comments}</div><!-- #comments -->\n\t\t\t</main><!-- #main -->\n\t</div><!-- #primary -->\n'
            + _sidebar(site)
            + _footer(site)
        )

    def not_found(self, site: Site) -> str:
        body = wp.body_class(site, NAME, missing=True, extra=_BODY)
        return (
            _header(core.View(site, missing=True), body)
            + '\t<div id="primary" class="content-area primary">\n\t\t\t<main id="main" class="site-main">\n'
            '\t\t<section class="error-404 not-found">\n\t\t\t<div class="ast-404-layout-1" >\n\t\t<header class="page-header"><h1 class="page-title">This page doesn\'t seem to exist.</h1></header><!-- .page-header -->\n'
            f'\t\t<div class="page-content">\n\t\t\t<div class="page-sub-title">\n\t\t\t\tIt looks like the link pointing here was faulty. Maybe try searching?\t\t\t</div>\n\t\t\t<div class="ast-404-search">\n\t\t\t\t{core.search_form(site)}\t\t\t</div>\n\t\t</div><!-- .page-content -->\n\t</div>\n\t\t</section><!-- .error-404 -->\n'
            "\t\t\t</main><!-- #main -->\n\t</div><!-- #primary -->\n" + _footer(site)
        )


THEME = Astra()
