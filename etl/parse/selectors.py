"""Every CSS selector the parser uses, by field: data only.

When the live theme drifts, this is the one file that changes (see docs/CONTRACT.md).
"""

from __future__ import annotations

# The site-wide latest-tips block: the ten newest posts, on every page.
# Descendants, not children: unclosed inline tags in an excerpt can wrap the next teasers.
TEASER = "div.latest-tips div.tip-post"
TEASER_BLOCK = "div.tip-post"  # one teaser's own html, parsed on its own
TEASER_LINK = "h3.tip-title > a"
TEASER_EXCERPT = "div.tip-excerpt"
MORE_LINK = "a.more-link"  # "Read more": its text is not part of the excerpt

# Archive pages.
ARCHIVE_TERM = "h1.archive-title span"
ARCHIVE_TITLE = "h1.archive-title"

# Full posts, on archive and post pages.
ARTICLE = "article.hentry"
ARTICLE_ANY = "article"  # every article, to notice ones that lost the hentry class
TITLE_LINK = ".entry-title a[rel=bookmark]"  # archive pages: the heading links to the post
POST_PAGE_TITLE = "h1.entry-title"  # post pages: the heading is plain text
TIMESTAMP = "time[datetime]"
CATEGORIES = 'a[rel="category tag"]'
TAGS = "footer .tags-links a[rel=tag]"
CONTENT = ".entry-content"
BLOCKS = "p, li"  # each one is a paragraph of the text

# Navigation.
CANONICAL = "link[rel=canonical]"
NEXT = "link[rel=next]"
OLDER_POSTS = "nav.paging-navigation .nav-previous a"
