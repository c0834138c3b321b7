"""Test fixtures: two blogs rendered in the markup of real public WordPress themes.

    python -m tests.themes list
    python -m tests.themes render twentyten --blog second OUT_DIR
    python -m etl.replay OUT_DIR        # serve it; links point at the server

`model` (typed records of a blog), `cssamerica` (the contract's blog, read from
tests/fixtures/site/snapshot-2) and `second` (a seeded second blog); `wp`, `page`, `widgets`
(what WordPress core and widgets print), one module per theme (each cites the template files it
reproduces); `render` (a blog in a theme -> a folder the replay server serves), `sitemaps`,
`rest` (REST API data, and ways to make it disagree or to close it), `expected` (the records a
correct pipeline must hold, and a readable diff).

What differs between the themes (a page: posts per page; dates: what archives print):

- contract: 3 a page, rel=next, time[datetime], full posts, footer .tags-links, "Category
  Archives: <span>X</span>", the custom div.latest-tips block with "Read more" links.
- twentyten: 5, visible dates only, excerpts (div.entry-summary), posts are div.hentry, "Tagged"
  in .entry-utility, "Category Archives:", the Latest Posts block as a sidebar block widget.
- twentytwentyone: 3, time[datetime], full posts, titles without rel=bookmark, "Tagged" in the
  entry footer, "Category: <span>X</span>", Recent Posts Widget Extended in the footer.
- twentytwentyfive: 10, German, Query Loop (li.wp-block-post), time[datetime], post-terms blocks
  (rel=tag for categories too), "Kategorie:", the Latest Posts block above the content.
- generatepress: 3, Yoast SEO's rel=next and JSON-LD, time[datetime], full posts, the term name
  alone as title, tags in footer.entry-meta, the Latest Posts block in the sidebar.
- astra: 3, visible dates only, excerpts inside div.entry-content, tags in the header's
  .entry-meta, the term name alone, the Latest Posts block in the footer.
- genesis: 6, article.entry (no hentry), time[datetime], "Filed Under:" / "Tagged With:", the
  term name alone, numeric pages, a Featured Posts widget built of article.entry elements.

The core Latest Posts block adds its read-more link only to an excerpt WordPress cut; themes
that filter excerpt_more print theirs instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.themes import (
    astra,
    contract,
    cssamerica,
    generatepress,
    genesis,
    second,
    twentyten,
    twentytwentyfive,
    twentytwentyone,
)
from tests.themes.model import Site
from tests.themes.render import Theme, render

THEMES: dict[str, Theme] = {
    t.name: t
    for t in (
        contract.THEME,
        twentyten.THEME,
        twentytwentyone.THEME,
        twentytwentyfive.THEME,
        generatepress.THEME,
        astra.THEME,
        genesis.THEME,
    )
}
BLOGS: dict[str, Callable[[], Site]] = {"cssamerica": cssamerica.load, "second": second.load}


def render_fixture(theme: str, blog: str, out: Path, *, api: bool = True) -> Path:
    """Render blog `blog` in theme `theme` into `out`; returns `out`."""
    return render(BLOGS[blog](), THEMES[theme], out, api=api)
