"""Twenty Twenty-Five (2025), the block theme of WordPress 6.7, on a German-language site.

Reproduces what WordPress 6.7 renders from WordPress/twentytwentyfive (commit 4e572d00):
templates/archive.html (`main` group, core/query-title "Kategorie: <span>…</span>",
core/term-description, the pattern patterns/template-query-loop.php: core/query inherit,
core/post-template `ul.wp-block-post-template > li.wp-block-post` with post_class,
core/post-title `h2.wp-block-post-title > a` (no rel=bookmark), core/post-content
`div.entry-content .wp-block-post-content`, core/post-date `div.wp-block-post-date >
time[datetime] > a`, core/query-pagination previous / numbers / next "Nächste Seite"),
templates/home.html, templates/single.html (core/post-title h1, patterns/hidden-written-by.php
"Geschrieben von … in" + category post-terms, post-content, tag post-terms
`is-style-post-terms-1`, patterns/post-navigation.php, patterns/comments.php,
patterns/more-posts.php: a second query of the four newest posts, titles and dates, inside
`main`), templates/404.html (patterns/hidden-404.php), parts/header.html (patterns/header.php:
site-title, navigation) and parts/footer.html (patterns/footer.php).

Customised in the site editor as owners do: two core/post-terms blocks (category, post_tag;
their links carry rel="tag", categories too) under the date in the archive loop, like TT5's own
news-blog patterns; a core/latest-posts block with dates and excerpts ("Neueste Tipps") at the
top of `main` on every page. Ten posts a page, the site's language de_DE.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

from typing import ClassVar

from tests.themes import page as core
from tests.themes import widgets, wp
from tests.themes.model import Post, Site, Term
from tests.themes.render import Listing

NAME = "twentytwentyfive"
LANG = "de"
FLOW = "is-layout-flow wp-block-group-is-layout-flow"
CONSTRAINED = "has-global-padding is-layout-constrained wp-block-group-is-layout-constrained"
PAD = "padding-top:var(--wp--preset--spacing--60);padding-bottom:var(--wp--preset--spacing--60)"


def _head(view: core.View, body_class: str) -> str:
    o = view.site.origin
    styles = [
        ("wp-block-library", f"{o}/wp-includes/css/dist/block-library/style.min.css?ver=6.7.1"),
        ("twentytwentyfive-style", f"{o}/wp-content/themes/twentytwentyfive/style.css?ver=1.0"),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="de-DE">\n<head>\n\t<meta charset="UTF-8" />\n'
        '\t<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        + core.wp_head(view, styles, lang=LANG)
        + f'</head>\n\n<body class="{body_class}">\n\n<div class="wp-site-blocks">'
    )


def _header(view: core.View) -> str:
    site = view.site
    current = ' aria-current="page"' if view.is_home and view.number == 1 else ""
    items = "".join(
        f'<li class=" wp-block-navigation-item wp-block-navigation-link"><a '
        f'class="wp-block-navigation-item__content" href="{u}"><span '
        f'class="wp-block-navigation-item__label">{wp.esc(t)}</span></a></li>'
        for t, u in site.menu
    )
    return (
        f'<header class="wp-block-template-part">\n<div class="wp-block-group alignfull {FLOW}">\n'
        f'\t<div class="wp-block-group {CONSTRAINED}">\n\t\t<div class="wp-block-group alignwide '
        "is-content-justification-space-between is-nowrap is-layout-flex "
        'wp-container-core-group-is-layout-1 wp-block-group-is-layout-flex" style="padding-top:'
        'var(--wp--preset--spacing--30);padding-bottom:var(--wp--preset--spacing--30)">\n'
        f'\t\t\t<p class="wp-block-site-title"><a href="{site.url("/")}" target="_self" '
        f'rel="home"{current}>{wp.esc(site.name)}</a></p>\n\t\t\t<div class="wp-block-group '
        'is-content-justification-right is-nowrap is-layout-flex wp-block-group-is-layout-flex">'
        '\n\t\t\t\t<nav class="is-responsive items-justified-right wp-block-navigation '
        'is-horizontal is-content-justification-right is-layout-flex" aria-label="Navigation">'
        '<ul class="wp-block-navigation__container is-responsive items-justified-right '
        f'wp-block-navigation">{items}</ul></nav>\n\t\t\t</div>\n\t\t</div>\n\t</div>\n</div>\n'
        "</header>\n\n"
    )


def _footer(site: Site) -> str:
    return (
        f'\n<footer class="wp-block-template-part">\n<div class="wp-block-group {CONSTRAINED}" '
        'style="padding-top:var(--wp--preset--spacing--60);padding-bottom:var(--wp--preset--spacing--50)">'
        f'\n\t<div class="wp-block-group alignwide {FLOW}">\n\t\t<h2 class="wp-block-site-title">'
        f'<a href="{site.url("/")}" target="_self" rel="home">{wp.esc(site.name)}</a></h2>\n'
        f'\t\t<p class="wp-block-site-tagline">{wp.esc(site.tagline)}</p>\n\t\t<div class="'
        'wp-block-group alignfull is-layout-flex wp-block-group-is-layout-flex">\n\t\t\t<p '
        'class="has-small-font-size">Twenty Twenty-Five</p>\n\t\t\t<p class="has-small-font-size">'
        'Gestaltet mit <a href="https://de.wordpress.org" rel="nofollow">WordPress</a></p>\n'
        "\t\t</div>\n\t</div>\n</div>\n</footer>\n</div>\n\n</body>\n</html>\n"
    )


def _latest(site: Site) -> str:
    if not site.latest:
        return ""
    block = widgets.latest_posts_block(site, dates=True, lang=LANG)
    return (
        f'\n<div class="wp-block-group alignwide {FLOW}">\n<h2 class="wp-block-heading">'
        f"Neueste Tipps</h2>\n{block}\n</div>\n"
    )


def _terms(site: Site, terms: tuple[Term, ...], sep: str = ", ", extra: str = "") -> str:
    """core/post-terms: nothing without terms; every link rel="tag", categories too."""
    if not terms:
        return ""
    sep_html = f'<span class="wp-block-post-terms__separator">{sep}</span>'
    links = sep_html.join(wp.term_link(site, t, "tag") for t in terms)
    return f'<div class="taxonomy-{terms[0].taxonomy}{extra} wp-block-post-terms">{links}</div>'


def _date(site: Site, post: Post, extra: str = "", style: str = "") -> str:
    """core/post-date with isLink."""
    return (
        f'<div{style} class="{extra}wp-block-post-date"><time datetime="{wp.iso(post.published)}">'
        f'<a href="{site.url(post.path)}">{wp.date_text(post.published, LANG)}</a></time></div>'
    )


def _item(site: Site, post: Post) -> str:
    return (
        f'<li class="wp-block-post {wp.post_class(post)}">\n\n<div class="wp-block-group '
        f'alignfull {CONSTRAINED}" style="{PAD}">\n\n\n<h2 class="wp-block-post-title '
        f'has-x-large-font-size"><a href="{site.url(post.path)}" target="_self" >{wp.title(post)}'
        '</a></h2>\n\n<div class="entry-content alignfull wp-block-post-content has-medium-font-size '
        'has-global-padding is-layout-constrained wp-block-post-content-is-layout-constrained">'
        f"{post.body}</div>\n\n"
        + _date(
            site, post, "has-small-font-size ", ' style="margin-top:var(--wp--preset--spacing--40)"'
        )
        + f"\n\n{_terms(site, post.categories)}\n\n{_terms(site, post.tags)}\n</div>\n\n</li>"
    )


def _pagination(page: Listing) -> str:
    if page.last < 2:
        return ""
    prev = nxt = ""
    if page.newer:
        prev = (
            f'\n<a href="{page.newer}" class="wp-block-query-pagination-previous"><span '
            'class="wp-block-query-pagination-previous-arrow is-arrow-arrow" aria-hidden="true">'
            "←</span>Vorherige Seite</a>"
        )
    if page.older:
        nxt = (
            f'\n<a href="{page.older}" class="wp-block-query-pagination-next">Nächste Seite'
            '<span class="wp-block-query-pagination-next-arrow is-arrow-arrow" aria-hidden="true">'
            "→</span></a>"
        )
    numbers = "\n".join(
        wp.paginate_links(page.number, page.last, page.url, prev_text="", next_text="")[
            1 if page.newer else 0 : -1 if page.older else None
        ]
    )
    return (
        f'\n<div class="wp-block-group alignwide {CONSTRAINED}">\n<nav class="alignwide '
        "wp-block-query-pagination is-content-justification-space-between is-layout-flex "
        'wp-block-query-pagination-is-layout-flex" aria-label="Seitennummerierung">'
        f'{prev}\n<div class="wp-block-query-pagination-numbers">{numbers}</div>{nxt}\n</nav>\n</div>'
    )


def _more_posts(site: Site) -> str:
    """patterns/more-posts.php: the four newest posts, title and date."""
    items = "".join(
        f'<li class="wp-block-post {wp.post_class(p)}"><div class="wp-block-group alignfull '
        "is-content-justification-space-between is-nowrap is-layout-flex "
        'wp-block-group-is-layout-flex"><h3 class="wp-block-post-title has-large-font-size">'
        f'<a href="{site.url(p.path)}" target="_self" >{wp.title(p)}</a></h3>'
        f"{_date(site, p, 'has-text-align-right ')}</div></li>"
        for p in site.posts[:4]
    )
    return (
        f'\n<div class="wp-block-group alignwide {CONSTRAINED}" style="{PAD}">\n<h2 class='
        '"wp-block-heading alignwide has-small-font-size">Weitere Beiträge</h2>\n<div class='
        f'"wp-block-query alignwide is-layout-flow wp-block-query-is-layout-flow"><ul class='
        f'"alignfull wp-block-post-template is-layout-flow">{items}</ul></div>\n</div>\n'
    )


def _post_navigation(site: Site, post: Post) -> str:
    i = site.posts.index(post)
    links = ""
    if i + 1 < len(site.posts):
        older = site.posts[i + 1]
        links += (
            '<div class="post-navigation-link-previous wp-block-post-navigation-link"><span '
            'class="wp-block-post-navigation-link__arrow-previous is-arrow-arrow" '
            f'aria-hidden="true">←</span><a href="{site.url(older.path)}" rel="prev">'
            f"{wp.title(older)}</a></div>"
        )
    if i > 0:
        newer = site.posts[i - 1]
        links += (
            '<div class="post-navigation-link-next wp-block-post-navigation-link"><a href="'
            f'{site.url(newer.path)}" rel="next">{wp.title(newer)}</a><span class="'
            'wp-block-post-navigation-link__arrow-next is-arrow-arrow" aria-hidden="true">→'
            "</span></div>"
        )
    return (
        f'\n<div class="wp-block-group alignwide {FLOW}">\n<nav class="wp-block-group alignwide '
        "is-content-justification-space-between is-nowrap is-layout-flex "
        f'wp-block-group-is-layout-flex" aria-label="Beitragsnavigation">{links}</nav>\n</div>\n'
    )


_MAIN = (
    f'<main class="wp-block-group {CONSTRAINED}" style="margin-top:var(--wp--preset--spacing--60)">'
)


class TwentyTwentyFive:
    name = NAME
    per_page = 10
    paged_home = True
    machine_dates = True
    excerpts = False
    loop_link = "main div.wp-block-query > ul.wp-block-post-template > li.wp-block-post h2.wp-block-post-title > a"
    teaser_link = "main ul.wp-block-latest-posts__list a.wp-block-latest-posts__post-title"
    teaser_excerpt = "main div.wp-block-latest-posts__post-excerpt"
    markers: ClassVar[dict[str, tuple[str, ...]]] = {
        "listing": (
            "main > h1.wp-block-query-title > span",
            "li.wp-block-post div.wp-block-post-content",
            "div.wp-block-post-date > time[datetime] > a",
            "div.taxonomy-category.wp-block-post-terms > a[rel=tag]",
            "nav.wp-block-query-pagination a.wp-block-query-pagination-next",
            "a.wp-block-latest-posts__read-more span.screen-reader-text",
        ),
        "single": (
            "main h1.wp-block-post-title",
            "div.taxonomy-post_tag.is-style-post-terms-1",
            "div.wp-block-post-navigation-link a[rel=prev]",
            "main li.wp-block-post h3.wp-block-post-title",
        ),
    }

    def listing(self, page: Listing) -> str:
        site, term = page.site, page.term
        view = core.View(site, term, page.number)
        body = wp.body_class(
            site, NAME, term=term, number=page.number, extra=("wp-embed-responsive",)
        )
        title = ""
        if term is not None:
            title = f'\n<h1 class="wp-block-query-title">{wp.archive_title(term, LANG)}</h1>\n'
        items = "\n".join(_item(site, p) for p in page.posts)
        return (
            _head(view, body)
            + "\n\n"
            + _header(view)
            + _MAIN
            + _latest(site)
            + title
            + '\n<div class="wp-block-query alignfull is-layout-flow wp-block-query-is-layout-flow">'
            '<ul class="alignfull wp-block-post-template is-layout-flow '
            f'wp-block-post-template-is-layout-flow">{items}</ul>\n\n'
            f'<div class="wp-block-group {CONSTRAINED}" style="{PAD}">\n\t\n</div>\n'
            + _pagination(page)
            + "\n</div>\n</main>\n"
            + _footer(site)
        )

    def single(self, site: Site, post: Post) -> str:
        view = core.View(site, post=post)
        body = wp.body_class(site, NAME, post=post, extra=("wp-embed-responsive",))
        written = (
            '<div class="wp-block-group has-accent-4-color has-text-color has-link-color '
            'has-small-font-size is-nowrap is-layout-flex wp-block-group-is-layout-flex" '
            'style="margin-bottom:var(--wp--preset--spacing--60)">\n<p>Geschrieben von </p>\n'
            '<div class="wp-block-post-author-name"><a href="'
            f'{site.url("/author/admin/")}" target="_self" class="wp-block-post-author-name__link">'
            f"admin</a></div>\n<p>in</p>\n{_terms(site, post.categories)}\n</div>"
        )
        tags = _terms(site, post.tags, "  ", " is-style-post-terms-1")
        comments = core.comment_form(site, post, "h3", "Schreibe einen Kommentar", LANG)
        return (
            _head(view, body)
            + "\n\n"
            + _header(view)
            + _MAIN
            + _latest(site)
            + f'\n<div class="wp-block-group alignfull {CONSTRAINED}" style="{PAD}">\n'
            f'<h1 class="wp-block-post-title">{wp.title(post)}</h1>\n\n{written}\n\n'
            '<div class="entry-content alignfull wp-block-post-content has-global-padding '
            'is-layout-constrained wp-block-post-content-is-layout-constrained">'
            f"{post.body}</div>\n\n"
            f'<div class="wp-block-group {CONSTRAINED}" style="{PAD}">\n{tags}\n</div>\n'
            + _post_navigation(site, post)
            + '\n<div class="wp-block-comments wp-block-comments-query-loop">\n<h2 class="'
            f'wp-block-heading has-x-large-font-size">Kommentare</h2>\n{comments}</div>\n</div>\n'
            + _more_posts(site)
            + "</main>\n"
            + _footer(site)
        )

    def not_found(self, site: Site) -> str:
        view = core.View(site, missing=True)
        body = wp.body_class(site, NAME, missing=True, extra=("wp-embed-responsive",))
        return (
            _head(view, body)
            + "\n\n"
            + _header(view)
            + _MAIN
            + '\n<div class="wp-block-group has-global-padding is-layout-constrained" '
            'style="padding-right:0;padding-left:0">\n<h1 class="wp-block-heading">Seite nicht '
            "gefunden</h1>\n<p>Die Seite, die du suchst, existiert nicht oder wurde verschoben. "
            "Bitte versuche es mit einer Suche über das Formular unten.</p>\n"
            f"{core.search_form(site, 'Suche nach:')}\n</div>\n</main>\n" + _footer(site)
        )


THEME = TwentyTwentyFive()
