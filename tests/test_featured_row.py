"""A magazine layout: above each archive's posts, a row of the site's newest posts printed as
the loop's posts are (the same <article> markup, in the main column). One page alone cannot
tell that row from the loop; the pages of one crawl can (it repeats on every archive). A
first full run reads its pages again with what they show together, so the row's posts are
teasers, not posts with every archive's categories and tags; a run on a layout without such
a row reads nothing twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.pipeline import run_corpus
from etl.replay.server import serve
from etl.runlog import RunReport
from tests.replay_settings import fast_settings
from tests.themes import BLOGS, expected, render_fixture

THEME, BLOG = "twentytwentyone", "second"  # the second blog has no latest-posts block
_ARTICLE = re.compile(r"<article\b.*?</article>", re.S)
READ_AGAIN = "the run's pages are read again"


def with_featured_row(site: Path) -> Path:
    """Every category and tag archive page gets the home page's first three articles, as
    they are printed there, in a row above its own."""
    home = (site / "index.html").read_text(encoding="utf-8")
    row = '<div class="featured-row">' + "".join(_ARTICLE.findall(home)[:3]) + "</div>"
    changed = 0
    for file in site.rglob("index.html"):
        where = file.parent.relative_to(site).as_posix()
        html = file.read_text(encoding="utf-8")
        if where.startswith(("category/", "tag/")) and (m := _ARTICLE.search(html)):
            file.write_text(html[: m.start()] + row + html[m.start() :], encoding="utf-8")
            changed += 1
    assert changed >= 10
    return site


def _run(site: Path, data: Path) -> tuple[RunReport, list[str], int]:
    with serve(site) as srv:
        report = run_corpus(fast_settings(srv, data))
        want = expected.posts(BLOGS[BLOG](), srv.url)
    posts, teasers = expected.read_corpus(data)
    found = expected.differences((want, []), (posts, []), machine_dates=True)
    return report, found, len(teasers)


def test_a_featured_row_of_posts_is_read_as_teasers_on_the_first_run(tmp_path: Path) -> None:
    site = with_featured_row(render_fixture(THEME, BLOG, tmp_path / "site"))
    report, found, teasers = _run(site, tmp_path / "data")
    assert report.exit_status == 0, report.reason  # the REST API agrees with every post
    assert not found, "\n".join(found[:10])
    assert teasers == 3
    assert report.site_profile["teaser_block"] == "#main > div.featured-row"
    assert any(READ_AGAIN in w["message"] for w in report.warnings)


@pytest.mark.parametrize("blog", ["second", "cssamerica"])
def test_a_layout_without_such_a_row_reads_nothing_twice(tmp_path: Path, blog: str) -> None:
    with serve(render_fixture(THEME, blog, tmp_path / "site")) as srv:
        report = run_corpus(fast_settings(srv, tmp_path / "data"))
    assert report.exit_status == 0
    assert not any(READ_AGAIN in w["message"] for w in report.warnings)
