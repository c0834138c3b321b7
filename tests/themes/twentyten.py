"""Twenty Ten (2010), the default theme of WordPress 3.0, in WordPress 6.7.

Reproduces WordPress/wordpress-develop, src/wp-content/themes/twentyten/: header.php,
footer.php, sidebar.php, category.php and tag.php (`h1.page-title` "Category Archives:
<span>…</span>"), index.php, loop.php (posts are `div.hentry`, not articles; archives show
`div.entry-summary` excerpts of 40 words with a "Continue reading →" link; `#nav-above` and
`#nav-below` "← Older posts"), loop-single.php (previous/next post links, "This entry was
posted in … and tagged …"), comments.php, 404.php; functions.php (twentyten_posted_on: the
date only as visible text, `span.entry-date` "December 24, 2024", no time element;
twentyten_excerpt_length, twentyten_auto_excerpt_more, widget areas `li.widget-container`,
the tag cloud as a list).

The latest-tips block is the core Latest Posts block as a block widget (WordPress 5.8+) in the
primary widget area; Twenty Ten's excerpt_more filter replaces the block's own read-more link,
so a cut excerpt ends in " … Continue reading →" (no more-link class) and an uncut one in
nothing. Five posts a page.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

from typing import ClassVar

from tests.themes import page as core
from tests.themes import widgets, wp
from tests.themes.model import Post, Site
from tests.themes.render import Listing

NAME = "twentyten"
SIDEBAR = widgets.Sidebar(
    '<li id="%1$s" class="widget-container %2$s">', "</li>", '<h3 class="widget-title">', "</h3>"
)
_CONTINUE = 'Continue reading <span class="meta-nav">&rarr;</span>'


def _title(view: core.View) -> str:
    """header.php: wp_title( '|', true, 'right' ), the site name, the tagline, the page."""
    site = view.site
    if view.post is not None:
        text = f"{wp.title(view.post)} | {wp.esc(site.name)}"
    elif view.term is not None:
        text = f"{wp.esc(view.term.name)} | {wp.esc(site.name)}"
    elif view.missing:
        text = f"Page not found | {wp.esc(site.name)}"
    else:
        text = f"{wp.esc(site.name)} | {wp.esc(site.tagline)}"
    return text + (f" | Page {view.number}" if view.number > 1 else "")


def _header(view: core.View, body_class: str) -> str:
    site, o = view.site, view.site.origin
    tag = "h1" if view.is_home else "div"
    current = ' aria-current="page"' if view.is_home and view.number == 1 else ""
    menu = "".join(
        f'<li id="menu-item-{20 + i}" class="menu-item menu-item-type-custom '
        f'menu-item-object-custom menu-item-{20 + i}"><a href="{u}">{wp.esc(t)}</a></li>\n'
        for i, (t, u) in enumerate(site.menu)
    )
    style = f"{o}/wp-content/themes/twentyten/style.css"
    return (
        f'<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="UTF-8" />\n<title>\n'
        f"{_title(view)}\t</title>\n"
        '<link rel="profile" href="https://gmpg.org/xfn/11" />\n'
        f'<link rel="stylesheet" type="text/css" media="all" href="{style}?ver=20241112" />\n'
        f'<link rel="pingback" href="{o}/xmlrpc.php">\n'
        + core.wp_head(
            view,
            [("twentyten-block-style", f"{o}/wp-content/themes/twentyten/blocks.css?ver=20230627")],
            title=False,
        )
        + f'</head>\n\n<body class="{body_class}">\n'
        '<div id="wrapper" class="hfeed">\n\t<a href="#content" class="screen-reader-text '
        'skip-link">Skip to content</a>\n\t<div id="header">\n\t\t<div id="masthead">\n'
        f'\t\t\t<div id="branding" role="banner">\n\t\t\t\t\t<{tag} id="site-title">\n'
        f'\t\t\t\t\t\t<span>\n\t\t\t\t\t\t\t<a href="{o}/" rel="home"{current}>'
        f"{wp.esc(site.name)}</a>\n\t\t\t\t\t\t</span>\n\t\t\t\t\t</{tag}>\n"
        f'\t\t\t\t\t<div id="site-description">{wp.esc(site.tagline)}</div>\n'
        f'\t\t\t\t\t<img src="{o}/wp-content/themes/twentyten/images/headers/path.jpg" '
        'width="940" height="198" alt="" decoding="async" />\n'
        '\t\t\t</div><!-- #branding -->\n\n\t\t\t<div id="access" role="navigation">\n'
        f'\t\t\t\t<div class="menu-header"><ul id="menu-main" class="menu">{menu}</ul></div>'
        "\t\t\t</div><!-- #access -->\n\t\t</div><!-- #masthead -->\n\t</div><!-- #header -->"
        '\n\n\t<div id="main">\n'
    )


def _footer(site: Site) -> str:
    return (
        '\t</div><!-- #main -->\n\n\t<div id="footer" role="contentinfo">\n\t\t<div id="colophon">'
        f'\n\n\t\t\t<div id="site-info">\n\t\t\t\t<a href="{site.url("/")}" rel="home">\n'
        f"\t\t\t\t\t{wp.esc(site.name)}\t\t\t\t</a>\n\t\t\t</div><!-- #site-info -->\n\n"
        '\t\t\t<div id="site-generator">\n\t\t\t\t<a href="https://wordpress.org/" '
        'class="imprint" title="Semantic Personal Publishing Platform">\n\t\t\t\t\tProudly '
        "powered by WordPress.\t\t\t\t</a>\n\t\t\t</div><!-- #site-generator -->\n\n"
        "\t\t</div><!-- #colophon -->\n\t</div><!-- #footer -->\n\n</div><!-- #wrapper -->\n\n"
        "</body>\n</html>\n"
    )


def _sidebar(site: Site) -> str:
    def more(post: Post) -> str:  # twentyten_auto_excerpt_more, in the block's excerpt
        return f' &hellip; <a href="{site.url(post.path)}">{_CONTINUE}</a>'

    tips = ""
    if site.latest:
        block = widgets.latest_posts_block(site, more=more)
        tips = widgets.widget(SIDEBAR, "block-2", "widget_block widget_recent_entries", "", block)
    return (
        '\n\t\t<div id="primary" class="widget-area" role="complementary">\n\t\t\t<ul class="xoxo">'
        f"\n\n{tips}{widgets.categories(site, SIDEBAR, nav=False)}"
        f"{widgets.tag_cloud(site, SIDEBAR, as_list=True)}\t\t\t</ul>\n"
        "\t\t</div><!-- #primary .widget-area -->\n\n"
    )


def _posted_on(site: Site, post: Post) -> str:
    """twentyten_posted_on(): the date as text only, linked to the post."""
    return (
        '<span class="meta-prep meta-prep-author">Posted on</span> '
        f'<a href="{site.url(post.path)}" title="{wp.time_text(post.published)}" rel="bookmark">'
        f'<span class="entry-date">{wp.date_text(post.published)}</span></a> '
        '<span class="meta-sep">by</span> <span class="author vcard"><a class="url fn n" '
        f'href="{site.url("/author/admin/")}" title="View all posts by admin">admin</a></span>'
    )


def _nav(page: Listing, where: str) -> str:
    if page.last < 2:
        return ""
    older = f'<a href="{page.older}" ><span class="meta-nav">&larr;</span> Older posts</a>'
    newer = f'<a href="{page.newer}" >Newer posts <span class="meta-nav">&rarr;</span></a>'
    return (
        f'\t<div id="nav-{where}" class="navigation">\n'
        f'\t\t<div class="nav-previous">{older if page.older else ""}</div>\n'
        f'\t\t<div class="nav-next">{newer if page.newer else ""}</div>\n'
        f"\t</div><!-- #nav-{where} -->\n"
    )


def _entry(site: Site, post: Post, archive: bool) -> str:
    """loop.php, "all other posts": excerpts in archives, the content elsewhere."""
    url = site.url(post.path)
    if archive:
        words, cut = wp.auto_excerpt(post, 40)  # twentyten_excerpt_length
        more = f' &hellip; <a href="{url}">{_CONTINUE}</a>' if cut else ""
        text = f'\t\t\t<div class="entry-summary">\n\t\t\t\t<p>{words}{more}</p>\n\t\t\t</div><!-- .entry-summary -->\n'
    else:
        text = f'\t\t\t<div class="entry-content">\n\t\t\t\t{post.body}\t\t\t</div><!-- .entry-content -->\n'
    utility = ""
    if post.categories:
        utility += (
            '\t\t\t\t\t<span class="cat-links">\n\t\t\t\t\t\t<span class="entry-utility-prep '
            f'entry-utility-prep-cat-links">Posted in</span> {wp.category_list(site, post)}'
            '\t\t\t\t\t</span>\n\t\t\t\t\t<span class="meta-sep">|</span>\n'
        )
    if post.tags:
        utility += (
            '\t\t\t\t<span class="tag-links">\n\t\t\t\t\t<span class="entry-utility-prep '
            f'entry-utility-prep-tag-links">Tagged</span> {wp.tag_list(site, post)}'
            '\t\t\t\t</span>\n\t\t\t\t<span class="meta-sep">|</span>\n'
        )
    return (
        f'\t\t<div id="post-{post.id}" class="{wp.post_class(post)}">\n'
        f'\t\t\t<h2 class="entry-title"><a href="{url}" rel="bookmark">{wp.title(post)}</a></h2>\n\n'
        f'\t\t\t<div class="entry-meta">\n\t\t\t\t{_posted_on(site, post)}\t\t\t</div><!-- .entry-meta -->\n\n'
        f'{text}\n\t\t\t<div class="entry-utility">\n{utility}'
        f'\t\t\t\t<span class="comments-link"><a href="{url}#respond">Leave a comment</a></span>\n'
        "\t\t\t</div><!-- .entry-utility -->\n\t\t</div><!-- #post-## -->\n\n\t\t\n"
    )


def _adjacent(site: Site, post: Post, where: str) -> str:
    """previous_post_link / next_post_link: the older and the newer post, by title."""
    i = site.posts.index(post)
    older = site.posts[i + 1] if i + 1 < len(site.posts) else None
    newer = site.posts[i - 1] if i > 0 else None
    prev = (
        (
            f'<a href="{site.url(older.path)}" rel="prev"><span class="meta-nav">&larr;</span> '
            f"{wp.title(older)}</a>"
        )
        if older
        else ""
    )
    nxt = (
        (
            f'<a href="{site.url(newer.path)}" rel="next">{wp.title(newer)} '
            '<span class="meta-nav">&rarr;</span></a>'
        )
        if newer
        else ""
    )
    return (
        f'\t\t\t\t<div id="nav-{where}" class="navigation">\n\t\t\t\t\t<div class="nav-previous">'
        f'{prev}</div>\n\t\t\t\t\t<div class="nav-next">{nxt}</div>\n\t\t\t\t</div><!-- #nav-{where} -->\n'
    )


class TwentyTen:
    name = NAME
    per_page = 5
    paged_home = True
    machine_dates = False
    excerpts = True
    loop_link = "#content > div.hentry > h2.entry-title > a[rel=bookmark]"
    teaser_link = "#primary li.widget_block a.wp-block-latest-posts__post-title"
    teaser_excerpt = "#primary li.widget_block div.wp-block-latest-posts__post-excerpt"
    markers: ClassVar[dict[str, tuple[str, ...]]] = {
        "listing": (
            "#content > h1.page-title > span",
            "div.hentry > div.entry-summary",
            "#nav-below .nav-previous a",
            "span.tag-links a[rel=tag]",
            "div.entry-meta span.entry-date",
            "#primary ul.xoxo li.widget-container",
        ),
        "single": (
            "#content > div.hentry > h1.entry-title",
            "#nav-above a[rel=prev]",
            "div.entry-utility a[rel='category tag']",
            "#comments #respond",
        ),
    }

    def listing(self, page: Listing) -> str:
        site, term = page.site, page.term
        view = core.View(site, term, page.number)
        body = wp.body_class(site, NAME, term=term, number=page.number)
        heading = ""
        if term is not None:
            label = "Category Archives" if term.kind == "category" else "Tag Archives"
            heading = f'\t\t\t\t<h1 class="page-title">\n\t\t\t\t{label}: <span>{wp.esc(term.name)}</span>\t\t\t\t</h1>\n'
        posts = "".join(_entry(site, p, archive=term is not None) for p in page.posts)
        return (
            _header(view, body)
            + '\n\t\t<div id="container">\n\t\t\t<div id="content" role="main">\n\n'
            + heading
            + _nav(page, "above")
            + posts
            + _nav(page, "below")
            + "\t\t\t</div><!-- #content -->\n\t\t</div><!-- #container -->\n\n"
            + _sidebar(site)
            + _footer(site)
        )

    def single(self, site: Site, post: Post) -> str:
        view = core.View(site, post=post)
        posted_in = f"This entry was posted in {wp.category_list(site, post)}"
        if post.tags:
            posted_in += f" and tagged {wp.tag_list(site, post)}"
        posted_in += (
            f'. Bookmark the <a href="{site.url(post.path)}" title="Permalink to '
            f'{wp.title_attribute(post)}" rel="bookmark">permalink</a>.'
        )
        return (
            _header(view, wp.body_class(site, NAME, post=post))
            + '\n\t\t<div id="container">\n\t\t\t<div id="content" role="main">\n\n'
            + _adjacent(site, post, "above")
            + f'\n\t\t\t\t<div id="post-{post.id}" class="{wp.post_class(post)}">\n'
            f'\t\t\t\t\t<h1 class="entry-title">{wp.title(post)}</h1>\n\n'
            f'\t\t\t\t\t<div class="entry-meta">\n\t\t\t\t\t\t{_posted_on(site, post)}\t\t\t\t\t</div><!-- .entry-meta -->\n\n'
            f'\t\t\t\t\t<div class="entry-content">\n\t\t\t\t\t\t{post.body}\t\t\t\t\t</div><!-- .entry-content -->\n\n'
            f'\t\t\t\t\t\t<div class="entry-utility">\n\t\t\t\t\t\t\t{posted_in}\n'
            "\t\t\t\t\t\t</div><!-- .entry-utility -->\n\t\t\t\t\t</div><!-- #post-## -->\n\n"
            + _adjacent(site, post, "below")
            + f'\n\t\t\t\t\t\n\t\t\t<div id="comments">\n\n\n{core.comment_form(site, post)}\n</div><!-- #comments -->\n\n'
            + "\t\t\t</div><!-- #content -->\n\t\t</div><!-- #container -->\n\n"
            + _sidebar(site)
            + _footer(site)
        )

    def not_found(self, site: Site) -> str:
        view = core.View(site, missing=True)
        return (
            _header(view, wp.body_class(site, NAME, missing=True))
            + '\n\t<div id="container">\n\t\t<div id="content" role="main">\n\n'
            '\t\t\t<div id="post-0" class="post error404 not-found">\n'
            '\t\t\t\t<h1 class="entry-title">Not Found</h1>\n\t\t\t\t<div class="entry-content">\n'
            "\t\t\t\t\t<p>Apologies, but the page you requested could not be found. Perhaps "
            f"searching will help.</p>\n\t\t\t\t\t{core.search_form(site)}\n"
            "\t\t\t\t</div><!-- .entry-content -->\n\t\t\t</div><!-- #post-0 -->\n\n"
            "\t\t</div><!-- #content -->\n\t</div><!-- #container -->\n" + _footer(site)
        )


THEME = TwentyTen()
