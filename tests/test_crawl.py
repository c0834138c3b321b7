"""The crawl against the replay server over real HTTP: coverage, politeness, retries, refusals."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from etl.crawl.archives import Known, crawl_archives
from etl.crawl.discover import discover
from etl.crawl.raw import RawArchive
from etl.crawl.session import CrawlResult, Validators, open_session
from etl.replay.faults import FAULT_KINDS, FaultPlan
from etl.replay.handler import LogEntry
from etl.replay.server import BIG_PATH, OFFSITE_PATH, ReplayServer, serve
from etl.settings import Settings
from tests.replay_settings import fast_settings

SITE = Path(__file__).parent / "fixtures" / "site"
SNAP1, SNAP2 = SITE / "snapshot-1", SITE / "snapshot-2"
TIP = "/category/customer-service-tip-of-the-week/"
DISCOVERY = {
    "/robots.txt",
    "/wp-sitemap.xml",
    "/wp-sitemap-taxonomies-category-1.xml",
    "/wp-sitemap-taxonomies-post_tag-1.xml",
    "/",
}


def archive_pages(snapshot: Path) -> set[str]:
    """Every category and tag page the snapshot holds, as URL paths."""
    files = [*snapshot.glob("category/**/index.html"), *snapshot.glob("tag/**/index.html")]
    return {f"/{f.parent.relative_to(snapshot).as_posix()}/" for f in files}


def run_crawl(
    s: Settings,
    *,
    validators: Validators | None = None,
    known: Known | None = None,
    seen: list[str] | None = None,
) -> CrawlResult:
    """`etl crawl`'s stages: discover, then every archive page; `seen` gets each page's URL."""

    async def go() -> CrawlResult:
        async with open_session(s, validators=validators) as session:
            found = await discover(session)
            async for got in crawl_archives(session, found.archives, known):
                if seen is not None:
                    seen.append(got.fetch.url)
        return session.result()

    return asyncio.run(go())


class KnowsEverything:
    """A corpus that holds every post unchanged: the stop rule ends each archive at once."""

    def all_unchanged(self, posts: object) -> bool:
        return True


def settings(srv: ReplayServer, tmp: Path, **kw: object) -> Settings:
    return fast_settings(srv, tmp, **{"retry_max_wait": 1.0, **kw})


def bodies(data_dir: Path, srv: ReplayServer) -> dict[str, bytes]:
    return {f.url.removeprefix(srv.url): f.body for f in RawArchive(data_dir / "raw").latest()}


def past_the_end(requested: list[str], pages: set[str]) -> set[str]:
    """Requests for archive pages the snapshot does not have: look-ahead past the last page."""
    return {p for p in requested if p not in pages and p not in DISCOVERY}


def test_full_crawl_fetches_every_archive_page_once_and_nothing_else(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        result = run_crawl(settings(srv, tmp_path))
    requested = [e.path for e in srv.log]
    pages = archive_pages(SNAP2)
    assert result.ok, result.summary()
    assert len(requested) == len(set(requested))  # each exactly once
    wasted = past_the_end(requested, pages)
    assert set(requested) == pages | DISCOVERY | wasted
    # Look-ahead: only on the `page/N/` pattern, right past an archive's last page, answered
    # 404, counted; at most concurrency - 1 past any archive's end.
    assert result.lookahead_wasted == len(wasted)
    assert all(e.status == 404 for e in srv.log if e.path in wasted)
    for path in wasted:
        archive, number = path.split("page/")
        numbers = [
            int(p.split("page/")[1].strip("/")) for p in pages if p.startswith(f"{archive}page/")
        ]
        last = max([1, *numbers])
        assert last < int(number.strip("/")) <= last + 3, path
    assert all(e.headers["user-agent"] == Settings().user_agent for e in srv.log)
    assert {a.removeprefix(srv.url) for a in result.archives} == {
        p for p in pages if "/page/" not in p
    }
    assert result.pages_fetched == len(pages) and result.pages_failed == 0
    assert result.requests == {
        "200": len(pages) + len(DISCOVERY),
        **({"404": len(wasted)} if wasted else {}),
    }
    archived = bodies(tmp_path, srv)
    assert set(archived) == pages | DISCOVERY
    assert archived[TIP] == srv.answer(TIP).body  # decoded, as served
    assert result.warc_path == tmp_path / "raw" / f"{result.run_id}.warc.gz"


def test_with_faults_the_archive_is_identical_to_a_fault_free_crawl(tmp_path: Path) -> None:
    plan = FaultPlan(seed=157, fraction=0.3, slow_seconds=0.8, retry_after=1)
    with serve(SNAP2) as srv:
        clean = run_crawl(settings(srv, tmp_path / "clean"))
        srv.set_faults(plan)
        faulty = run_crawl(settings(srv, tmp_path / "faulty", read_timeout=0.5))
    log = list(srv.log)  # once the server is closed: slow answers timed out are logged too
    assert clean.ok and faulty.ok, faulty.summary()
    assert bodies(tmp_path / "faulty", srv) == bodies(tmp_path / "clean", srv)
    assert {e.fault for e in log if e.fault} == set(FAULT_KINDS)  # every kind was exercised
    assert {"429", "500", "503", "timeout"} <= set(faulty.retries)
    assert sum(faulty.retries.values()) == sum(1 for e in log if e.fault)
    assert faulty.gave_up == {}


def test_a_page_that_keeps_failing_is_recorded_and_the_crawl_goes_on(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/tag/resolve/", 503, b"down")
        result = run_crawl(settings(srv, tmp_path, retry_attempts=3))
    assert [(f.url, f.status, f.attempts) for f in result.failures] == [
        (f"{srv.url}/tag/resolve/", 503, 3)
    ]
    assert result.gave_up == {"503": 1} and result.retries == {"503": 2}
    assert result.pages_fetched == len(archive_pages(SNAP2)) - 1
    assert "gave up after 3 attempts" in result.failures[0].detail


def test_retry_after_is_honoured_and_capped(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/tag/resolve/", 429, b"", [("Retry-After", "3600")])
        started = time.monotonic()
        result = run_crawl(settings(srv, tmp_path, archives=("/tag/resolve/",), retry_max_wait=0.3))
        took = time.monotonic() - started
    # Three waits of 0.3 s (the cap), not an hour and not the 0.01 s backoff.
    assert result.gave_up == {"429": 1} and result.retries == {"429": 3}
    assert 0.85 < took < 3


def test_rate_limit_holds_at_the_server(tmp_path: Path) -> None:
    rate = 20.0
    with serve(SNAP2) as srv:
        result = run_crawl(settings(srv, tmp_path, rate=rate, archives=(TIP,)))
    starts = sorted(e.started for e in srv.log)
    assert result.ok and len(starts) == 21  # robots.txt + 20 pages
    # Any run of k+1 requests spans at least k/rate; the slack is the server thread's jitter.
    # The limiter counts a slot from the moment a request starts at the client; the very
    # first request also opens the connection, so on a busy machine it can reach the server
    # late, just before the second. From the second on, the connection is warm.
    for i, j in itertools.combinations(range(1, len(starts)), 2):
        assert starts[j] - starts[i] > (j - i) / rate - 0.03, (i, j)
    # Never faster than the rate (above); not much slower either: the limiter does not
    # over-throttle (the slack is for a loaded machine, where threads wake up late).
    expected = (len(starts) - 1) / rate
    assert expected - 0.03 < starts[-1] - starts[0] < 1.5 * expected


def test_concurrency_limit_holds_at_the_server(tmp_path: Path) -> None:
    with serve(SNAP2, latency=0.05) as srv:
        result = run_crawl(settings(srv, tmp_path, concurrency=3))
    assert result.ok
    assert max(e.active for e in srv.log) == 3  # reached, never passed


def test_off_origin_redirects_and_redirect_loops_are_refused(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/tag/resolve/", 301, headers=[("Location", "http://example.org/tag/")])
        srv.override("/loop/a/", 302, headers=[("Location", "/loop/b/")])
        srv.override("/loop/b/", 302, headers=[("Location", "/loop/a/")])
        archives = ("/tag/resolve/", OFFSITE_PATH, "/loop/a/", "https://elsewhere.example/tag/x/")
        result = run_crawl(settings(srv, tmp_path, archives=archives))
    reasons = {f.url.removeprefix(srv.url): f.reason for f in result.failures}
    assert reasons == {
        "/tag/resolve/": "off_origin",
        OFFSITE_PATH: "off_origin",
        "/loop/a/": "redirect_loop",
        "https://elsewhere.example/tag/x/": "off_origin",
    }
    assert result.refused_off_origin == 3
    statuses = {f.url.removeprefix(srv.url): f.status for f in result.failures}
    assert (statuses["/tag/resolve/"], statuses[OFFSITE_PATH], statuses["/loop/a/"]) == (
        301,
        302,
        302,
    )
    assert "leaves" in result.failures[0].detail and "example" in result.failures[0].detail
    assert sorted(e.path for e in srv.log) == sorted(
        ["/robots.txt", "/tag/resolve/", OFFSITE_PATH, "/loop/a/", "/loop/b/"]
    )


def test_a_request_budget_counts_every_redirect_hop(tmp_path: Path) -> None:
    async def go(srv: ReplayServer) -> tuple[object, int, int]:
        async with open_session(settings(srv, tmp_path), max_requests=3) as session:
            got = await session.get(srv.url + "/hop/1/")
            return got, session.over_budget, session.requests

    with serve(SNAP2) as srv:
        for n in (1, 2, 3):
            srv.override(f"/hop/{n}/", 302, headers=[("Location", f"/hop/{n + 1}/")])
        got, over_budget, requests = asyncio.run(go(srv))
        paths = [e.path for e in srv.log]
    assert got is None and over_budget == 1 and requests == 3
    assert paths == ["/robots.txt", "/hop/1/", "/hop/2/"]  # /hop/3/ would be the fourth


@pytest.mark.parametrize("gzip", [True, False])
def test_an_oversized_response_is_refused(tmp_path: Path, gzip: bool) -> None:
    with serve(SNAP2, big_bytes=300_000) as srv:
        if not gzip:  # incompressible: refused on its announced length
            srv.override("/big/", 200, os.urandom(300_000))
        path = BIG_PATH if gzip else "/big/"
        result = run_crawl(settings(srv, tmp_path, archives=(path,), max_bytes=100_000))
    [failure] = result.failures
    assert failure.reason == "too_large" and failure.status is None
    assert "too large" in failure.detail and "max_bytes" in failure.detail
    assert result.retries == {}
    assert path not in bodies(tmp_path, srv)


def test_robots_5xx_disallows_everything_and_fails_the_run(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/robots.txt", 503, b"down")
        result = run_crawl(settings(srv, tmp_path, retry_attempts=2))
    assert [e.path for e in srv.log] == ["/robots.txt", "/robots.txt"]
    assert [f.reason for f in result.failures] == ["robots_unavailable"]
    assert result.disallowed >= 1 and result.pages_fetched == 0


def test_an_off_origin_sitemap_is_skipped_and_the_home_page_still_leads(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/robots.txt", 200, b"Sitemap: https://elsewhere.example/sitemap.xml\n")
        result = run_crawl(settings(srv, tmp_path))
    assert result.ok and result.refused_off_origin == 1
    assert result.pages_fetched == len(archive_pages(SNAP2))
    assert not any("sitemap" in e.path for e in srv.log)


def test_robots_404_allows_everything(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/robots.txt", 404, b"")
        result = run_crawl(settings(srv, tmp_path))
    assert result.ok and result.pages_fetched == len(archive_pages(SNAP2))


def test_robots_rules_are_obeyed_for_every_url(tmp_path: Path) -> None:
    robots = b"User-agent: *\nDisallow: /tag/\nDisallow: /category/service-advice/page/\n"
    with serve(SNAP2) as srv:
        srv.override("/robots.txt", 200, robots)
        result = run_crawl(settings(srv, tmp_path))
    requested = {e.path for e in srv.log}
    assert not any(p.startswith("/tag/") for p in requested)
    assert "/category/service-advice/" in requested
    assert "/category/service-advice/page/2/" not in requested
    assert result.disallowed == 4 + 1  # four tag archives, one later page


def test_conditional_requests_get_304_and_stop_the_archive(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        first = run_crawl(settings(srv, tmp_path))
        validators = RawArchive(tmp_path / "raw").validators()
        srv.log.clear()
        again = run_crawl(settings(srv, tmp_path), validators=validators)
    assert again.pages_not_modified == len(first.archives) and again.pages_fetched == 0
    pages = [e for e in srv.log if e.path not in DISCOVERY]
    assert {e.status for e in pages} == {304}
    assert all("if-none-match" in e.headers for e in pages)
    assert again.requests["304"] == len(first.archives)  # discovery is always read anew


def test_pagination_ends_on_404_past_page_one_and_fails_on_404_at_page_one(
    tmp_path: Path,
) -> None:
    seen: list[str] = []
    with serve(SNAP2) as srv:
        page = srv.answer("/tag/resolve/").body.replace(  # a next link past the last page
            b"</head>", f'<link rel="next" href="{srv.url}/tag/resolve/page/2/"></head>'.encode()
        )
        srv.override("/tag/resolve/", 200, page, [("Content-Type", "text/html; charset=UTF-8")])
        archives = ("/tag/resolve/", "/category/nope/")
        result = run_crawl(settings(srv, tmp_path, archives=archives), seen=seen)
    assert [f.reason for f in result.failures] == ["not_found"]
    assert result.failures[0].url.endswith("/category/nope/")
    assert "/tag/resolve/page/2/" in [e.path for e in srv.log if e.status == 404]
    assert [u.removeprefix(srv.url) for u in seen] == ["/tag/resolve/"]


def test_page_cap_early_stop_and_each_page_once_across_archives(tmp_path: Path) -> None:
    archives = (TIP, f"{TIP}page/1/", "/tag/service-recovery/")
    with serve(SNAP2) as srv:
        capped = run_crawl(settings(srv, tmp_path, archives=archives, max_pages=3))
        srv.log.clear()
        stopped = run_crawl(settings(srv, tmp_path, archives=archives), known=KnowsEverything())
    assert capped.ok and stopped.ok
    assert capped.pages_fetched == 3 + 2  # page/1/ redirects to a page fetched once
    assert stopped.pages_fetched == 2
    assert sorted(e.path for e in srv.log) == sorted(
        ["/robots.txt", TIP, f"{TIP}page/1/", "/tag/service-recovery/"]
    )


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "etl", "crawl", "--rate", "0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_cli_crawls_into_data_dir_and_reports_failures(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        ok = run_cli("--site", srv.url, "--data-dir", str(tmp_path / "a"))
        bad = run_cli("--site", srv.url, "--data-dir", str(tmp_path / "b"), "--archive", "/x/")
    assert ok.returncode == 0, ok.stderr
    assert "31 pages fetched" in ok.stdout
    assert len(list((tmp_path / "a" / "raw").glob("*.warc.gz"))) == 1
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("error: 1 URL(s) failed")


def test_result_summary_names_counts_and_failures(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        result: CrawlResult = run_crawl(settings(srv, tmp_path, archives=("/nope/",)))
    text = result.summary()
    assert "0 pages fetched" in text and "FAILED" in text and "404" in text


def test_memory_stays_flat_however_many_pages(tmp_path: Path) -> None:
    """200 pages of 100 kB (20 MB) crawled: bodies are archived, never accumulated."""
    site = tmp_path / "site"
    pages = 200
    filler = "<p>" + "x" * 100_000 + "</p>"
    for n in range(1, pages + 1):
        folder = site / "tag" / "big" / ("" if n == 1 else f"page/{n}")
        folder.mkdir(parents=True, exist_ok=True)
        nxt = f'<link rel="next" href="https://cssamerica.com/tag/big/page/{n + 1}/">'
        (folder / "index.html").write_text(f"<html><head>{nxt}</head>{filler}{n}</html>")
    (site / "404.html").write_text("<html>not found</html>")
    # One request at a time: what is held then is a page, not the raw writer's queue (64
    # fetches) that a faster crawl of 100 kB pages fills.
    with serve(site) as srv:
        run_crawl(settings(srv, tmp_path, archives=("/tag/big/",), max_pages=2))  # imports
        tracemalloc.start()
        try:
            result = run_crawl(settings(srv, tmp_path, archives=("/tag/big/",), concurrency=1))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.ok and result.pages_fetched == pages
    assert peak < 6_000_000, f"peak {peak / 1e6:.1f} MB for {pages * 0.1:.0f} MB of pages"


def test_a_run_killed_mid_way_leaves_a_readable_archive(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        earlier = run_crawl(settings(srv, tmp_path, archives=("/tag/resolve/",)))
        command = [sys.executable, "-m", "etl", "crawl", "--site", srv.url]
        command += ["--data-dir", str(tmp_path), "--rate", "20", "--quiet"]
        with subprocess.Popen(command, stderr=subprocess.DEVNULL) as proc:
            deadline = time.monotonic() + 10
            while srv.count() < 15 and time.monotonic() < deadline:
                time.sleep(0.02)
            proc.kill()
    warcs = sorted((tmp_path / "raw").glob("*.warc.gz"))
    assert len(warcs) == 2 and earlier.warc_path in warcs
    killed = next(w for w in warcs if w != earlier.warc_path)
    urls = []
    with killed.open("rb") as stream, contextlib.suppress(Exception):  # a torn tail, if any
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                urls.append(record.rec_headers.get_header("WARC-Target-URI"))
    assert len(urls) >= 10
    latest = {f.url for f in RawArchive(tmp_path / "raw").latest()}
    assert set(urls) | {f"{srv.url}/tag/resolve/"} <= latest


def in_flight(entries: list[LogEntry]) -> int:
    """The most of these requests the server was answering at once."""
    events = sorted([(e.started, 1) for e in entries] + [(e.finished, -1) for e in entries])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def test_a_deep_archive_s_pages_are_asked_concurrently_on_a_full_crawl(tmp_path: Path) -> None:
    with serve(SNAP2, latency=0.02) as srv:
        result = run_crawl(settings(srv, tmp_path, concurrency=4))
    assert result.ok and result.pages_fetched == len(archive_pages(SNAP2))
    tip = [e for e in srv.log if e.path.startswith(f"{TIP}page/")]
    assert in_flight(tip) >= 2  # not one page after the other
    assert max(e.active for e in srv.log) <= 4


class KnowsNothing:
    """An incremental run whose corpus holds none of the posts: every page is followed."""

    def all_unchanged(self, posts: object) -> bool:
        return False


def test_an_incremental_crawl_follows_next_links_one_page_at_a_time(tmp_path: Path) -> None:
    with serve(SNAP2, latency=0.01) as srv:
        result = run_crawl(settings(srv, tmp_path, concurrency=4), known=KnowsNothing())
    pages = archive_pages(SNAP2)
    assert result.ok and result.lookahead_wasted == 0
    assert sorted(e.path for e in srv.log) == sorted(pages | DISCOVERY)  # nothing past the end
    tip = [e for e in srv.log if e.path.startswith(TIP)]
    assert in_flight(tip) == 1


def test_a_numbered_pagination_s_last_page_makes_look_ahead_certain(tmp_path: Path) -> None:
    from tests.themes import render_fixture

    site = render_fixture("generatepress", "cssamerica", tmp_path / "site")  # page numbers
    with serve(site, latency=0.02) as srv:
        result = run_crawl(settings(srv, tmp_path / "data", concurrency=4))
    pages = archive_pages(site)
    requested = [e.path for e in srv.log if e.path.startswith(("/category/", "/tag/"))]
    assert result.ok and sorted(requested) == sorted(pages)  # nothing past a last page
    assert result.lookahead_wasted == 0
    deep = max({p.split("page/")[0] for p in pages}, key=lambda a: sum(a in p for p in pages))
    assert in_flight([e for e in srv.log if e.path.startswith(f"{deep}page/")]) >= 2
