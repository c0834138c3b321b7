"""The REST API's second opinion in `etl corpus`, end to end on the theme fixtures (replay
server, real tables): a post whose tags the API contradicts fails the run, naming the post,
the field and both values; an edit after the page was fetched is reported, not failed; a
closed API is a reason, not a failure; the extra requests are bounded and an unchanged
refresh asks none; `etl stats` and the report show the agreement."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from etl.cli import main
from etl.pipeline import run_corpus
from etl.replay.server import serve
from etl.runtext import summary_line
from tests.replay_settings import fast_settings
from tests.themes import BLOGS, render_fixture, rest

FIELDS = {"title", "published_at", "categories", "tags"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_fixture("twentytwentyone", "second", tmp_path_factory.mktemp("t") / "site")


@pytest.fixture
def site(pristine: Path, tmp_path: Path) -> Path:
    """A copy each test may change."""
    return Path(shutil.copytree(pristine, tmp_path / "site"))


def test_every_field_agrees_on_a_clean_site_and_the_requests_are_bounded(
    site: Path, tmp_path: Path
) -> None:
    posts = len(BLOGS["second"]().posts)
    with serve(site) as srv:
        report = run_corpus(fast_settings(srv, tmp_path / "data"))
        asked = [e.path for e in srv.log if e.path.startswith("/wp-json/")]
    assert report.exit_status == 0, report.reason
    assert report.rest is not None and report.rest["status"] == "ok"
    assert report.rest["posts"] == report.rest["compared"] == posts
    assert report.rest["fields"] == {f: {"agree": posts, "compared": posts} for f in FIELDS}
    assert report.rest["disagreements"] == report.rest["lagging"] == []
    # One page of posts and each term list (small enough for one page each), plus the
    # audit's count: nothing else.
    assert report.rest["requests"] == 3
    assert sorted(asked) == sorted(
        ["/wp-json/wp/v2/posts"] * 2 + ["/wp-json/wp/v2/categories", "/wp-json/wp/v2/tags"]
    )
    assert "REST API agrees on" in summary_line(report)


def test_a_tag_the_api_contradicts_fails_the_run_naming_post_field_and_values(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link, _, api_tags = rest.disagree_on_tag(site)
    names = {t["id"]: t["name"] for t in _json(site / "wp-json/wp/v2/tags.json")}
    with serve(site) as srv:
        url = link.replace(BLOGS["second"]().origin, srv.url)
        status = main(["corpus", "--site", srv.url, "--data-dir", str(tmp_path / "data"),
                       "--rate", "0", "-q"])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    report = _last_report(tmp_path / "data")
    assert report["reason"].startswith("the REST API disagrees with the pages on 1 field(s)")
    [found] = report["rest"]["disagreements"]
    api = "[" + ", ".join(sorted(names[t] for t in api_tags)) + "]"
    assert found["url"] == url and found["field"] == "tags" and found["site"] == api
    assert found["page"] != api and found["page"].startswith("[")
    assert f"DISAGREE {url}: tags: REST API {api}, page {found['page']}" in err
    # The good data is still merged and published, as with drift.
    assert report["published"] is True and report["posts"]["total"] == len(BLOGS["second"]().posts)
    # etl stats and the report show it too.
    assert main(["stats", "--data-dir", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"REST API\s+agrees on title \d+/\d+, published_at", out)
    assert f"{url}: REST API {api}, page {found['page']}" in out
    assert main(["report", "--data-dir", str(tmp_path / "data")]) == 0
    page = (tmp_path / "data" / "processed" / "report.html").read_text(encoding="utf-8")
    assert 'id="rest-disagreements"' in page and 'id="rule-counts"' in page
    assert 'id="rest-agreement"' in page  # the per-field table: agree / compared


def test_a_post_edited_after_its_page_was_fetched_is_reported_not_failed(
    site: Path, tmp_path: Path
) -> None:
    link, post_id, _ = rest.disagree_on_tag(site)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).replace(tzinfo=None)
    path = site / "wp-json/wp/v2/posts.json"
    posts = _json(path)
    for post in posts:
        if post["id"] == post_id:  # the editor saved it after the crawl read the page
            post["modified_gmt"] = later.isoformat(timespec="seconds")
    path.write_text(json.dumps(posts), encoding="utf-8")
    with serve(site) as srv:
        report = run_corpus(fast_settings(srv, tmp_path / "data"))
    assert report.exit_status == 0, report.reason
    assert report.rest is not None and report.rest["disagreements"] == []
    [late] = report.rest["lagging"]
    assert late["field"] == "tags" and late["url"].endswith(link.split("/")[-2] + "/")
    assert any("newer edit than the page" in w["message"] for w in report.warnings)


@pytest.mark.parametrize(
    ("how", "why"),
    [("401", "HTTP 401: the REST API is closed"), ("404", "HTTP 404: no REST API"),
     ("html", "not JSON (text/html")],
)  # fmt: skip
def test_a_closed_api_is_a_reason_and_the_run_goes_on(
    site: Path, tmp_path: Path, how: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(site) as srv:
        rest.api_off(srv, how)
        report = run_corpus(fast_settings(srv, tmp_path / "data"))
    assert report.exit_status == 0, report.reason
    assert report.rest is not None and report.rest["status"].startswith(why)
    assert report.rest["requests"] == 1  # the posts page only: no term lists
    assert f"; REST API not used: {why}" in summary_line(report)  # what cron mails
    capsys.readouterr()
    assert main(["stats", "--data-dir", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^REST API\s+{re.escape(why)}", out, re.M), out


def test_an_unchanged_refresh_asks_nothing_and_new_posts_ask_again(
    site: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with serve(site) as srv:
        assert run_corpus(fast_settings(srv, data)).exit_status == 0
        mark = len(srv.log)
        again = run_corpus(fast_settings(srv, data))
        assert again.mode == "incremental" and again.exit_status == 0
        assert not [e for e in srv.log[mark:] if e.path.startswith("/wp-json/")]
        assert again.rest == _not_asked()
        # The site edits the newest post's text: a changed post, so a second opinion.
        _edit_newest_post(site)
        mark = len(srv.log)
        third = run_corpus(fast_settings(srv, data))
        asked = [e.path for e in srv.log[mark:] if e.path.startswith("/wp-json/")]
    assert third.posts["updated"] == 1, third.posts
    assert third.exit_status == 0, third.reason
    assert third.rest is not None and third.rest["status"] == "ok", third.rest
    assert len(asked) == third.rest["requests"] == 3


def test_rest_check_off_asks_nothing(site: Path, tmp_path: Path) -> None:
    with serve(site) as srv:
        report = run_corpus(fast_settings(srv, tmp_path / "data", rest_check=False))
        rest_paths = {e.path for e in srv.log if e.path.startswith("/wp-json/")}
    assert report.exit_status == 0
    assert report.rest is not None and report.rest["status"] == "not asked (rest_check is off)"
    assert rest_paths == {"/wp-json/wp/v2/posts"}  # the audit's count only


def _not_asked() -> dict[str, object]:
    return {
        "status": "not asked: no new or changed posts in this run",
        "posts": 0,
        "compared": 0,
        "fields": {},
        "disagreements": [],
        "lagging": [],
        "not_in_corpus": [],
        "problems": [],
    }


def _edit_newest_post(site: Path) -> None:
    """The newest post's first paragraph reworded on every page that shows it, and its
    `lastmod` in the posts sitemap moved to now, as WordPress does on an edit."""
    newest = BLOGS["second"]().posts[0]
    first = re.search(r"<p>(.+?)</p>", newest.body)
    assert first is not None
    pages = 0
    for page in site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        if first[0] in html:
            page.write_text(html.replace(first[0], "<p>Reworded by the editor.</p>"), "utf-8")
            pages += 1
    assert pages >= 2  # its archives' first pages and its own page
    sitemap = site / "wp-sitemap-posts-post-1.xml"
    now = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat()
    entry = re.compile(rf"(<loc>[^<]*{re.escape(newest.path)}</loc><lastmod>)[^<]*")
    text, n = entry.subn(rf"\g<1>{now}", sitemap.read_text(encoding="utf-8"))
    assert n == 1
    sitemap.write_text(text, encoding="utf-8")


def _json(path: Path) -> list[dict[str, Any]]:
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, list)
    return value


def _last_report(data: Path) -> dict[str, Any]:
    path = sorted((data / "runs").glob("*.json"))[-1]
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value
