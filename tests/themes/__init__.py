"""Test fixtures: two blogs rendered in the markup of real public WordPress themes.

    python -m tests.themes list
    python -m tests.themes render twentyten --blog second OUT_DIR
    python -m etl.replay OUT_DIR        # serve it; links point at the server

`model` (typed records of a blog), `cssamerica` (the contract's blog, read from
tests/fixtures/site/snapshot-2) and `second` (a seeded second blog); `wp` (what WordPress core
prints), one module per theme (`contract`, `twentyten`, …; each cites the template files it
reproduces); `render` (a blog in a theme -> a folder the replay server serves), `rest` (REST
API data), `expected` (the records a correct pipeline must hold, and a readable diff).
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
