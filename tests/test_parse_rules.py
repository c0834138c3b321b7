"""Each rule on small pages of real themes' markup: what WordPress core prints whatever the
theme, the forms themes print it in, other languages, and the fallbacks.

Markup follows the themes' template files: core's get_the_archive_title(), paginate_links()
and the_posts_navigation() (wp-includes/general-template.php, link-template.php), Twenty
Twenty's archive title, GeneratePress' post-meta.php (an updated time before the published
one), Astra (visible dates in itemprop spans), block themes (Query Loop, post-terms with
rel="tag" for categories), the core Latest Posts block, Genesis' Featured Posts widget.
"""

from __future__ import annotations

import datetime as dt

import pytest

from etl.parse.page import parse_page
from etl.parse.profile import Profile
from etl.records import rule_of

SITE = "https://blog.example.org"
ARCHIVE = f"{SITE}/category/news/"
TIME = '<time class="entry-date published" datetime="2026-02-03T10:00:00+01:00">3.2.2026</time>'


def article(
    n: int,
    *,
    title: str | None = None,
    date: str = TIME,
    terms: str = "",
    body: str = "<p>The words of the post, in a paragraph of their own.</p>",
    cls: str = "post type-post hentry category-news",
    tag: str = "article",
) -> str:
    title = title or f"Post number {n}"
    link = f'<a href="{SITE}/post-{n}/" rel="bookmark">{title}</a>'
    return (
        f'<{tag} id="post-{n}" class="post-{n} {cls}"><header class="entry-header">'
        f'<h2 class="entry-title">{link}</h2><div class="entry-meta">{date}</div></header>'
        f'<div class="entry-content">{body}</div><footer class="entry-footer">{terms}</footer>'
        f"</{tag}>"
    )


def page(
    main: str,
    *,
    title: str = '<h1 class="page-title">Category: <span>Club News</span></h1>',
    head: str = "",
    aside: str = "",
    lang: str = "en-US",
    body: str = "archive category category-news category-4",
) -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="UTF-8">'
        f"<title>Club News &#8211; Northfield Garden</title>{head}</head>"
        f'<body class="{body}"><div id="page"><main id="main" class="site-main">'
        f'<header class="page-header">{title}</header>{main}</main>'
        f'<aside id="secondary" class="widget-area">{aside}</aside></div></body></html>'
    )


def parse(html: str, url: str = ARCHIVE, profile: Profile | None = None):  # type: ignore[no-untyped-def]
    return parse_page(html, url, profile)


# -- the archive's term name -----------------------------------------------------------------

NEWS_LINK = f'<a href="{SITE}/category/news/" rel="category tag">Club News</a>'


@pytest.mark.parametrize(
    "title",
    [
        '<h1 class="page-title">Category: <span>Club News</span></h1>',  # core since 5.5
        '<h1 class="archive-title">Category Archives: <span>Club News</span></h1>',  # 2010-2014
        '<h1 class="archive-title"><span class="color-accent">Category:</span> <span>Club News'
        "</span></h1>",  # Twenty Twenty
        '<h1 class="archive-title"><span class="color-accent">Kategorie:</span> Club News</h1>',
        '<h1 class="page-title">Catégorie&nbsp;: Club News</h1>',  # a prefix in French
        '<h1 class="page-title">Club News</h1>',  # the prefix filtered away
        '<h1 class="wp-block-query-title">Kategorie: <span>Club News</span></h1>',
        '<h1 class="page-title">Archive for Club News</h1>',  # the term's links say which words
    ],
)
def test_the_term_name_from_the_archive_title_in_its_forms(title: str) -> None:
    html = page(article(1, terms=NEWS_LINK), title=title)
    assert parse(html).term == "Club News"


def test_the_term_name_from_the_document_title_then_from_a_link_never_from_a_slug() -> None:
    # No archive title: <title> "Club News – Site"; then the term's links; the slug is "news".
    assert parse(page(article(1), title="")).term == "Club News"
    no_title = page(article(1, terms=NEWS_LINK), title="").replace(
        "<title>Club News &#8211; Northfield Garden</title>", ""
    )
    page_ = parse(no_title)
    assert (page_.term, rule_of(page_, "term")) == ("Club News", "term_link")
    nothing = parse(page(article(1), title="").replace("<title>Club News &#8211; ", "<title>"))
    assert nothing.term != "news"


# -- pagination ------------------------------------------------------------------------------


def numbered(current: int, last: int, base: str = ARCHIVE, words: str = "Weiter") -> str:
    """paginate_links() as the_posts_pagination() prints it (mid_size 1)."""
    links = []
    for n in range(1, last + 1):
        url = base if n == 1 else f"{base}page/{n}/"
        if n == current:
            links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        elif n in (1, last) or abs(n - current) <= 1:
            links.append(f'<a class="page-numbers" href="{url}">{n}</a>')
    if current < last:
        links.append(f'<a class="next page-numbers" href="{base}page/{current + 1}/">{words}</a>')
    return f'<nav class="navigation pagination"><div class="nav-links">{"".join(links)}</div></nav>'


def test_numbered_pagination_gives_the_next_and_the_last_page_in_any_language() -> None:
    first = parse(page(article(1) + numbered(1, 14)))
    assert (first.next_url, first.last_page, first.shows_pagination) == (
        f"{ARCHIVE}page/2/",
        14,
        True,
    )
    middle = parse(page(article(1) + numbered(6, 14, words="Nächste")), f"{ARCHIVE}page/6/")
    assert (middle.page, middle.next_url, middle.last_page) == (6, f"{ARCHIVE}page/7/", 14)
    last = parse(page(article(1) + numbered(14, 14)), f"{ARCHIVE}page/14/")
    assert (last.next_url, last.last_page, last.shows_pagination) == (None, 14, True)


def test_older_posts_links_rel_next_and_query_loops() -> None:
    older = (
        '<nav class="navigation posts-navigation"><div class="nav-links"><div class="nav-previous">'
    )
    older += f'<a href="{ARCHIVE}page/2/">Ältere Beiträge</a></div></div></nav>'
    assert parse(page(article(1) + older)).next_url == f"{ARCHIVE}page/2/"
    head = f'<link rel="next" href="{ARCHIVE}page/2/">'
    found = parse(page(article(1), head=head))
    assert (found.next_url, rule_of(found, "next")) == (f"{ARCHIVE}page/2/", "link_rel_next")
    plain = f'<div class="nav-previous"><a href="{SITE}/?cat=4&amp;paged=2">Older</a></div>'
    assert parse(page(article(1) + plain), f"{SITE}/?cat=4").next_url == f"{SITE}/?cat=4&paged=2"
    query = '<nav class="wp-block-query-pagination"><a class="wp-block-query-pagination-next" '
    query += f'href="{ARCHIVE}?query-1-page=2">Next Page</a></nav>'
    assert parse(page(article(1) + query)).next_url == f"{ARCHIVE}?query-1-page=2"
    # Links to another archive's pages, or to the newer page, are not the next page.
    other = f'<nav><a href="{SITE}/tag/bees/page/2/">2</a><a href="{SITE}/">Home</a></nav>'
    assert parse(page(article(1) + other), f"{ARCHIVE}page/2/").next_url is None


def test_a_page_without_pagination_says_so() -> None:
    alone = parse(page(article(1)))
    assert (alone.next_url, alone.last_page, alone.shows_pagination) == (None, None, False)
    newer_only = f'<div class="nav-next"><a href="{ARCHIVE}page/2/">Newer posts</a></div>'
    last = parse(page(article(1) + newer_only), f"{ARCHIVE}page/3/")
    assert (last.next_url, last.shows_pagination) == (None, True)  # the end, not unknown


def test_a_next_control_without_a_url_is_drift() -> None:
    broken = '<div class="nav-links"><a class="next page-numbers">Next</a></div>'
    assert [p.code for p in parse(page(article(1) + broken)).drift] == ["drift.next_unread"]


# -- dates -----------------------------------------------------------------------------------


def test_the_published_time_not_the_updated_one() -> None:
    # GeneratePress prints the updated time first when a post was edited.
    date = (
        '<time class="updated" datetime="2026-03-01T09:00:00+01:00">1.3.2026</time>'
        '<time class="entry-date published" datetime="2026-02-03T10:00:00+01:00">3.2.2026</time>'
    )
    (post,) = parse(page(article(1, date=date))).posts
    assert post.published_at == dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.UTC)
    assert (post.date, post.date_source) == (dt.date(2026, 2, 3), "published")


@pytest.mark.parametrize(
    ("date", "lang", "rule"),
    [
        ('<span class="entry-date">February 3, 2026</span>', "en-US", "visible_date"),
        (
            '<span class="posted-on"><span class="published" itemprop="datePublished"> 3. Februar '
            "2026</span></span>",
            "de-DE",
            "visible_date",
        ),
        ('<meta itemprop="datePublished" content="2026-02-03T10:00:00+01:00">', "en", "microdata"),
        ('<abbr class="published" title="2026-02-03T10:00:00+01:00">Feb 3</abbr>', "en", None),
    ],
)
def test_dates_machine_readable_or_as_shown(date: str, lang: str, rule: str | None) -> None:
    (post,) = parse(page(article(1, date=date), lang=lang)).posts
    assert post.date == dt.date(2026, 2, 3)
    assert rule_of(post, "published_date") == (rule or "abbr_published")


def test_a_post_page_takes_its_time_from_json_ld() -> None:
    ld = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":'
        '"WebPage","datePublished":"2026-02-03T10:00:00+01:00"},{"@type":"Article",'
        '"headline":"Post","datePublished":"2026-02-03T10:00:00+01:00"}]}</script>'
    )
    single = article(1, date="").replace('<h2 class="entry-title"><a', '<h1 class="entry-title"><a')
    html = page(single, head=ld, title="", body="single single-post postid-1")
    (post,) = parse(html, f"{SITE}/post-1/").posts
    assert post.published_at == dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.UTC)
    assert rule_of(post, "published_at") == "json_ld"


def test_heading_dates_are_a_site_rule() -> None:
    html = page(article(1, title="Plot report &#8211; 3/4/25"))
    (on,) = parse(html).posts
    assert (on.title, on.date, on.date_source) == ("Plot report", dt.date(2025, 3, 4), "heading")
    (off,) = parse(html, profile=Profile(heading_dates=False)).posts
    assert (off.title, off.date, off.date_source) == (
        "Plot report – 3/4/25",
        dt.date(2026, 2, 3),
        "published",
    )


# -- categories and tags ---------------------------------------------------------------------


def test_block_themes_print_categories_with_rel_tag() -> None:
    terms = (
        f'<div class="taxonomy-category wp-block-post-terms"><a href="{SITE}/category/news/" '
        'rel="tag">Club News</a></div><div class="taxonomy-post_tag wp-block-post-terms">'
        f'<a href="{SITE}/tag/questions/" rel="tag">Q&amp;A</a></div>'
    )
    (post,) = parse(page(article(1, terms=terms, cls="post type-post tag-questions"))).posts
    assert (post.categories, post.tags) == (("Club News",), ("Q&A",))


def test_term_links_without_rel_are_read_by_their_url_never_from_the_body() -> None:
    terms = (
        f'Filed under <a href="{SITE}/category/news/">Club News</a> '
        f'tagged <a href="{SITE}/tag/bees/">bees</a>'
    )
    body = f'<p>See <a href="{SITE}/tag/compost/">our compost posts</a> for more.</p>'
    (post,) = parse(page(article(1, terms=terms, body=body, cls="post type-post"))).posts
    assert (post.categories, post.tags) == (("Club News",), ("bees",))
    assert rule_of(post, "tags") == "term_url"


def test_a_custom_base_is_read_from_post_class() -> None:
    # rel="tag" links under /topics/: post_class() says the slug is a tag's.
    terms = f'<a href="{SITE}/topics/bees/" rel="tag">bees</a>'
    (post,) = parse(page(article(1, terms=terms, cls="post type-post tag-bees"))).posts
    assert post.tags == ("bees",)


# -- bodies ----------------------------------------------------------------------------------


def test_excerpt_only_archives_say_so_and_leave_read_more_out() -> None:
    summary = article(1).replace(
        '<div class="entry-content"><p>The words of the post, in a paragraph of their own.</p>',
        '<div class="entry-summary"><p>The first words &hellip; <a class="read-more" '
        f'href="{SITE}/post-1/">Weiterlesen</a></p>',
    )
    page_ = parse(page(summary))
    assert page_.excerpts_only and page_.posts[0].excerpt_only
    assert page_.posts[0].text == "The first words …"
    cut = article(2, body=f'<p>Start.</p><p><a href="{SITE}/post-2/#more-2" class="more-link">'
                  "Continue</a></p>")  # fmt: skip
    assert parse(page(cut)).posts[0].excerpt_only  # the_content() cut at <!--more-->


def test_boilerplate_is_a_site_rule() -> None:
    body = "<p>Our words.</p><p>Happy gardening! See you Saturday.</p>"
    (post,) = parse(page(article(1, body=body))).posts
    assert post.text == "Our words.\n\nHappy gardening! See you Saturday."
    site = Profile(boilerplate=(r"Happy gardening!",))
    (post,) = parse(page(article(1, body=body)), profile=site).posts
    assert post.text == "Our words."


# -- teaser blocks ---------------------------------------------------------------------------

EXCERPT = "Seedlings want light, water and patience, and a gardener who looks every day"


def latest_posts(more: str = "Weiterlesen") -> str:
    """The core Latest Posts block with excerpts, as a block widget."""
    items = "".join(
        f'<li><a class="wp-block-latest-posts__post-title" href="{SITE}/tip-{n}/">Tip {n}</a>'
        f'<div class="wp-block-latest-posts__post-excerpt">{EXCERPT} {n} &hellip; '
        f'<a class="wp-block-latest-posts__read-more" href="{SITE}/tip-{n}/">{more}'
        f'<span class="screen-reader-text">: Tip {n}</span></a></div></li>'
        for n in (1, 2, 3)
    )
    ul = f'<ul class="wp-block-latest-posts__list wp-block-latest-posts">{items}</ul>'
    return f'<section id="block-3" class="widget widget_block">{ul}</section>'


def featured_posts() -> str:
    """Genesis' Featured Posts widget: <article>s with post_class(), in the sidebar."""
    items = "".join(
        f'<article class="post-{n} post type-post status-publish entry"><a href="{SITE}/tip-{n}/" '
        f'class="alignleft"><img src="x.jpg" alt=""></a><header class="entry-header"><h4 '
        f'class="entry-title"><a href="{SITE}/tip-{n}/">Tip {n}</a></h4></header><div '
        f'class="entry-content"><p>{EXCERPT} {n} <a href="{SITE}/tip-{n}/" class="more-link">'
        "Read More</a></p></div></article>"
        for n in (1, 2, 3)
    )
    widget = '<section id="featured-post-2" class="widget featured-content featuredpost">'
    return f"{widget}{items}</section>"


@pytest.mark.parametrize("aside", [latest_posts(), featured_posts()], ids=["latest", "genesis"])
def test_teaser_blocks_are_never_read_as_posts(aside: str) -> None:
    page_ = parse(page(article(7), aside=aside))
    assert [p.url for p in page_.posts] == [f"{SITE}/post-7/"]
    assert [(t.url, t.title) for t in page_.teasers] == [
        (f"{SITE}/tip-{n}/", f"Tip {n}") for n in (1, 2, 3)
    ]
    # The read-more link's words (in any language) and the excerpt_more marker are left out.
    assert [t.excerpt for t in page_.teasers] == [f"{EXCERPT} {n}" for n in (1, 2, 3)]
    assert page_.drift == ()


def test_a_block_of_links_without_excerpts_is_no_teaser_block() -> None:
    comments = "".join(
        f'<li class="recentcomments">Bob on <a href="{SITE}/post-{n}/#comment-{n}">'
        f"Post {n}</a></li>"
        for n in (1, 2, 3)
    )
    recent = f'<section class="widget widget_recent_comments"><ul>{comments}</ul></section>'
    titles = "".join(f'<li><a href="{SITE}/post-{n}/">Post {n}</a></li>' for n in (1, 2, 3))
    recent += f'<section class="widget widget_recent_entries"><ul>{titles}</ul></section>'
    page_ = parse(page(article(1), aside=recent))
    assert (page_.teasers, page_.drift) == ((), ())


def test_a_teaser_without_a_tip_date_takes_the_date_the_block_shows() -> None:
    # The second blog's titles carry no dates: the block's time (or its words) is the date.
    items = (
        f'<li><a class="wp-block-latest-posts__post-title" href="{SITE}/tip-1/">Tip one</a>'
        '<time datetime="2026-02-03T10:00:00+01:00" class="wp-block-latest-posts__post-date">'
        f'3. Februar 2026</time><div class="wp-block-latest-posts__post-excerpt">{EXCERPT}</div>'
        f'</li><li><a class="wp-block-latest-posts__post-title" href="{SITE}/tip-2/">Tip two</a>'
        f'<span class="post-date">4. Februar 2026</span><div>{EXCERPT}</div></li>'
    )
    block = f'<ul class="wp-block-latest-posts__list">{items}</ul>'
    teasers = parse(page(article(1) + block, lang="de-DE")).teasers
    assert [(t.title, t.date) for t in teasers] == [
        ("Tip one", dt.date(2026, 2, 3)),
        ("Tip two", dt.date(2026, 2, 4)),
    ]
    assert [rule_of(t, "date") for t in teasers] == ["time_datetime", "visible_date"]
