"""A `Site` in a `Theme` -> a folder the replay server serves like the snapshot folders.

Files mirror URL paths: `index.html` (home, then `page/N/index.html`), every category and tag
archive (`category/<slug>/index.html`, `…/page/N/index.html`), one folder per post, `404.html`,
`robots.txt`, WordPress core sitemaps, and the REST API's data under `wp-json/` (see
tests/themes/rest.py; etl.replay.server pages and filters it). Links are absolute on the
site's origin; the server rewrites them to its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tests.themes import rest, sitemaps
from tests.themes.model import Post, Site, Term


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a post list: the home page (term None) or a term archive."""

    site: Site
    term: Term | None
    number: int
    last: int
    posts: tuple[Post, ...]

    def url(self, n: int | None = None) -> str:
        """Absolute URL of page n (default: this page); page 1 has no `/page/1/`."""
        n = self.number if n is None else n
        base = self.site.url(self.term.path if self.term else "/")
        return base if n == 1 else f"{base}page/{n}/"

    @property
    def older(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.last else None

    @property
    def newer(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None


class Theme(Protocol):
    """A theme renderer: what its template files print for each kind of page."""

    name: str  # the theme's folder name (`wp-theme-<name>` in the body class)
    per_page: int  # the site's "Blog pages show at most" setting
    paged_home: bool  # the home page continues at /page/2/
    machine_dates: bool  # archive articles carry a machine-readable time (time[datetime])
    excerpts: bool  # archives show excerpts only: the full text is on the post page
    # For the fixture tests: the main loop's title links, the teaser block's title links and
    # excerpts, and selectors only this theme's markup matches, on list and post pages.
    loop_link: str
    teaser_link: str
    teaser_excerpt: str

    @property
    def markers(self) -> dict[str, tuple[str, ...]]: ...

    def listing(self, page: Listing) -> str: ...

    def single(self, site: Site, post: Post) -> str: ...

    def not_found(self, site: Site) -> str: ...


def listings(site: Site, theme: Theme) -> Iterator[Listing]:
    """Every list page the theme's site has: the home page(s), then every term archive."""
    home_pages = math.ceil(len(site.posts) / theme.per_page) if theme.paged_home else 1
    for term in (None, *site.terms):
        posts = site.members(term) if term else site.posts
        last = home_pages if term is None else math.ceil(len(posts) / theme.per_page)
        for n in range(1, last + 1):
            chunk = posts[(n - 1) * theme.per_page : n * theme.per_page]
            yield Listing(site, term, n, max(last, 1), chunk)


def _write(out: Path, rel: str, text: str) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def render(site: Site, theme: Theme, out: Path, *, api: bool = True) -> Path:
    """Write the whole site into `out` (created; must not hold another site). Returns `out`."""
    if (out / "robots.txt").exists():
        raise FileExistsError(f"{out} already holds a site")
    for page in listings(site, theme):
        rel = page.url().removeprefix(site.origin).strip("/")
        _write(out, f"{rel}/index.html" if rel else "index.html", theme.listing(page))
    for post in site.posts:
        _write(out, f"{post.slug}/index.html", theme.single(site, post))
    _write(out, "404.html", theme.not_found(site))
    for name, text in sitemaps.files(site).items():
        _write(out, name, text)
    if api:
        rest.write(site, out)
    return out
