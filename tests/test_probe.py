"""`etl probe`: on every theme fixture (both blogs), the contract snapshot and a page that is
not WordPress; requests counted at the replay server (never more than 10); the verdict and the
exit status; what the screen and the JSON say."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from etl.cli import main
from etl.pipeline import run_corpus
from etl.probe.look import MAX_REQUESTS
from etl.replay.server import serve
from tests.replay_settings import fast_settings
from tests.themes import BLOGS, THEMES, rest
from tests.themes.checks import render_all

SNAP2 = Path(__file__).parent / "fixtures" / "site" / "snapshot-2"
# The theme's folder name as its pages print it (the contract theme's is "css").
FOLDER = {"contract": "css", "genesis": "genesis-sample"}
PAIRS = [(theme, blog) for theme in THEMES for blog in BLOGS]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    return render_all(tmp_path_factory.mktemp("themes"))


def probe_json(url: str, tmp_path: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    """`etl probe --json` in this process: its exit status and what it printed."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(["probe", "--site", url, "--data-dir", str(tmp_path / "data"), "--json",
                       "--rate", "0", *flags])  # fmt: skip
    return status, json.loads(buffer.getvalue())


@pytest.mark.parametrize(("theme", "blog"), PAIRS, ids=[f"{t}-{b}" for t, b in PAIRS])
def test_probe_says_ready_on_every_theme_fixture_within_ten_requests(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str, tmp_path: Path
) -> None:
    with serve(rendered[theme, blog]) as srv:
        status, found = probe_json(srv.url, tmp_path)
        asked = srv.count()
    assert status == 0, found["problems"]
    assert found["verdict"] == "ready" and found["problems"] == []
    assert asked <= MAX_REQUESTS and found["requests"] == asked
    assert "wp-content paths" in found["wordpress"]
    assert f"{srv.url}/feed/" in found["feeds"]  # every theme's head advertises the posts feed
    assert found["theme"] == FOLDER.get(theme, theme)
    assert found["rest_api"] == {"status": "ok", "total": len(BLOGS[blog]().posts)}
    assert len(found["archives"]) == len(BLOGS[blog]().terms)
    sample = found["sample"]
    assert isinstance(sample, dict) and sample["kind"] == "archive" and sample["drift"] == []
    assert sample["term"] and 1 <= len(sample["posts"]) <= 3
    assert all(p["title"] and p["date"] and p["categories"] for p in sample["posts"])
    assert sample["rules"]["post.title"] and sample["rules"]["page.term"]
    assert found["excerpts_only"] is THEMES[theme].excerpts
    has_block = BLOGS[blog]().latest > 0
    assert (sample["teaser_block"] is not None) is has_block and (
        sample["teasers"] > 0
    ) is has_block
    assert found["next_page"] is not None  # every sample archive here has a second page
    assert not THEMES[theme].excerpts or any("archives show excerpts" in n for n in found["notes"])


def test_probe_on_the_contract_snapshot_prints_one_screen_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(SNAP2) as srv:
        status = main(["probe", "--site", srv.url, "--data-dir", str(tmp_path), "--rate", "0"])
        asked = srv.count()
    out = capsys.readouterr().out
    assert status == 0 and asked <= MAX_REQUESTS
    assert f"{asked} requests (at most {MAX_REQUESTS})" in out
    for label in ("WordPress", "theme", "REST API", "sitemaps", "feeds", "archives", "rules",
                  "post", "teaser block", "pagination", "verdict"):  # fmt: skip
        assert re.search(rf"^\s*{label}\s", out, re.M), (label, out)
    assert "verdict          ready" in out or re.search(r"^verdict\s+ready$", out, re.M)
    assert "latest-tips" in out  # the teaser block, where it sits
    assert "HTTP 404: no REST API" in out  # this snapshot has no REST data: a note, no failure
    assert not (tmp_path / "raw").exists()  # the probe keeps no responses


def test_a_page_that_is_not_wordpress_gets_a_clear_verdict_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "shop"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    (site / "404.html").write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    (site / "index.html").write_text(
        '<!DOCTYPE html><html><head><title>A shop</title><link rel="stylesheet" '
        'href="/static/shop.css"></head><body class="home"><h1>Our shop</h1>'
        '<a href="/category/shoes/">Shoes</a></body></html>'
    )
    with serve(site, origin="https://shop.example") as srv:
        status = main(
            ["probe", "--site", srv.url, "--data-dir", str(tmp_path / "d"), "--rate", "0"]
        )
        asked = srv.count()
    out = capsys.readouterr().out
    assert status == 1
    assert re.search(r"^verdict\s+not WordPress", out, re.M), out
    assert "no WordPress generator tag, no /wp-content/ paths, no api.w.org link" in out
    assert asked == 2  # robots.txt and the home page: nothing more to ask


@pytest.mark.parametrize("how", ["401", "404", "html"])
def test_a_closed_rest_api_is_a_note_and_the_site_still_ready(
    rendered: dict[tuple[str, str], Path], how: str, tmp_path: Path
) -> None:
    with serve(rendered["twentytwentyone", "second"]) as srv:
        rest.api_off(srv, how)
        status, found = probe_json(srv.url, tmp_path)
    assert status == 0
    why = {"401": "HTTP 401", "404": "HTTP 404", "html": "not JSON (text/html"}[how]
    assert found["rest_api"]["status"].startswith(why)
    assert any(n.startswith(f"REST API: {why}") for n in found["notes"])


def test_drift_on_the_sample_page_fails_the_verdict_naming_the_page(
    rendered: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    folder = tmp_path / "site"
    shutil.copytree(rendered["twentytwentyone", "second"], folder)
    for page in [*folder.glob("category/**/index.html"), *folder.glob("tag/**/index.html")]:
        # A theme update: the tag links still shown, but no longer rel=tag under /tag/.
        html = page.read_text(encoding="utf-8")
        moved = re.sub(r'href="([^"]*)/tag/([^"]*)" rel="tag"', r'href="\1/topic/\2"', html)
        page.write_text(moved, encoding="utf-8")
    with serve(folder) as srv:
        status, found = probe_json(srv.url, tmp_path)
    assert status == 1 and found["verdict"] == "fail"
    problems = found["problems"]
    assert isinstance(problems, list) and problems
    assert all(p.startswith("drift.tags_unread on ") for p in problems), problems


def test_robots_txt_unreachable_fails_before_anything_else(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/robots.txt", 503, b"down")
        status, found = probe_json(srv.url, tmp_path)
        asked = srv.count()
    assert status == 1 and asked == 1
    assert found["problems"] == [found["problems"][0]] and "robots.txt" in found["problems"][0]


def test_the_probe_reads_with_the_stored_profile(
    rendered: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    with serve(rendered["genesis", "cssamerica"]) as srv:
        assert run_corpus(fast_settings(srv, tmp_path / "data")).exit_status == 0
        status, found = probe_json(srv.url, tmp_path)
    assert status == 0
    assert found["profile"] == {"stored": True, "theme": "genesis-sample"}


def test_a_site_not_on_loopback_needs_a_contact_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["probe", "--site", "https://blog.example.org", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2
    assert "'contact'" in err and "etl.toml" in err and "--contact" in err and "ETL_CONTACT" in err


def test_the_user_agent_names_the_operator_s_contact(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        status, _ = probe_json(srv.url, tmp_path, "--contact", "ops@example.org")
        agents = {e.headers.get("user-agent") for e in srv.log}
    assert status == 0
    assert len(agents) == 1
    agent = agents.pop() or ""
    assert agent.startswith("etl/") and "+mailto:ops@example.org" in agent
    assert "cssamerica" not in agent


def test_redirects_count_against_the_ten_requests(
    rendered: dict[tuple[str, str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The post page (archives show excerpts) redirects five times, each hop on the origin:
    the probe stops at its tenth request and says which page it could not read."""
    with serve(rendered["twentyten", "second"]) as srv:
        _, found = probe_json(srv.url, tmp_path)
        assert found["requests"] == 9  # the post page is the ninth
        post = found["sample"]["posts"][0]["url"].removeprefix(srv.url)
        hops = [post, *(f"/moved/{n}/" for n in range(1, 6))]
        for here, there in itertools.pairwise(hops):
            srv.override(here, 302, headers=[("Location", there)])
        before = srv.count()
        status = main(["probe", "--site", srv.url, "--data-dir", str(tmp_path), "--rate", "0"])
        asked = srv.count() - before
    out = capsys.readouterr().out
    assert asked == MAX_REQUESTS, [e.path for e in srv.log[before:]]
    assert f"{MAX_REQUESTS} requests (at most {MAX_REQUESTS})" in out
    assert re.search(
        rf"^note\s+the post page {srv.url}{post} was not checked: not read: its redirects "
        rf"spent the probe's {MAX_REQUESTS} requests$",
        out,
        re.M,
    ), out
    assert status == 0 and re.search(r"^verdict\s+ready$", out, re.M)


def test_the_screen_and_the_json_name_the_feeds_the_head_advertises(
    rendered: dict[tuple[str, str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(rendered["twentyten", "second"]) as srv:
        _, found = probe_json(srv.url, tmp_path)
        main(["probe", "--site", srv.url, "--data-dir", str(tmp_path), "--rate", "0"])
    assert found["feeds"] == [f"{srv.url}/feed/", f"{srv.url}/comments/feed/"]
    assert re.search(r"^feeds\s+/feed/, /comments/feed/$", capsys.readouterr().out, re.M)


@pytest.mark.parametrize("where", ["flag", "etl.toml"])
def test_a_named_archive_is_the_sample_and_no_sitemap_is_read(
    rendered: dict[tuple[str, str], Path], tmp_path: Path, where: str
) -> None:
    wildlife = "/category/wildlife/"  # not the archive the probe would pick (garden-tips)
    config = tmp_path / "etl.toml"
    config.write_text(f'archives = ["{wildlife}"]\n' if where == "etl.toml" else "")
    flags = ["--archive", wildlife] if where == "flag" else []
    with serve(rendered["twentyten", "second"]) as srv:
        status, found = probe_json(srv.url, tmp_path, "--config", str(config), *flags)
        paths = [e.path for e in srv.log]
    assert status == 0, found["problems"]
    assert found["archives"] == [srv.url + wildlife] and found["archives_from"] == ["settings"]
    assert found["sample"]["url"] == srv.url + wildlife and found["sample"]["term"] == "Wildlife"
    assert found["sitemaps"] == [] and not any("sitemap" in p for p in paths), paths
    assert not any("sitemap" in n for n in found["notes"]), found["notes"]


def test_robots_txt_disallowing_the_categories_fails_the_verdict_naming_it(
    rendered: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    folder = tmp_path / "site"
    shutil.copytree(rendered["twentyten", "second"], folder)
    robots = folder / "robots.txt"
    robots.write_text(robots.read_text().replace("Disallow:", "Disallow: /category/\nDisallow:", 1))
    with serve(folder) as srv:
        status, found = probe_json(srv.url, tmp_path)
        paths = [e.path for e in srv.log]
    assert status == 1 and found["verdict"] == "fail"
    assert found["problems"] == [
        f"the archive page {srv.url}/category/garden-tips/: refused: robots.txt disallows it"
    ]
    assert found["sample"] is None and not any(p.startswith("/category/") for p in paths), paths
