"""Pure: what a page says about the software behind it (is it WordPress, which theme, where
its REST API and feeds are), from its HTML and headers. Never raises.

The signs are the ones WordPress core prints whatever the theme (../WORDPRESS.md): the
generator meta tag, `/wp-content/` and `/wp-includes/` paths, the REST API's
`rel="https://api.w.org/"` link (in the head and as an HTTP `Link` header), and body_class()'s
words. A site may hide any one of them (security plugins drop the generator tag); one is
enough to call it WordPress.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from etl.parse.navigation import theme
from etl.parse.site import joined
from etl.parse.tree import attr, classes

_PATHS = re.compile(r"/wp-(?:content|includes)/")
_API_HEADER = re.compile(r'<([^>]+)>\s*;\s*rel="?https://api\.w\.org/"?')
_FEEDS = (
    'link[rel=alternate][type="application/rss+xml"], '
    'link[rel=alternate][type="application/atom+xml"]'
)
# body_class() words no other software prints this way.
_BODY_PREFIXES = ("wp-theme-", "wp-child-theme-", "postid-", "page-id-", "category-", "tag-")
_BODY_WORDS = frozenset(("wp-embed-responsive", "wp-custom-logo"))


@dataclass(frozen=True, slots=True)
class Signs:
    """What one page shows of WordPress."""

    generator: str | None  # "WordPress 6.7.1"
    paths: bool  # /wp-content/ or /wp-includes/ in the page
    api: str | None  # the REST API's root, from the head or the Link header
    body_classes: tuple[str, ...]  # the WordPress words of body_class()
    theme: str | None  # wp-content/themes/<name>, wp-theme-<name>
    feeds: tuple[str, ...]  # the feeds the head advertises

    @property
    def found(self) -> tuple[str, ...]:
        """The signs present, named for a person."""
        named = (
            (self.generator is not None, f"generator {self.generator}"),
            (self.paths, "wp-content paths"),
            (self.api is not None, "api.w.org link"),
            (bool(self.body_classes), "body classes " + " ".join(self.body_classes[:3])),
        )
        return tuple(name for present, name in named if present)

    @property
    def wordpress(self) -> bool:
        return bool(self.found)


def signs(html: str, url: str, headers: Sequence[tuple[str, str]] = ()) -> Signs:
    """The WordPress signs of a page (its HTML, its URL, its response headers)."""
    tree = LexborHTMLParser(html)
    generator = attr(tree.css_first('meta[name="generator" i]'), "content") or ""
    api = attr(tree.css_first('link[rel="https://api.w.org/"]'), "href")
    for name, value in headers:
        if api is None and name.lower() == "link" and (m := _API_HEADER.search(value)):
            api = m[1]
    words = classes(tree.body) if tree.body is not None else []
    wordpress_words = [w for w in words if w in _BODY_WORDS or w.startswith(_BODY_PREFIXES)] or (
        ["home", "blog"] if {"home", "blog"} <= set(words) else []
    )
    feeds = [attr(n, "href") for n in tree.css(_FEEDS)]
    return Signs(
        generator=generator if generator.lower().startswith("wordpress") else None,
        paths=_PATHS.search(html) is not None,
        api=joined(url, api) if api else None,
        body_classes=tuple(wordpress_words),
        theme=theme(html, words),
        feeds=tuple(dict.fromkeys(joined(url, f) for f in feeds if f)),
    )
