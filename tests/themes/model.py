"""The content of a blog, whatever its theme: typed, frozen records the renderers print.

A `Site` holds what WordPress stores (posts with their raw titles, timestamps, terms and body
HTML) and, per post, the text a correct parser must extract (`Post.text`, the contract's
`text` field). Theme renderers (tests/themes/<theme>.py) turn a `Site` into pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

TermKind = Literal["category", "tag"]


@dataclass(frozen=True, slots=True)
class Term:
    """A category or tag: the slug is not always derivable from the name."""

    kind: TermKind
    id: int
    name: str  # as typed, e.g. "Business Advice" or "service recovery"
    slug: str  # e.g. "service-advice"

    @property
    def path(self) -> str:
        return f"/{self.kind}/{self.slug}/"

    @property
    def taxonomy(self) -> str:
        """WordPress' taxonomy name (the REST API and post_class use it)."""
        return "category" if self.kind == "category" else "post_tag"


@dataclass(frozen=True, slots=True)
class Post:
    id: int  # the WordPress post id
    slug: str  # the permalink is ORIGIN/slug/
    title: str  # raw, as typed: "Don’t Assume Their Motivation - 6/28/22"
    published: dt.datetime  # local time with its UTC offset
    categories: tuple[Term, ...]  # in WordPress' order (by name)
    tags: tuple[Term, ...]  # in WordPress' order (by name)
    body: str  # the entry-content HTML, as the_content() prints it
    text: str  # the body as a correct parser's `text`: paragraphs, boilerplate out
    excerpt: str = ""  # the latest-posts block's excerpt (plain text); "" if not shown
    modified: dt.datetime | None = None  # None: never edited after publishing

    @property
    def path(self) -> str:
        return f"/{self.slug}/"

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.categories + self.tags


@dataclass(frozen=True, slots=True)
class Site:
    """One blog: its origin, furniture, terms and posts (newest first)."""

    key: str  # "cssamerica" or "second"
    origin: str  # "https://cssamerica.com": links in the rendered pages are absolute on it
    name: str
    tagline: str
    posts: tuple[Post, ...]  # newest first, the order of every archive
    categories: tuple[Term, ...]  # by slug
    tags: tuple[Term, ...]  # by name
    latest: int = 0  # posts in the "latest posts" teaser block; 0 = the site has none
    menu: tuple[tuple[str, str], ...] = field(default=())  # (label, absolute URL)
    timezone: str = "America/New_York"

    def url(self, path: str) -> str:
        return self.origin + path

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.categories + self.tags

    def members(self, term: Term) -> tuple[Post, ...]:
        """The posts of a term's archive, newest first."""
        return tuple(p for p in self.posts if term in p.terms)

    @property
    def teasers(self) -> tuple[Post, ...]:
        """The posts the latest-posts block shows (newest first)."""
        return self.posts[: self.latest]
