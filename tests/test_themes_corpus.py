"""End to end on every theme fixture: `etl corpus --site URL`, nothing else, builds the corpus.

Each (blog, theme) pair of tests/themes is served by the replay server and crawled with the
default settings (only the site, the data folder and no rate limit, as a test must); the
tables must hold the expected records (tests/themes/expected.py) and the run exit 0. Where a
theme prints no machine-readable time in its archives, `published_at` may be null.

Where a theme's archives show excerpts only (twentyten, astra), the text comes from each post's
own page, which the crawl reads (etl.crawl.posts). A pair that cannot pass yet goes into
`NOT_YET` (a strict expected failure); remove it when it passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.pipeline import run_corpus
from etl.replay.server import serve
from tests.replay_settings import fast_settings
from tests.themes import BLOGS, THEMES, expected
from tests.themes.checks import render_all

NOT_YET: set[tuple[str, str]] = set()
PAIRS = [
    pytest.param(
        theme,
        blog,
        marks=[pytest.mark.xfail(reason="not read right yet", strict=True)]
        if (theme, blog) in NOT_YET
        else [],
        id=f"{theme}-{blog}",
    )
    for theme in THEMES
    for blog in BLOGS
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    return render_all(tmp_path_factory.mktemp("themes"))


def corpus_differences(folder: Path, theme: str, blog: str, data_dir: Path) -> list[str]:
    """Run `etl corpus` on a served fixture; every way its tables differ from the expected."""
    site = BLOGS[blog]()
    with serve(folder) as srv:
        report = run_corpus(fast_settings(srv, data_dir))
        want = (expected.posts(site, srv.url), expected.teasers(site, srv.url))
    got = expected.read_corpus(data_dir)
    found = expected.differences(want, got, machine_dates=THEMES[theme].machine_dates)
    if report.exit_status != 0:
        found.insert(0, f"run: exit status {report.exit_status} ({report.reason})")
    return found


@pytest.mark.parametrize(("theme", "blog"), PAIRS)
def test_etl_corpus_with_only_the_site_builds_the_expected_records(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str, tmp_path: Path
) -> None:
    found = corpus_differences(rendered[theme, blog], theme, blog, tmp_path)
    shown = "\n".join(found[:40]) + (f"\n… and {len(found) - 40} more" if len(found) > 40 else "")
    assert not found, f"{theme} / {blog}: {len(found)} differences\n{shown}"
