"""Every extraction rule, by field: data only, each rule a stable name and a CSS selector.

Per field a short ordered list, first match wins: what WordPress core prints whatever the
theme (post_class(), body_class(), `rel="category tag"`, hAtom and schema.org words, the
archive title), then structure, then one theme's own markup (the reconstructed theme of
docs/CONTRACT.md is one such profile). Rule names are counted in the run report and kept
in the site profile: renaming one is a profile change. See ../shared/site/WORDPRESS.md.
"""

from __future__ import annotations

Rule = tuple[str, str]  # (stable name, CSS selector)

# -- The main loop: the posts of the page -----------------------------------------------
POST_ITEMS: tuple[Rule, ...] = (
    ("post_class", ".type-post"),  # post_class() prints type-<post type> on any element
    ("hentry", ".hentry"),  # hAtom: themes that print their own classes
    ("block_post", "li.wp-block-post"),  # block themes' Query Loop
    ("article", "article"),  # HTML5, whatever its classes
)
# A post-shaped block inside these is a widget's or the site footer's (a teaser block at
# most), never the main loop: sidebars, widget areas, the site footer (not a post's own
# <footer>).
OUTSIDE_LOOP = (
    ".widget, aside, .widget-area, .sidebar, #secondary, .site-footer, #colophon,"
    " footer.wp-block-template-part, .wp-block-latest-posts"
)
# A post title linking to its post (hAtom): each must give a post or a teaser, or drift.
UNREAD_TITLE = ".entry-title a[href]"
# On a post page, lists of other posts ("more posts" Query Loops) are never the post.
MORE_POSTS = ".wp-block-query"
# Where a post's body is: term links in it are the author's, not the post's terms.
BODY = ".entry-content, .entry-summary, [itemprop=articleBody], [itemprop=text]"

# -- A post's fields, inside its block ---------------------------------------------------
TITLE_LINK: tuple[Rule, ...] = (
    ("entry_title", ".entry-title a[href]"),  # hAtom
    ("block_post_title", ".wp-block-post-title a[href]"),
    ("headline", "[itemprop=headline] a[href], a[itemprop=url]"),  # schema.org
    ("heading_link", "h1 a[href], h2 a[href], h3 a[href], h4 a[href], h5 a[href], h6 a[href]"),
    ("bookmark", "a[rel~=bookmark]"),
)
# A post page's own title is plain text; its URL is the canonical link.
POST_TITLE: tuple[Rule, ...] = (
    ("entry_title", ".entry-title"),
    ("block_post_title", ".wp-block-post-title"),
    ("headline", "[itemprop=headline]"),
    ("h1", "h1"),
)
CANONICAL = "link[rel=canonical][href]"
OG_URL = 'meta[property="og:url"][content]'

# Machine-readable publication times. `updated` times are the last edit, never the date.
TIMESTAMP: tuple[Rule, ...] = (
    # The post's first time element (themes print it before the body), unless it is only the
    # `updated` time (GeneratePress prints that first): one cheap query in the common case.
    ("time_datetime", "time[datetime]"),
    (
        "time_published",
        "time.published[datetime], time.entry-date[datetime], .wp-block-post-date time[datetime]",
    ),
    ("microdata", "[itemprop=datePublished][datetime], [itemprop=datePublished][content]"),
    ("abbr_published", "abbr.published[title]"),
)
# Visible dates ("February 3, 2026"), read with dateparser when no machine time is shown.
VISIBLE_DATE: tuple[Rule, ...] = (
    (
        "visible_date",
        "time, .entry-date, .published, [itemprop=datePublished], .wp-block-post-date,"
        " .post-date, .posted-on, .date",
    ),
)
JSON_LD = 'script[type="application/ld+json"]'

# Category and tag links. rel says which on classic themes ("category tag" vs "tag");
# block themes print rel="tag" for both, so the link's URL and the post_class() decide.
TERM_LINKS: tuple[Rule, ...] = (
    ("rel", 'a[rel~="tag"]'),  # "category tag" and "tag": every term link of pretty permalinks
    ("rel_category", 'a[rel~="category"]'),  # plain permalinks: categories say "category" only
    ("term_url", 'a[href*="/category/"], a[href*="/tag/"]'),  # outside the body
)

# The body: full content first; an excerpt only says the post's own page has the rest.
CONTENT: tuple[Rule, ...] = (
    ("entry_content", ".entry-content"),
    ("article_body", "[itemprop=articleBody], [itemprop=text]"),
    ("post_content", ".post-content, .post-entry, .entry-body"),
)
EXCERPT: tuple[Rule, ...] = (
    ("entry_summary", ".entry-summary"),
    ("block_post_excerpt", ".wp-block-post-excerpt"),
    ("excerpt_class", '[class*="excerpt"], [class*="summary"]'),
    ("description", "[itemprop=description]"),
)
BLOCKS = "p, li"  # each one is a paragraph of the text

# -- The archive's term -------------------------------------------------------------------
# The archive title is an h1 on every theme we know: the h1s are read in one pass and the
# first with one of these class words wins; then the selectors (titles that are no h1).
ARCHIVE_TITLE_WORDS = ("archive-title", "page-title", "wp-block-query-title", "taxonomy-title")
ARCHIVE_TITLE: tuple[Rule, ...] = (
    ("archive_title", ".archive-title, .wp-block-query-title, .page-title, .taxonomy-title"),
    ("page_header", ".page-header h1, .archive-header h1, .archive-description h1"),
)

# -- Pagination ------------------------------------------------------------------------------
NEXT_HEAD = "link[rel=next]"  # SEO plugins; WordPress core never prints it on archives
PREV_HEAD = "link[rel=prev]"
# Links that may lead to another page of this archive: the URL says which (`/page/N/`,
# else `?paged=N`, a Query Loop's `?query-1-page=N`); language-independent. (Substring
# tests cost lexbor four plain queries each: the second is asked only when the first fails.)
NAV = "nav"  # where themes print pagination: its links are read first
PAGE_LINKS = 'a[href*="/page/"]'
PAGE_QUERY_LINKS = 'a[href*="paged="], a[href*="-page="]'
# "Older posts" / "Next" controls whose URL has no page number (odd permalink setups).
NEXT_CONTROLS: tuple[Rule, ...] = (
    ("a_rel_next", "a[rel~=next]"),
    ("next_page_numbers", "a.next.page-numbers, .wp-block-query-pagination-next"),
    ("nav_previous", ".nav-previous a, .pagination-next a, .older a, .nav-older a"),
)
# Any of these on the page means it shows pagination (so an absent next link is the end).
PAGINATION = (
    ".nav-links, .pagination, .page-numbers, .navigation, .paging-navigation,"
    " .wp-block-query-pagination, .nav-previous, .nav-next, .archive-pagination"
)
# A "next" control without a URL: the page says there is more but the link is unreadable.
# (An empty `.nav-previous` is Twenty Ten's last page, not a control.)
NEXT_WITHOUT_URL = (
    "link[rel=next]:not([href]), a.next:not([href]), .nav-previous a:not([href]),"
    " .wp-block-query-pagination-next:not([href])"
)

# -- Teaser blocks: the site's latest posts with excerpts, outside the main loop ----------
TEASER_BLOCKS: tuple[Rule, ...] = (
    ("latest_posts_block", ".wp-block-latest-posts__list"),
    ("widget", ".widget"),  # any widget: recent posts with excerpts, featured posts...
    ("latest_tips", "div.latest-tips"),  # the reconstructed theme of docs/CONTRACT.md
)
# The date a teaser block prints (when its heading carries none), as words.
TEASER_DATE = ".wp-block-latest-posts__post-date, .post-date, time, [class*=date]"
# Core widgets that never show excerpts: not read as teaser blocks (a tag cloud is not one).
PLAIN_WIDGETS = frozenset(
    (
        "widget_categories",
        "widget_tag_cloud",
        "widget_archive",
        "widget_meta",
        "widget_search",
        "widget_pages",
        "widget_nav_menu",
        "widget_recent_comments",
        "widget_calendar",
        "widget_rss",
    )
)
# Links that close an excerpt ("Read more" in any language): by class; the structural
# rule (a second link to the same post) needs no class.
MORE_LINK = "a.more-link, a.read-more, .more-link a, a[class*=read-more], a[class*=more-link]"
