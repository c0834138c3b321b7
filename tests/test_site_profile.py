"""The site profile in the run: learned on a full run from its first archive pages, kept in
DATA_DIR/profile.json, given to the parser on later runs; a change of theme named in the run
report; a teaser block the stored profile expects and the page lacks is drift; the rule that
read each field counted; the site's own rules set in configuration only."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from etl.load.profile_store import PROFILE_NAME, configured, for_run, read_profile
from etl.parse.profile import DEFAULT
from etl.pipeline import rebuild, run_corpus
from etl.replay.server import serve
from etl.runtext import summary_line
from etl.settings import Settings
from tests.replay_settings import fast_settings
from tests.themes import BLOGS, expected, render_fixture
from tests.themes.expected import read_corpus
from tests.themes.second import SIGN_OFF


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("sites")
    pairs = {"contract": ("contract", "cssamerica"), "genesis": ("genesis", "cssamerica"),
             "second": ("contract", "second")}  # fmt: skip
    return {key: render_fixture(t, b, base / key) for key, (t, b) in pairs.items()}


def stored(data: Path) -> dict[str, Any]:
    value = json.loads((data / PROFILE_NAME).read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


def test_a_full_run_learns_and_keeps_the_profile_and_later_runs_read_it(
    sites: dict[str, Path], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with serve(sites["second"]) as srv:
        first = run_corpus(fast_settings(srv, data))
        again = run_corpus(fast_settings(srv, data))
        want = expected.posts(BLOGS["second"](), srv.url), expected.teasers(BLOGS["second"]())
    assert first.exit_status == 0 and first.mode == "full"
    assert first.site_profile is not None
    assert first.site_profile["learned"] and first.site_profile["first"]
    assert first.site_profile["changed"] == []
    profile = stored(data)
    # The second blog: its titles carry no dates, it shows no latest-posts block.
    assert profile["theme"] == "css" and profile["heading_dates"] is False
    assert profile["has_teasers"] is False and profile["pages"] >= 3
    assert again.mode == "incremental" and again.exit_status == 0
    assert again.site_profile is not None and not again.site_profile["learned"]
    assert again.site_profile["theme"] == "css" and again.site_profile["heading_dates"] is False
    assert stored(data) == profile  # an incremental run does not rewrite it
    # Titles without dates: the dates come from the page; no block: no teasers, no drift.
    assert expected.differences(want, read_corpus(data)) == []


def test_rule_counts_per_field_in_the_run_report(sites: dict[str, Path], tmp_path: Path) -> None:
    with serve(sites["contract"]) as srv:
        report = run_corpus(fast_settings(srv, tmp_path / "data"))
    rules = report.rules
    records = sum(rules["post.url"].values())
    for name in ("post.title", "post.date", "post.categories", "post.tags", "post.text"):
        assert sum(rules[name].values()) == records, name  # every record, by rule or "none"
    assert rules["post.title"] == {"entry_title": records}
    assert set(rules["post.tags"]) <= {"rel_tag", "none"} and rules["post.tags"]["rel_tag"]
    pages = sum(rules["page.kind"].values())
    for name in ("page.teasers", "page.next", "page.term"):
        assert sum(rules[name].values()) == pages, name
    assert rules["page.teasers"] == {"latest_tips": pages}


def test_a_change_of_theme_is_named_in_the_run_report(
    sites: dict[str, Path], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with serve(sites["contract"]) as srv:
        assert run_corpus(fast_settings(srv, data)).exit_status == 0
        srv.swap(sites["genesis"])  # the same blog, a new theme
        changed = run_corpus(fast_settings(srv, data, full=True))
        settled = run_corpus(fast_settings(srv, data, full=True))
    assert changed.site_profile is not None and changed.site_profile["learned"]
    lines = changed.site_profile["changed"]
    assert "theme: css -> genesis-sample" in lines
    assert any(line.startswith("teaser block: ") for line in lines)
    assert any(w["message"].startswith("site profile changed: theme") for w in changed.warnings)
    assert f"site profile changed ({len(lines)} items)" in summary_line(changed)
    assert stored(data)["theme"] == "genesis-sample"
    # Read with the new profile, the next run agrees with itself: nothing changed.
    assert settled.site_profile is not None and settled.site_profile["changed"] == []
    assert settled.exit_status == 0, settled.reason


def _without_teaser_block(folder: Path) -> int:
    """Every page loses the latest-tips block (as if a widget were removed); pages changed."""
    changed = 0
    for page in folder.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        new = _cut_block(html)
        if new != html:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _cut_block(html: str) -> str:
    start = html.find('<div class="latest-tips">')
    if start < 0:
        return html
    depth, at = 0, start
    for m in re.finditer(r"<(/?)div\b[^>]*>", html[start:]):
        depth += -1 if m[1] else 1
        if depth == 0:
            at = start + m.end()
            break
    return html[:start] + html[at:]


def test_a_teaser_block_the_stored_profile_expects_and_the_page_lacks_is_drift(
    sites: dict[str, Path], tmp_path: Path
) -> None:
    folder = Path(shutil.copytree(sites["contract"], tmp_path / "site"))
    # Without lastmod in the sitemaps the refresh asks the archives (with them, an unchanged
    # site is not read again: the drift would show on the next run that reads a page).
    posts = folder / "wp-sitemap-posts-post-1.xml"
    posts.write_text(re.sub(r"<lastmod>[^<]*</lastmod>", "", posts.read_text()))
    data = tmp_path / "data"
    with serve(folder) as srv:
        assert run_corpus(fast_settings(srv, data)).exit_status == 0
        assert stored(data)["has_teasers"] is True
        assert _without_teaser_block(folder) > 0
        missed = run_corpus(fast_settings(srv, data))
        (data / PROFILE_NAME).unlink()  # without the profile the page alone cannot tell
        alone = run_corpus(fast_settings(srv, data))
    assert missed.exit_status == 1 and missed.mode == "incremental"
    assert missed.drift and {d["code"] for d in missed.drift} == {"drift.no_teasers"}
    assert all("expects a teaser block" in d["detail"] for d in missed.drift)
    assert alone.exit_status == 0, alone.reason


def test_an_unreadable_profile_is_reported_and_a_full_run_writes_a_good_one(
    sites: dict[str, Path], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / PROFILE_NAME).write_text("{not json", encoding="utf-8")
    with serve(sites["second"]) as srv:
        report = run_corpus(fast_settings(srv, data))
    assert report.exit_status == 0
    assert report.site_profile is not None
    assert str(data / PROFILE_NAME) in report.site_profile["unreadable"]
    assert read_profile(data)[0] is not None  # rewritten by the full run


def test_rebuild_parses_with_the_stored_profile(sites: dict[str, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(sites["second"]) as srv:
        assert run_corpus(fast_settings(srv, data)).exit_status == 0
    before = read_corpus(data)
    report = rebuild(Settings(site=srv.url, data_dir=data))
    assert report.mode == "rebuild" and report.exit_status == 0, report.reason
    assert report.site_profile is not None and report.site_profile["theme"] == "css"
    assert read_corpus(data) == before


def test_the_site_rules_come_from_the_settings_only(tmp_path: Path) -> None:
    assert configured(Settings()) == DEFAULT  # cssamerica's rules are the defaults
    off = configured(Settings(heading_dates="off", boilerplate=("Happy gardening!",)))
    assert off.heading_dates is False and off.boilerplate == ("Happy gardening!",)
    learned = dataclasses.replace(DEFAULT, theme="x", heading_dates=False)
    assert for_run(Settings(), learned).heading_dates is False  # auto: as learned
    assert for_run(Settings(heading_dates="on"), learned).heading_dates is True


def test_configured_boilerplate_leaves_the_text(sites: dict[str, Path], tmp_path: Path) -> None:
    # Learning is off here (a paragraph would need a million posts), so only the setting acts.
    never = {"boilerplate_min_posts": 1_000_000}
    with serve(sites["second"]) as srv:
        plain = fast_settings(srv, tmp_path / "plain", **never)
        assert run_corpus(plain).exit_status == 0
        told = fast_settings(srv, tmp_path / "told", boilerplate=(r"Happy gardening!",), **never)
        assert run_corpus(told).exit_status == 0
    signed = [p for p in read_corpus(tmp_path / "plain")[0] if SIGN_OFF in p["text"]]
    assert signed, "the second blog signs off some posts"
    told_posts = {p["url"]: p for p in read_corpus(tmp_path / "told")[0]}
    assert all(SIGN_OFF not in told_posts[p["url"]]["text"] for p in signed)
    assert len(told_posts) == len(BLOGS["second"]().posts)


def test_heading_dates_off_keeps_the_date_in_the_title(
    sites: dict[str, Path], tmp_path: Path
) -> None:
    with serve(sites["contract"]) as srv:
        report = run_corpus(fast_settings(srv, tmp_path / "data", heading_dates="off"))
    assert report.exit_status == 0
    posts, _ = read_corpus(tmp_path / "data")
    assert any(re.search(r" \d{1,2}/\d{1,2}/\d{2}$", p["title"]) for p in posts)
    assert stored(tmp_path / "data")["heading_dates"] is False
