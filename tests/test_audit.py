"""The audit against the replay server over real HTTP, and the pure sitemap comparison."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.crawl import audit as aud
from etl.crawl.archives import crawl_archives
from etl.crawl.discover import discover
from etl.crawl.raw import RawArchive
from etl.crawl.session import CrawlResult, open_session
from etl.crawl.sitemaps import Entry, compare, parse_lastmod, parse_sitemap
from etl.load import tables
from etl.load.merge import Observation, merge
from etl.records import to_json
from etl.replay.server import ReplayServer, serve
from etl.settings import Settings
from tests.replay_settings import fast_settings

SITE = Path(__file__).parent / "fixtures" / "site"
SNAP2 = SITE / "snapshot-2"
EXPECTED = {p["url"]: p for p in json.loads((SITE / "expected/snapshot-2/posts.json").read_text())}
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
UTC = dt.UTC


def settings(srv: ReplayServer, tmp: Path, **kw: Any) -> Settings:
    return fast_settings(srv, tmp / "data", **{"retry_attempts": 2, "retry_max_wait": 0.1, **kw})


def gapped_snapshot(tmp: Path, count: int = 3) -> tuple[Path, list[str]]:
    """snapshot-2 with `count` posts cut from every archive page (each page keeps a post)."""
    folder = tmp / "site"
    shutil.copytree(SNAP2, folder)
    files = [*folder.glob("category/**/index.html"), *folder.glob("tag/**/index.html")]
    html = {f: f.read_text(encoding="utf-8") for f in files}
    removed: list[str] = []
    for url, post in sorted(EXPECTED.items()):
        article = re.compile(rf'<article id="post-{post["wp_id"]}".*?</article>', re.DOTALL)
        cut = {f: article.sub("", h) for f, h in html.items()}
        if all("<article" in h for h in cut.values()):  # no archive page left empty
            html, removed = cut, [*removed, url]
        if len(removed) == count:
            break
    for f, h in html.items():
        f.write_text(h, encoding="utf-8")
    return folder, removed


def local(srv: ReplayServer, url: str) -> str:
    return url.replace("https://cssamerica.com", srv.url)


def public(srv: ReplayServer, value: Any) -> Any:
    """A record's JSON with the replay origin mapped back to the site's."""
    return json.loads(json.dumps(value).replace(srv.url, "https://cssamerica.com"))


def test_audit_names_the_posts_the_archives_skip_and_heal_fetches_only_them(
    tmp_path: Path,
) -> None:
    folder, removed = gapped_snapshot(tmp_path)
    with serve(folder) as srv:
        s = settings(srv, tmp_path)

        async def go() -> tuple[CrawlResult, list[Observation], aud.Audit, int, aud.HealResult]:
            archives: list[Observation] = []
            async with open_session(s) as session:
                found = await discover(session)
                async for got in crawl_archives(session, found.archives):
                    assert got.page is not None
                    archives.append(Observation(got.page, got.fetch.fetched_at, "run-1", 200))
                corpus = {p.url: o.fetched_at for o in archives for p in o.page.posts}
                audit = await aud.audit(session, dict(corpus), indexes=found.indexes)
                before_heal = srv.count()
                heal = await aud.heal(session, aud.to_heal(audit.result))
            return session.result(), archives, audit, before_heal, heal

        result, archives, audit, before_heal, heal = asyncio.run(go())
        healed_paths = [e.path for e in srv.log[before_heal:]]
    assert result.ok, result.summary()
    missing = [local(srv, u) for u in removed]
    assert list(audit.result.missing) == sorted(missing)
    assert audit.result.extra == () and audit.result.stale == ()
    assert audit.result.sitemap_posts == len(EXPECTED)
    assert audit.result.recall == pytest.approx((len(EXPECTED) - len(removed)) / len(EXPECTED))
    assert audit.wp_json == aud.WpTotal(None, "HTTP 404")  # the snapshot has no REST API
    assert not audit.recall_ok(1.0) and "missing " + missing[0] in audit.summary()
    # Heal asked for those pages and nothing else, through the crawl's client and archive.
    assert sorted(healed_paths) == sorted(u.removeprefix(srv.url) for u in missing)
    assert heal.failed == () and heal.unhealed == () and set(heal.healed_urls) == set(missing)
    assert sum(result.requests.values()) == len(srv.log)
    archived = {f.url for f in RawArchive(s.raw_dir).latest()}
    assert set(missing) <= archived
    for h in heal.healed:
        assert h.page.kind == "post" and h.fetch.status == 200 and len(h.page.posts) == 1
    # Merged like any full post, the healed ones are the contract's records, from a post page.
    healed = [Observation(h.page, h.fetch.fetched_at, "run-1", 200) for h in heal.healed]
    posts = merge(None, [*archives, *healed], full=True, settings=s).corpus.posts.to_pylist()
    by_url = {public(srv, row["url"]): row for row in posts}
    assert set(by_url) == set(EXPECTED)
    for url in removed:
        row = by_url[url]
        assert row["source"] == "post_page"
        got = {k: public(srv, to_json(row[k])) for k in EXPECTED[url]}
        assert got == EXPECTED[url], url
    assert {r["source"] for u, r in by_url.items() if u not in removed} == {"archive"}


def test_heal_is_bounded_and_reports_what_it_could_not_heal(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        s = settings(srv, tmp_path, heal_max=3)
        posts = sorted(local(srv, u) for u in EXPECTED)
        urls = [srv.url + "/no-such-post/", posts[0], srv.url + "/category/sports/", *posts[1:]]
        urls.append("https://elsewhere.invalid/post/")

        async def go() -> aud.HealResult:
            async with open_session(s) as session:
                return await aud.heal(session, urls)

        heal = asyncio.run(go())
    assert heal.healed_urls == (posts[0],)
    assert dict(heal.failed) == {
        srv.url + "/no-such-post/": "HTTP 404",
        srv.url + "/category/sports/": "not one post: a archive page with 2 posts",
    }
    assert heal.unhealed == (*posts[1:], "https://elsewhere.invalid/post/")
    assert sorted(e.path for e in srv.log) == sorted(
        ["/robots.txt", "/no-such-post/", "/category/sports/", posts[0].removeprefix(srv.url)]
    )
    assert "3 left unhealed" not in heal.summary() and "1 posts read" in heal.summary()


def _urlset(urls: list[str]) -> bytes:
    body = "".join(
        f"<url><loc>{u}</loc><lastmod>2025-01-01T00:00:00Z</lastmod></url>" for u in urls
    )
    return f'<?xml version="1.0"?><urlset {NS}>{body}</urlset>'.encode()


def _index(urls: list[str]) -> bytes:
    body = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0"?><sitemapindex {NS}>{body}</sitemapindex>'.encode()


XML = [("Content-Type", "application/xml")]


def _audit(s: Settings, corpus: dict[str, dt.datetime | None]) -> aud.Audit:
    async def go() -> aud.Audit:
        async with open_session(s) as session:
            return await aud.audit(session, corpus)

    return asyncio.run(go())


def test_every_posts_sitemap_page_is_read_and_off_origin_entries_refused(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        posts = sorted(local(srv, u) for u in EXPECTED)
        half = len(posts) // 2
        pages = [srv.url + f"/wp-sitemap-posts-post-{n}.xml" for n in (1, 2)]
        index = _index([*pages, "https://elsewhere.invalid/wp-sitemap-posts-post-3.xml"])
        srv.override("/wp-sitemap.xml", 200, index, XML)
        srv.override("/wp-sitemap-posts-post-1.xml", 200, _urlset(posts[:half]), XML)
        offsite = "https://elsewhere.invalid/a-post/"
        srv.override("/wp-sitemap-posts-post-2.xml", 200, _urlset([*posts[half:], offsite]), XML)
        audit = _audit(
            settings(srv, tmp_path), dict.fromkeys(posts, dt.datetime(2026, 1, 1, tzinfo=UTC))
        )
    assert audit.sitemap.sitemaps == tuple(pages)
    assert audit.sitemap.refused_off_origin == 2  # one sitemap, one entry; neither fetched
    assert offsite not in audit.sitemap.posts and not audit.sitemap.truncated
    assert audit.result.recall == 1.0 and audit.result.missing == ()
    assert "refused off-origin sitemap URLs: 2" in audit.summary()


def test_thousands_of_bogus_urls_are_bounded_and_reported(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        bogus = [f"{srv.url}/bogus-{n:05d}/" for n in range(5000)]
        srv.override("/wp-sitemap-posts-post-1.xml", 200, _urlset(bogus), XML)
        s = settings(srv, tmp_path, audit_max_urls=1000, heal_max=4)

        async def go() -> tuple[aud.Audit, aud.HealResult]:
            async with open_session(s) as session:
                audit = await aud.audit(session, {})
                return audit, await aud.heal(session, aud.to_heal(audit.result))

        audit, heal = asyncio.run(go())
        requested = [e.path for e in srv.log if e.path.startswith("/bogus-")]
    assert audit.sitemap.truncated and len(audit.sitemap.posts) == 1000
    assert "TRUNCATED" in audit.summary() and "and 980 more missing" in audit.summary()
    assert len(requested) == 4 and len(heal.failed) == 4 and heal.healed == ()
    assert len(heal.unhealed) == 996 and "996 left unhealed" in heal.summary()


def test_wp_json_total_is_read_when_the_site_answers(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        s = settings(srv, tmp_path)
        path = "/wp-json/wp/v2/posts"
        srv.override(
            path, 200, b"[{}]", [("Content-Type", "application/json"), ("X-WP-Total", "65")]
        )
        assert _audit(s, {}).wp_json == aud.WpTotal(65, "ok")
        srv.override(path, 200, b"<html></html>", [("Content-Type", "text/html; charset=UTF-8")])
        assert _audit(s, {}).wp_json.status == "not JSON (text/html; charset=UTF-8)"
        srv.override(path, 401, b"{}", [("Content-Type", "application/json")])
        assert _audit(s, {}).wp_json == aud.WpTotal(None, "HTTP 401")
        srv.override(path, 200, b"[]", [("Content-Type", "application/json")])
        assert _audit(s, {}).wp_json == aud.WpTotal(None, "no X-WP-Total header")
        assert "/wp-json/wp/v2/posts" in {e.path for e in srv.log}


def test_an_unreadable_sitemap_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        srv.override("/wp-sitemap-posts-post-1.xml", 200, b"<html>not a sitemap", XML)
        audit = _audit(settings(srv, tmp_path), {srv.url + "/x/": None})
    assert audit.result.recall is None and audit.result.extra == (srv.url + "/x/",)
    assert "not XML" in audit.sitemap.problems[0] and "undefined" in audit.summary()
    assert audit.recall_ok(0.98)  # nothing listed: nothing to fail on, but said so


# --- pure ------------------------------------------------------------------------------------


def t(day: int) -> dt.datetime:
    return dt.datetime(2025, 1, day, tzinfo=UTC)


def test_compare_missing_extra_stale_and_recall() -> None:
    sitemap = {"a": t(1), "b": t(5), "c": None, "d": t(2)}
    corpus = {"b": t(3), "c": t(9), "d": t(2), "e": t(1)}
    r = compare(sitemap, corpus)
    assert (r.missing, r.extra, r.stale) == (("a",), ("e",), ("b",))
    assert (r.sitemap_posts, r.corpus_posts, r.in_both) == (4, 4, 3)
    assert r.recall == 0.75
    assert compare({}, corpus).recall is None
    assert compare(sitemap, sitemap).recall == 1.0
    assert compare({"b": t(5)}, {"b": None}).stale == ()  # no time of ours: not called stale


def test_parse_sitemap_index_and_urlset() -> None:
    index = parse_sitemap(_index(["https://x.test/wp-sitemap-posts-post-1.xml"]))
    assert index.children == ("https://x.test/wp-sitemap-posts-post-1.xml",) and not index.problem
    body = (SNAP2 / "wp-sitemap-posts-post-1.xml").read_bytes()
    first = parse_sitemap(body).entries[0]
    assert first == Entry(
        "https://cssamerica.com/when-youre-the-educator-what-should-you-teach-1-21-25-customer-service-tip/",
        dt.datetime(2025, 1, 21, 11, 45, tzinfo=UTC),
    )
    assert {e.url for e in parse_sitemap(body).entries} == set(EXPECTED)
    url = parse_sitemap(_urlset(["http://CSSAmerica.com/a?utm_source=x#c"])).entries[0].url
    assert url == "https://cssamerica.com/a/"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2025-01-21T06:45:00-05:00", dt.datetime(2025, 1, 21, 11, 45, tzinfo=UTC)),
        ("2025-01-21T11:45:00Z", dt.datetime(2025, 1, 21, 11, 45, tzinfo=UTC)),
        ("2025-01-21", dt.datetime(2025, 1, 21, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_lastmod(text: str | None, want: dt.datetime | None) -> None:
    assert parse_lastmod(text) == want


def test_doctype_and_entities_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><urlset><loc>&a;</loc></urlset>'
    assert parse_sitemap(bomb).problem == "refused: the sitemap declares a DOCTYPE or entities"
    assert parse_sitemap(b"<feed/>").problem == "not a sitemap: the root element is 'feed'"


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_parse_sitemap_never_raises_and_says_why_it_found_nothing(body: bytes) -> None:
    sitemap = parse_sitemap(body)
    if sitemap.problem is None and not (sitemap.children or sitemap.entries):
        # No problem named, nothing found: only a real, empty sitemap may say so.
        root = ET.fromstring(body)
        assert root.tag in (f"{SITEMAP_NS}urlset", f"{SITEMAP_NS}sitemapindex")


def test_etl_audit_command_writes_the_table_and_fails_below_min_recall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etl.cli import main
    from etl.load.store import file_metadata, write_corpus

    folder, removed = gapped_snapshot(tmp_path, count=2)
    with serve(folder) as srv:
        s = settings(srv, tmp_path)
        corpus = merge(None, crawl_observations(s), full=True, settings=s).corpus
        at = dt.datetime(2026, 1, 1, tzinfo=UTC)
        write_corpus(corpus, s.processed_dir, run_id="run-1", site=srv.url, generated_at=at)
        args = ["audit", "--site", srv.url, "--data-dir", str(s.data_dir), "--rate", "0", "-q"]
        assert main(args) == 1
        out, err = capsys.readouterr()
        missing = sorted(local(srv, u) for u in removed)
        assert "recall 96.9%" in out and f"missing {missing[0]}" in out
        assert "wp-json total: HTTP 404" in out
        assert "below 98%" in err and all(u in err for u in missing)
        table = pq.read_table(s.processed_dir / "audit.parquet")
        assert table.schema.remove_metadata().equals(tables.arrow_schema(tables.AUDIT))
        assert file_metadata(s.processed_dir / "audit.parquet")["site"] == srv.url
        rows = table.to_pylist()
        assert [r["url"] for r in rows] == sorted(local(srv, u) for u in EXPECTED)
        assert sorted(r["url"] for r in rows if r["status"] == "missing") == missing
        assert {r["status"] for r in rows} == {"ok", "missing"}
        assert all(r["lastmod"] is not None for r in rows)
        assert all((r["seen_at"] is None) == (r["url"] in missing) for r in rows)
        # A sitemap that lists only what the corpus holds: recall 100%, the command passes.
        present = sorted(set(local(srv, u) for u in EXPECTED) - set(missing))
        srv.override("/wp-sitemap-posts-post-1.xml", 200, _urlset(present), XML)
        assert main(args) == 0
        assert "recall 100.0%" in capsys.readouterr().out
        # An unreadable posts sitemap: recall cannot be known, which is no pass.
        srv.override("/wp-sitemap-posts-post-1.xml", 200, b"<html>not a sitemap", XML)
        assert main(args) == 1
        assert "could not read 1 posts sitemap(s)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["audit", "--no-such-flag"])


def test_etl_audit_without_a_corpus_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etl.cli import main

    assert main(["audit", "--site", "http://127.0.0.1:9", "--data-dir", str(tmp_path)]) == 1
    assert "build the corpus first" in capsys.readouterr().err


def crawl_observations(s: Settings) -> list[Observation]:
    """Every archive page of a full crawl, parsed, as the loader's input."""

    async def go() -> list[Observation]:
        async with open_session(s) as session:
            found = await discover(session)
            return [
                Observation(got.page, got.fetch.fetched_at, "run-1", 200)
                async for got in crawl_archives(session, found.archives)
                if got.page is not None
            ]

    return asyncio.run(go())
