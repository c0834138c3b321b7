"""Widgets and blocks that sit beside the loop, as their PHP prints them.

- `widget()`: a theme's register_sidebar() wrapper (`before_widget` with `%1$s` the widget id
  and `%2$s` its classes, `before_title` …), as dynamic_sidebar() fills it.
- Core widgets (wp-includes/widgets/): categories, tag cloud (wp_generate_tag_cloud).
- The core Latest Posts block (wp-includes/blocks/latest-posts.php, WordPress 6.x): its read-more
  link follows an excerpt only when WordPress cut it (`' [&hellip;]'` replaced by `…`).
- Recent Posts Widget Extended 2.x (plugin recent-posts-widget-extended, includes/functions.php
  `rpwe_get_recent_posts`): title links with rel=bookmark, excerpt trimmed by wp_trim_words,
  then always its "Read More »" link (class more-link), glued to the excerpt.
"""

# ruff: noqa: E501 - HTML templates: a line of markup is clearer whole than split

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tests.themes import wp
from tests.themes.model import Post, Site


@dataclass(frozen=True, slots=True)
class Sidebar:
    """register_sidebar() arguments of a theme."""

    before_widget: str = '<section id="%1$s" class="widget %2$s">'
    after_widget: str = "</section>"
    before_title: str = '<h2 class="widget-title">'
    after_title: str = "</h2>"


def widget(sidebar: Sidebar, wid: str, classes: str, title: str, content: str) -> str:
    head = sidebar.before_widget.replace("%1$s", wid).replace("%2$s", classes)
    heading = f"{sidebar.before_title}{title}{sidebar.after_title}" if title else ""
    return f"{head}{heading}{content}{sidebar.after_widget}"


def categories(site: Site, sidebar: Sidebar, title: str = "Categories", nav: bool = True) -> str:
    """WP_Widget_Categories: a list by name, each `li.cat-item.cat-item-ID`."""
    items = "".join(
        f'\t<li class="cat-item cat-item-{t.id}"><a href="{site.url(t.path)}">{wp.esc(t.name)}</a>\n</li>\n'
        for t in sorted(site.categories, key=lambda t: t.name.lower())
    )
    body = f"\n\t\t\t<ul>\n{items}\t\t\t</ul>\n\n\t\t\t"
    if nav:  # themes with html5 navigation-widgets support wrap lists in a nav
        body = f'<nav aria-label="{title}">{body}</nav>'
    return widget(sidebar, "categories-2", "widget_categories", title, body)


def tag_cloud(site: Site, sidebar: Sidebar, title: str = "Tags", as_list: bool = False) -> str:
    """WP_Widget_Tag_Cloud (wp_generate_tag_cloud: 8pt to 22pt by post count)."""
    counts = Counter(t for p in site.posts for t in p.tags)
    low, high = min(counts.values(), default=0), max(counts.values(), default=0)
    links = []
    for i, tag in enumerate(sorted(site.tags, key=lambda t: t.name.lower()), start=1):
        n = counts[tag]
        size = 8 + (n - low) * 14 / max(high - low, 1)
        items = "item" if n == 1 else "items"
        links.append(
            f'<a href="{site.url(tag.path)}" class="tag-cloud-link tag-link-{tag.id} '
            f'tag-link-position-{i}" style="font-size: {size:g}pt;" '
            f'aria-label="{wp.esc(tag.name)} ({n} {items})">{wp.esc(tag.name)}</a>'
        )
    if as_list:
        cloud = "<ul class='wp-tag-cloud' role='list'>\n\t<li>" + "</li>\n\t<li>".join(links)
        cloud += "</li>\n</ul>\n"
    else:
        cloud = "\n".join(links)
    body = f'<div class="tagcloud">{cloud}</div>\n'
    return widget(sidebar, "tag_cloud-2", "widget_tag_cloud", title, body)


def latest_posts_block(
    site: Site,
    *,
    dates: bool = False,
    lang: str = "en",
    length: int = 55,
    more: Callable[[Post], str] | None = None,
) -> str:
    """core/latest-posts with "Post content: excerpt", WordPress 6.x.

    `more` is a theme's excerpt_more filter: its text ends a cut excerpt instead of
    `' [&hellip;]'`, so the block adds no read-more link of its own.
    """
    items = []
    for post in site.teasers:
        url, title = site.url(post.path), wp.title(post)
        item = f'<li><a class="wp-block-latest-posts__post-title" href="{url}">{title}</a>'
        if dates:
            item += (
                f'<time datetime="{wp.iso(post.published)}" class="wp-block-latest-posts__post-date">'
                f"{wp.date_text(post.published, lang)}</time>"
            )
        excerpt, cut = teaser_excerpt(post, length)
        if cut and more is not None:
            excerpt += more(post)
        elif cut:  # ' [&hellip;]' replaced by the link, the title for screen readers
            excerpt += (
                f'… <a class="wp-block-latest-posts__read-more" href="{url}" '
                f'rel="noopener noreferrer">{wp.tr("Read more", lang)}<span '
                f'class="screen-reader-text">: {wp.esc(wp.strip_tags(title))}</span></a>'
            )
        items.append(
            f'{item}<div class="wp-block-latest-posts__post-excerpt">{excerpt}</div></li>\n'
        )
    classes = "wp-block-latest-posts__list" + (" has-dates" if dates else "")
    return f'<ul class="{classes} wp-block-latest-posts">{"".join(items)}</ul>'


@functools.cache
def teaser_excerpt(post: Post, length: int = 55) -> tuple[str, bool]:
    """The block's excerpt of a teaser (escaped) and whether WordPress cut the post's text.

    The words are the model's `excerpt` (the contract's teaser excerpt: the first words of the
    post); it was cut when the body holds more words than that.
    """
    words = post.excerpt.split()[:length]
    _, cut = wp.trim_words(wp.strip_tags(post.body), len(words))
    return wp.esc(" ".join(words)), cut


def rpwe(
    site: Site,
    sidebar: Sidebar,
    title: str = "Latest Tips",
    length: int = 55,
    more: str = "Read More »",
) -> str:
    """Recent Posts Widget Extended with excerpts and its read-more link."""
    items = []
    for post in site.teasers:
        url, heading = site.url(post.path), wp.title(post)
        excerpt, cut = teaser_excerpt(post, length)
        items.append(
            f'<li class="rpwe-li rpwe-clearfix"><h3 class="rpwe-title"><a href="{url}" '
            f'title="Permalink to {wp.title_attribute(post)}" rel="bookmark">{heading}</a></h3>'
            f'<div class="rpwe-summary">{excerpt}{" &hellip;" if cut else ""}'
            f'<a href="{url}" class="more-link">{more}</a></div></li>'
        )
    body = (
        f'<div  class="rpwe-block "><ul class="rpwe-ul">{"".join(items)}</ul></div>'
        "<!-- Generated by http://wordpress.org/plugins/recent-posts-widget-extended/ -->"
    )
    return widget(sidebar, "rpwe_widget-2", "rpwe_widget recent-posts-extended", title, body)
