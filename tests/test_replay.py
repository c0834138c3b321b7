"""The replay server behaves like the site, and its faults are deterministic and transient."""

from __future__ import annotations

import email.utils
import http.client
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from etl.replay.faults import FAULT_KINDS, FaultPlan
from etl.replay.server import BIG_PATH, OFFSITE_PATH, serve

SITE = Path(__file__).parent / "fixtures" / "site"
SNAP1, SNAP2 = SITE / "snapshot-1", SITE / "snapshot-2"
TIP = "/category/customer-service-tip-of-the-week/"


def test_serves_files_with_links_rewritten_to_its_own_origin() -> None:
    with serve(SNAP2) as srv, httpx.Client(base_url=srv.url) as http:
        home = http.get("/")
        robots = http.get("/robots.txt")
        sitemap = http.get("/wp-sitemap.xml")
    assert home.status_code == 200
    assert home.headers["content-type"].startswith("text/html")
    assert f'href="{srv.url}{TIP}"' in home.text
    for response in (home, robots, sitemap):
        assert "https://cssamerica.com" not in response.text
    assert f"Sitemap: {srv.url}/wp-sitemap.xml" in robots.text
    assert f"<loc>{srv.url}/wp-sitemap-taxonomies-category-1.xml</loc>" in sitemap.text


def test_page_one_redirects_and_missing_paths_answer_404_with_the_404_page() -> None:
    with serve(SNAP2) as srv, httpx.Client(base_url=srv.url) as http:
        first = http.get(f"{TIP}page/1/")
        missing = http.get("/no/such/page/")
        past_end = http.get(f"{TIP}page/21/")
    assert first.status_code == 301
    assert first.headers["location"] == f"{srv.url}{TIP}"
    expected = (SNAP2 / "404.html").read_text()
    assert missing.status_code == past_end.status_code == 404
    assert missing.text == expected.replace("https://cssamerica.com", srv.url)


def test_conditional_requests_get_304_and_gzip_when_asked() -> None:
    with serve(SNAP2) as srv, httpx.Client(base_url=srv.url) as http:
        page = http.get(TIP, headers={"Accept-Encoding": "identity"})
        etag, modified = page.headers["etag"], page.headers["last-modified"]
        by_tag = http.get(TIP, headers={"If-None-Match": etag})
        by_date = http.get(TIP, headers={"If-Modified-Since": modified})
        stale = http.get(TIP, headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
        zipped = http.get(TIP, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in page.headers
    assert (by_tag.status_code, by_tag.content, by_tag.headers["etag"]) == (304, b"", etag)
    assert by_date.status_code == 304
    assert stale.status_code == 200  # If-None-Match decides when both are sent
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(page.content) / 2
    assert zipped.content == page.content  # httpx decoded it


def test_keeps_connections_alive_over_http_1_1() -> None:
    with serve(SNAP2) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", int(srv.url.rsplit(":", 1)[1]))
        statuses = []
        for path in ("/", "/robots.txt", "/missing/", TIP):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            statuses.append((response.version, response.status))
        conn.close()
    assert statuses == [(11, 200), (11, 200), (11, 404), (11, 200)]
    assert srv.count() == 4


def test_swap_serves_another_snapshot() -> None:
    with serve(SNAP2) as srv, httpx.Client(base_url=srv.url) as http:
        assert http.get(f"{TIP}page/20/").status_code == 200
        srv.swap(SNAP1)
        assert http.get(f"{TIP}page/20/").status_code == 404


def test_fault_plan_is_deterministic_and_hits_the_asked_fraction() -> None:
    paths = [f"/p/{i}/" for i in range(2000)]
    plan = FaultPlan(seed=7, fraction=0.3)
    faults = [plan.fault_for(p) for p in paths]
    assert faults == [FaultPlan(seed=7, fraction=0.3).fault_for(p) for p in paths]
    assert faults != [FaultPlan(seed=8, fraction=0.3).fault_for(p) for p in paths]
    hit = [f for f in faults if f]
    assert 0.26 < len(hit) / len(paths) < 0.34
    assert {kind for kind, _ in hit} == set(FAULT_KINDS)
    assert {times for _, times in hit} == {1, 2}


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_fails_only_the_first_attempts_of_a_path(kind: str) -> None:
    plan = FaultPlan(fraction=1.0, kinds=(kind,), slow_seconds=0.4, retry_after=1)
    times = plan.fault_for(TIP)
    assert times is not None
    outcomes: list[object] = []
    with serve(SNAP2, faults=plan) as srv, httpx.Client(base_url=srv.url, timeout=0.2) as http:
        for _ in range(times[1] + 1):
            try:
                outcomes.append(http.get(TIP))
            except httpx.HTTPError as exc:
                outcomes.append(exc)
    *failed, last = outcomes
    assert isinstance(last, httpx.Response) and last.status_code == 200
    assert [e.fault for e in sorted(srv.log, key=lambda e: e.started)] == [kind] * times[1] + [None]
    for outcome in failed:
        if kind.startswith("429"):
            assert isinstance(outcome, httpx.Response) and outcome.status_code == 429
            after = outcome.headers["retry-after"]
            assert after == "1" if kind == "429" else email.utils.parsedate_to_datetime(after)
        elif kind in ("500", "503"):
            assert isinstance(outcome, httpx.Response) and outcome.status_code == int(kind)
        elif kind == "slow":
            assert isinstance(outcome, httpx.ReadTimeout)
        else:  # drop, reset, truncate: the transport breaks mid-exchange
            assert isinstance(outcome, httpx.RemoteProtocolError | httpx.ReadError)


def test_test_hooks_offsite_redirect_oversized_answer_and_overrides() -> None:
    with serve(SNAP2, big_bytes=12_345) as srv, httpx.Client(base_url=srv.url) as http:
        offsite = http.get(OFFSITE_PATH)
        big = http.get(BIG_PATH)
        srv.override("/robots.txt", 503, b"down")
        robots = http.get("/robots.txt")
    assert offsite.status_code == 302
    assert not offsite.headers["location"].startswith(srv.url)
    assert len(big.content) == 12_345
    assert (robots.status_code, robots.content) == (503, b"down")
    assert [e.status for e in srv.log] == [302, 200, 503]


def test_command_line_serves_in_the_foreground_and_prints_its_url() -> None:
    command = [sys.executable, "-m", "etl.replay.server", str(SNAP2)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            assert httpx.get(f"{url}/robots.txt").status_code == 200
        finally:
            proc.terminate()


@pytest.fixture(scope="module")
def second_blog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder on another origin (https://blog.example.org) with REST API data."""
    from tests.themes import render_fixture

    return render_fixture("contract", "second", tmp_path_factory.mktemp("blog") / "site")


def test_a_folder_on_another_origin_is_served_under_the_servers_own(second_blog: Path) -> None:
    with serve(second_blog) as srv, httpx.Client(base_url=srv.url) as http:
        home, robots = http.get("/"), http.get("/robots.txt")
        posts = http.get("/wp-json/wp/v2/posts", params={"per_page": 1})
    assert srv.origin == "https://blog.example.org"  # named by its robots.txt
    for response in (home, robots, posts):
        assert "blog.example.org" not in response.text
    assert f"Sitemap: {srv.url}/wp-sitemap.xml" in robots.text
    assert posts.json()[0]["link"].startswith(srv.url + "/")
    assert home.headers["link"] == f'<{srv.url}/wp-json/>; rel="https://api.w.org/"'
    with serve(second_blog, origin="https://elsewhere.invalid") as srv:
        assert "https://blog.example.org/" in httpx.get(srv.url + "/").text  # left as it was
    with serve(SNAP2) as srv:
        assert srv.origin == "https://cssamerica.com" and "link" not in httpx.get(srv.url).headers


def test_rest_collections_are_paged_and_filtered_like_wordpress(second_blog: Path) -> None:
    data = json.loads((second_blog / "wp-json/wp/v2/posts.json").read_text())
    total, middle = len(data), data[len(data) // 2]["date"]
    with serve(second_blog) as srv, httpx.Client(base_url=srv.url) as http:
        first = http.get("/wp-json/wp/v2/posts")
        page = http.get("/wp-json/wp/v2/posts?per_page=5&page=2&_fields=id,link,date_gmt,tags")
        last = http.get("/wp-json/wp/v2/posts?per_page=100&page=1&_fields=date")
        past = http.get("/wp-json/wp/v2/posts?per_page=100&page=2")
        too_many = http.get("/wp-json/wp/v2/posts?per_page=101")
        tags = http.get("/wp-json/wp/v2/tags?per_page=100&page=3")
        after = http.get("/wp-json/wp/v2/posts", params={"per_page": 100, "after": middle})
        index = http.get("/wp-json/")
    assert first.headers["content-type"] == "application/json; charset=UTF-8"
    assert len(first.json()) == 10 and first.headers["x-wp-total"] == str(total)
    assert first.headers["x-wp-totalpages"] == str(-(-total // 10))
    assert 'page=2>; rel="next"' in first.headers["link"]
    assert [set(p) for p in page.json()] == [{"id", "link", "date_gmt", "tags"}] * 5
    assert [p["id"] for p in page.json()] == [p["id"] for p in first.json()[5:10]]
    assert len(last.json()) == total and "link" not in last.headers
    dates = [p["date"] for p in last.json()]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert (past.status_code, past.json()["code"]) == (400, "rest_post_invalid_page_number")
    assert (too_many.status_code, too_many.json()["code"]) == (400, "rest_invalid_param")
    assert (tags.status_code, tags.json()) == (200, [])  # terms: past the end is empty
    assert [p["date"] for p in after.json()] == [p["date"] for p in data if p["date"] > middle]
    assert after.headers["x-wp-total"] == str(total // 2)
    assert index.json()["url"] == srv.url


def test_the_rest_api_can_be_closed_and_is_absent_from_plain_snapshots(second_blog: Path) -> None:
    from tests.themes.rest import api_off

    with serve(second_blog) as srv, httpx.Client(base_url=srv.url) as http:
        for how, status, kind in (("401", 401, "json"), ("404", 404, "html"), ("html", 200, "")):
            api_off(srv, how)
            answer = http.get("/wp-json/wp/v2/posts", params={"per_page": 100})
            assert answer.status_code == status and kind in answer.headers["content-type"]
            assert (how == "401") == answer.headers["content-type"].startswith("application/json")
    with serve(SNAP2) as srv:
        missing = httpx.get(srv.url + "/wp-json/wp/v2/posts?per_page=1")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
