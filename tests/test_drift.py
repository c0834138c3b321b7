"""Drift guard: when the markup stops matching the contract, the run fails with a message
naming the pages, and the published tables never shrink (no row lost, no `gone_at` set)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.replay.server import serve
from tests import test_parse_drift as parse_drift
from tests.reliability import PUBLISHED, SNAP2, cli, content, published_urls, run
from tests.themes import render_fixture

Edit = Callable[[str, str], str]  # (URL path of the file, its html) -> new html


def drifted(tmp_path: Path, edit: Edit) -> Path:
    """A copy of snapshot-2 with every HTML page passed through `edit`."""
    copy = tmp_path / "site"
    shutil.copytree(SNAP2, copy)
    for file in copy.rglob("*.html"):
        path = "/" + file.parent.relative_to(copy).as_posix() + "/"
        file.write_text(edit(path, file.read_text(encoding="utf-8")), encoding="utf-8")
    return copy


def _without_hrefs(m: re.Match[str]) -> str:
    return re.sub(r' href="[^"]*"', "", m[0])


def no_teasers(path: str, html: str) -> str:
    # Every tip's links lose their URLs (a renamed class alone is still read).
    return re.sub(r'<div class="tip-post">.*?</div>\n</div>', _without_hrefs, html, flags=re.S)


def no_titles(path: str, html: str) -> str:
    # Title links lose their URLs: no rule reads a title (a lost rel=bookmark is still read).
    return re.sub(r'(<h2 class="entry-title"><a) href="[^"]*"', r"\1", html)


EMPTIED = "/category/service-advice/"


def archive_emptied(path: str, html: str) -> str:
    if not path.startswith(EMPTIED):
        return html
    return re.sub(r"<article\b.*?</article>", "", html, flags=re.DOTALL)


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (no_teasers, "drift.no_teasers"),
        (no_titles, "drift.article_without_title"),
        (archive_emptied, "drift.no_posts"),
    ],
    ids=["read-more-but-no-teasers", "articles-without-titles", "archive-now-empty"],
)
def test_drift_fails_the_run_names_the_pages_and_never_shrinks_the_tables(
    tmp_path: Path, edit: Edit, code: str
) -> None:
    data = tmp_path / "data"
    site = drifted(tmp_path, edit)
    with serve(SNAP2) as srv:
        assert run(srv, data).exit_status == 0
        before_urls, before = published_urls(data), content(data)
        srv.swap(site)
        done = cli(srv.url, data, "--full")  # a full run is the one that may mark posts gone
    assert done.returncode == 1
    assert code in done.stderr.splitlines()[0]  # the one-line reason
    drift_lines = [line for line in done.stderr.splitlines() if line.startswith("  DRIFT ")]
    pages = {line.split()[1].removesuffix(":") for line in drift_lines}
    assert all(page.startswith(srv.url + "/") for page in pages)
    assert any(code in line for line in drift_lines)
    if code == "drift.no_posts":
        assert pages == {
            srv.url + EMPTIED,
            srv.url + EMPTIED + "page/2/",
        }
    after_urls = published_urls(data)
    for name in PUBLISHED:
        assert after_urls[name] >= before_urls[name], name
    posts = pq.read_table(data / "processed" / "posts.parquet")
    assert posts["gone_at"].null_count == posts.num_rows  # the drifted run marked nothing gone
    after = content(data)
    for name in PUBLISHED:
        assert after[name] == before[name], name  # nothing lost, nothing half-read stored


def _first_tip_unlinked(path: str, html: str) -> str:
    start = html.find('<div class="tip-post">')
    if start < 0:
        return html
    end = html.index('<div class="tip-post">', start + 1)
    return html[:start] + re.sub(r' href="[^"]*"', "", html[start:end]) + html[end:]


def test_fewer_teasers_than_read_more_links_is_drift(tmp_path: Path) -> None:
    # One tip's links lose their URLs: the other nine are read, the tenth must not vanish.
    site = drifted(tmp_path, _first_tip_unlinked)
    with serve(site) as srv:
        report = run(srv, tmp_path / "data", archives=("/tag/resolve/",))
    assert report.exit_status == 1
    assert [(d["code"], d["url"]) for d in report.drift] == [
        ("drift.teasers_missing", srv.url + "/tag/resolve/")
    ]
    assert "10 Read more links but only 9 teasers" in report.drift[0]["detail"]


# -- field by field, on a real theme's markup ------------------------------------------------
# Twenty Twenty-One (tests/themes) with one field's markup changed across the whole site the
# way a theme update would: still shown, no longer readable by any rule. The run fails and
# its report names the field's drift code and the pages (or posts) it was found on.

FIELD_BREAKS = [
    ("tags", parse_drift.tags_moved, "drift.tags_unread"),
    ("categories", parse_drift.categories_moved, "drift.categories_unread"),
    ("date", parse_drift.dates_unreadable, "drift.date_unread"),
    ("teasers", parse_drift.teasers_unlinked, "drift.no_teasers"),
    ("next", parse_drift.next_unlinked, "drift.next_unread"),
]


@pytest.fixture(scope="module")
def theme_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_fixture(parse_drift.THEME, "cssamerica", tmp_path_factory.mktemp("tt1") / "site")


def _broken_copy(site: Path, dest: Path, edit: Callable[[str], str]) -> Path:
    shutil.copytree(site, dest)
    for file in dest.rglob("index.html"):
        html = file.read_text(encoding="utf-8")
        try:
            changed = edit(html)
        except ValueError:  # the markup the edit breaks is not on this page
            continue
        file.write_text(changed, encoding="utf-8")
    return dest


@pytest.mark.parametrize(("field", "edit", "code"), FIELD_BREAKS, ids=[b[0] for b in FIELD_BREAKS])
def test_a_theme_field_shown_but_unread_fails_the_run(
    theme_site: Path, tmp_path: Path, field: str, edit: Callable[[str], str], code: str
) -> None:
    with serve(_broken_copy(theme_site, tmp_path / "site", edit)) as srv:
        report = run(srv, tmp_path / "data")
    assert report.exit_status == 1
    assert code in {d["code"] for d in report.drift}
    named = [d for d in report.drift if d["code"] == code]
    assert all(d["url"].startswith(srv.url + "/") for d in named)
    if field in ("tags", "categories", "date"):  # which field, on which page
        assert all(d["detail"].startswith(f"{field} on {srv.url}/") for d in named)
