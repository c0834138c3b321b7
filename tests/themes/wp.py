"""What WordPress core prints whatever the theme: template tags a theme renderer calls.

Each function names the core function it reproduces (WordPress/wordpress-develop,
src/wp-includes/): formatting.php (wptexturize, wp_trim_words), post-template.php
(get_post_class), category-template.php (get_the_category_list, get_the_term_list),
general-template.php (get_the_archive_title, get_the_date, get_body_class in post-template.php),
link-template.php (paginate_links, _navigation_markup, the_posts_pagination).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Sequence

from tests.themes.model import Post, Site, Term

# Translations used by the fixtures: WordPress core's and the themes' strings in de_DE.
GERMAN = {
    "Category:": "Kategorie:",
    "Tag:": "Schlagwort:",
    "Older posts": "Ältere Beiträge",
    "Newer posts": "Neuere Beiträge",
    "Posts navigation": "Beitragsnavigation",
    "Posts pagination": "Seitennummerierung der Beiträge",
    "Posts": "Beiträge",
    "Previous": "Zurück",
    "Next": "Weiter",
    "Previous Page": "Vorherige Seite",
    "Next Page": "Nächste Seite",
    "Read more": "Weiterlesen",
    "Page %s": "Seite %s",
    "Page not found": "Seite nicht gefunden",
    "Comments Feed": "Kommentar-Feed",
    "Category Feed": "Kategorie-Feed",
    "Tag Feed": "Schlagwort-Feed",
}
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
}


def tr(text: str, lang: str) -> str:
    """`__( text )` in the site's language."""
    return GERMAN.get(text, text) if lang == "de" else text


def esc(text: str) -> str:
    """esc_html: markup characters escaped, quotes too (WordPress uses `&#039;`)."""
    return html.escape(text, quote=True).replace("&#x27;", "&#039;")


# wptexturize, the parts that occur in titles: dashes, ellipses, straight quotes, ampersands.
_TEXTURIZE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"&(?![#a-zA-Z0-9]+;)"), "&#038;"),
    (re.compile(r"\.\.\."), "&#8230;"),
    (re.compile(r" -- "), " &#8212; "),
    (re.compile(r" - "), " &#8211; "),
    (re.compile(r"(?<=\w)'(?=\w)"), "&#8217;"),  # apostrophe
    (re.compile(r"(^|[\s(\[{\"-])'"), r"\1&#8216;"),  # opening single quote
    (re.compile(r"'"), "&#8217;"),
    (re.compile(r"(^|[\s(\[{-])\""), r"\1&#8220;"),  # opening double quote
    (re.compile(r"\""), "&#8221;"),
)


@functools.cache  # titles recur on every page: render once
def texturize(raw: str) -> str:
    """wptexturize of a plain title: `Don't - 6/28/22` -> `Don&#8217;t &#8211; 6/28/22`."""
    out = raw.replace("<", "&lt;").replace(">", "&gt;")
    for pattern, repl in _TEXTURIZE:
        out = pattern.sub(repl, out)
    return out


def title(post: Post) -> str:
    """the_title(): the raw title through wptexturize (what themes print in headings)."""
    return texturize(post.title)


def title_attribute(post: Post) -> str:
    """the_title_attribute(): the texturized title with its tags stripped, attribute-escaped."""
    return html.escape(html.unescape(title(post)), quote=True)


def date_text(when: dt.datetime, lang: str = "en") -> str:
    """get_the_date() with the site's date format: `F j, Y`, in German `j. F Y`."""
    month = MONTHS[lang][when.month - 1]
    if lang == "de":
        return f"{when.day}. {month} {when.year}"
    return f"{month} {when.day}, {when.year}"


def time_text(when: dt.datetime) -> str:
    """get_the_time() with the default `g:i a`."""
    return f"{(when.hour - 1) % 12 + 1}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'}"


def iso(when: dt.datetime) -> str:
    """get_the_date( 'c' ): ISO 8601 with the UTC offset."""
    return when.isoformat()


def strip_tags(fragment: str) -> str:
    """wp_strip_all_tags: tags out, entities kept."""
    return re.sub(r"<[^>]*>", "", fragment)


def trim_words(text: str, count: int) -> tuple[str, bool]:
    """wp_trim_words without its `more`: (the first `count` words, whether it cut any)."""
    words = re.split(r"[\n\r\t ]+", text.strip())
    words = [w for w in words if w]
    return " ".join(words[:count]), len(words) > count


@functools.cache
def auto_excerpt(post: Post, count: int = 55) -> tuple[str, bool]:
    """wp_trim_excerpt of the body: its first `count` words, and whether it was cut."""
    return trim_words(strip_tags(post.body), count)


def post_class(post: Post, *extra: str, hentry: bool = True) -> str:
    """get_post_class(): `post-ID post type-post status-publish format-standard hentry …`."""
    classes = [*extra, f"post-{post.id}", "post", "type-post", "status-publish"]
    classes += ["format-standard"] + (["hentry"] if hentry else [])
    classes += [f"category-{t.slug}" for t in post.categories]
    classes += [f"tag-{t.slug}" for t in post.tags]
    return " ".join(classes)


def body_class(
    site: Site,
    theme: str,
    *,
    term: Term | None = None,
    number: int = 1,
    post: Post | None = None,
    missing: bool = False,
    extra: Sequence[str] = (),
) -> str:
    """get_body_class() for the home, a term archive, a post or the 404 page."""
    classes: list[str] = []
    if post is not None:
        classes += ["post-template-default", "single", "single-post", f"postid-{post.id}"]
        classes += ["single-format-standard"]
    elif missing:
        classes.append("error404")
    elif term is None:
        classes += ["home", "blog"] + (["paged"] if number > 1 else [])
    else:
        classes += ["archive"] + (["paged"] if number > 1 else [])
        classes += [term.kind, f"{term.kind}-{term.slug}", f"{term.kind}-{term.id}"]
    if number > 1:
        classes.append(f"paged-{number}")
        if term is not None:
            classes.append(f"{term.kind}-paged-{number}")
    classes.append(f"wp-theme-{theme}")
    return " ".join([*classes, *extra])


def term_link(site: Site, term: Term, rel: str) -> str:
    return f'<a href="{site.url(term.path)}" rel="{rel}">{esc(term.name)}</a>'


def category_list(site: Site, post: Post, sep: str = ", ") -> str:
    """get_the_category_list(): links with `rel="category tag"` (pretty permalinks)."""
    return sep.join(term_link(site, t, "category tag") for t in post.categories)


def tag_list(site: Site, post: Post, before: str = "", sep: str = ", ", after: str = "") -> str:
    """get_the_tag_list(): `rel="tag"` links, or "" when the post has no tags."""
    if not post.tags:
        return ""
    return before + sep.join(term_link(site, t, "tag") for t in post.tags) + after


def archive_title(term: Term, lang: str = "en", prefix: bool = True) -> str:
    """get_the_archive_title() since 5.5: `Category: <span>Name</span>` (or just the name)."""
    if not prefix:
        return esc(term.name)
    label = tr("Category:" if term.kind == "category" else "Tag:", lang)
    return f"{label} <span>{esc(term.name)}</span>"


def navigation_markup(links: str, css: str, reader_text: str, aria_label: str) -> str:
    """_navigation_markup() (WordPress 5.3+)."""
    return (
        f'\n\t<nav class="navigation {css}" aria-label="{esc(aria_label)}">\n'
        f'\t\t<h2 class="screen-reader-text">{esc(reader_text)}</h2>\n'
        f'\t\t<div class="nav-links">{links}</div>\n\t</nav>'
    )


def paginate_links(
    current: int,
    total: int,
    url: Callable[[int], str],
    *,
    mid_size: int = 2,
    end_size: int = 1,
    prev_text: str = "&laquo; Previous",
    next_text: str = "Next &raquo;",
    before_number: str = "",
) -> list[str]:
    """paginate_links( type=array ): prev, numbers with dots, next."""
    out = []
    if current > 1:
        out.append(f'<a class="prev page-numbers" href="{url(current - 1)}">{prev_text}</a>')
    dots = False
    for n in range(1, total + 1):
        if n == current:
            number = f"{before_number}{n}"
            out.append(f'<span aria-current="page" class="page-numbers current">{number}</span>')
            dots = True
        elif n <= end_size or current - mid_size <= n <= current + mid_size or n > total - end_size:
            out.append(f'<a class="page-numbers" href="{url(n)}">{before_number}{n}</a>')
            dots = True
        elif dots:
            out.append('<span class="page-numbers dots">&hellip;</span>')
            dots = False
    if current < total:
        out.append(f'<a class="next page-numbers" href="{url(current + 1)}">{next_text}</a>')
    return out


def posts_pagination(
    current: int, total: int, url: Callable[[int], str], lang: str = "en", **kw: str | int
) -> str:
    """the_posts_pagination() (WordPress 6.x defaults: mid_size 1, Previous / Next)."""
    if total < 2:
        return ""
    args: dict[str, str | int] = {"mid_size": 1, "prev_text": tr("Previous", lang)}
    args |= {"next_text": tr("Next", lang), **kw}
    links = "\n".join(paginate_links(current, total, url, **args))  # type: ignore[arg-type]
    reader = tr("Posts pagination", lang)
    return navigation_markup(links, "pagination", reader, reader)
