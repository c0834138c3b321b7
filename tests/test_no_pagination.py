"""A theme that prints no pagination at all (an infinite-scroll theme: no next link, no page
numbers, no rel=next): every archive is still read to its end on WordPress's `/page/N/`
pattern, one guessed page at a time, each archive's end one 404 counted as wasted. On the
same site with its pagination printed, a page without any is its archive's last: nothing is
guessed, no 404 is asked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.pipeline import run_corpus
from etl.replay.server import ReplayServer, serve
from etl.runlog import RunReport
from tests.replay_settings import fast_settings
from tests.themes import BLOGS, THEMES, expected, render_fixture

THEME, BLOG = "twentytwentyone", "cssamerica"  # numbered pagination in a nav, no rel=next
_NAV = re.compile(r'\s*<nav class="navigation pagination".*?</nav>', re.S)


@pytest.fixture(scope="module")
def paginated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_fixture(THEME, BLOG, tmp_path_factory.mktemp("paginated") / "site")


@pytest.fixture(scope="module")
def unpaginated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = render_fixture(THEME, BLOG, tmp_path_factory.mktemp("unpaginated") / "site")
    stripped = 0
    for file in site.rglob("index.html"):
        html = file.read_text(encoding="utf-8")
        bare = _NAV.sub("", html)
        stripped += bare != html
        file.write_text(bare, encoding="utf-8")
    assert stripped  # the theme's pagination was there, and is gone
    return site


def _run(folder: Path, data: Path) -> tuple[RunReport, list[str], ReplayServer]:
    with serve(folder) as srv:
        report = run_corpus(fast_settings(srv, data))
        want = (expected.posts(BLOGS[BLOG](), srv.url), expected.teasers(BLOGS[BLOG](), srv.url))
    found = expected.differences(
        want, expected.read_corpus(data), machine_dates=THEMES[THEME].machine_dates
    )
    return report, found, srv


def _archive_404s(srv: ReplayServer) -> int:
    return sum(1 for e in srv.log if e.status == 404 and "/page/" in e.path)


def test_archives_without_pagination_are_read_to_their_end(
    unpaginated: Path, tmp_path: Path
) -> None:
    report, found, srv = _run(unpaginated, tmp_path / "data")
    assert report.exit_status == 0, report.reason
    assert not found, "\n".join(found[:20])
    assert report.audit is not None and report.audit["healed"] == []  # crawled, not healed
    ends = _archive_404s(srv)
    assert ends >= 1 and report.pages["lookahead_wasted"] == ends  # one end per archive
    assert ends <= report.pages["fetched"]


def test_a_site_that_paginates_asks_no_guess(paginated: Path, tmp_path: Path) -> None:
    report, found, srv = _run(paginated, tmp_path / "data")
    assert report.exit_status == 0 and not found
    assert _archive_404s(srv) == 0 and report.pages["lookahead_wasted"] == 0
