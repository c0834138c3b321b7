"""End to end over the replay server (real HTTP on loopback, real Parquet in tmp_path)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from etl.load import tables
from etl.pipeline import rebuild, run_corpus
from etl.replay.server import ReplayServer, serve
from etl.runlog import EXIT_LOCKED
from etl.runtext import failure_text
from etl.settings import Settings

SITE = Path(__file__).parent / "fixtures" / "site"
SNAP1, SNAP2 = SITE / "snapshot-1", SITE / "snapshot-2"
EXPECTED = SITE / "expected"
LIVE = "https://cssamerica.com"
POST_FIELDS = ("url", "wp_id", "heading", "title", "date", "date_raw", "date_source",
               "published_at", "categories", "tags", "text")  # fmt: skip
TEASER_FIELDS = ("url", "heading", "title", "date", "date_raw", "excerpt")
RUN_COLUMNS = {"first_seen_at", "last_seen_at", "fetched_at", "run_id", "seen_at", "learned_at"}


def settings(srv: ReplayServer, data_dir: Path, **kw: Any) -> Settings:
    return Settings(site=srv.url, data_dir=data_dir, rate=0, progress=False, **kw)


def table(data_dir: Path, name: str) -> list[dict[str, Any]]:
    return pq.read_table(data_dir / "processed" / f"{name}.parquet").to_pylist()


def as_contract(row: dict[str, Any], fields: tuple[str, ...], origin: str) -> dict[str, Any]:
    """A table row in the contract's JSON form, the replay origin mapped back to the site."""
    out: dict[str, Any] = {}
    for name in fields:
        value = row[name]
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = value
    out["url"] = out["url"].replace(origin, LIVE)
    return out


def expected(snapshot: str, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((EXPECTED / snapshot / f"{name}.json").read_text())
    return sorted(rows, key=lambda r: r["url"])


def assert_matches_expected(
    data_dir: Path, origin: str, snapshot: str, *, teasers_accumulated: bool = False
) -> None:
    posts = [as_contract(r, POST_FIELDS, origin) for r in table(data_dir, "posts")]
    teasers = [as_contract(r, TEASER_FIELDS, origin) for r in table(data_dir, "teasers")]
    want_posts, want_teasers = expected(snapshot, "posts"), expected(snapshot, "teasers")
    assert [p["url"] for p in posts] == [p["url"] for p in want_posts]
    for got, want in zip(sorted(posts, key=lambda r: r["url"]), want_posts, strict=True):
        for field in POST_FIELDS:  # field by field, so a failure names the field
            assert got[field] == want[field], (want["url"], field)
    if teasers_accumulated:  # teasers of earlier nights stay (the block only shows ten)
        assert all(t in teasers for t in want_teasers)
    else:
        assert sorted(teasers, key=lambda r: r["url"]) == want_teasers


def content(data_dir: Path, name: str) -> list[dict[str, Any]]:
    """A table without the columns that only say when (run ids, fetch times)."""
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in table(data_dir, name)]


def test_corpus_of_snapshot_2_is_the_contracts_corpus(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        report = run_corpus(settings(srv, tmp_path))
    assert report.exit_status == 0, report.reason
    assert report.mode == "full" and report.posts["new"] == 65
    assert report.audit is not None and report.audit["recall"] == 1.0
    assert_matches_expected(tmp_path, srv.url, "snapshot-2")
    for spec in (*tables.TABLES, tables.AUDIT):  # schemas exactly as declared
        path = tmp_path / "processed" / f"{spec.name}.parquet"
        assert pq.read_schema(path).remove_metadata() == tables.arrow_schema(spec), spec.name
    for name in ("posts", "teasers", "documents", "audit"):  # no URL twice
        urls = [r["url"] for r in table(tmp_path, name)]
        assert len(urls) == len(set(urls)), name
    documents = table(tmp_path, "documents")
    assert len(documents) == 65 and all(d["has_full_text"] for d in documents)
    meta = pq.read_schema(tmp_path / "processed" / "posts.parquet").metadata
    assert meta[b"run_id"].decode() == report.run_id and meta[b"site"].decode() == srv.url
    saved = json.loads((tmp_path / "runs" / f"{report.run_id}.json").read_text())
    assert saved["posts"]["total"] == 65 and saved["exit_status"] == 0


def test_rebuild_from_raw_is_offline_and_repeatable(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        run_corpus(settings(srv, tmp_path))
        origin = srv.url
    # The server is gone: the rebuild reads data/raw only.
    for name in ("posts", "teasers", "documents", "post_terms"):
        (tmp_path / "processed" / f"{name}.parquet").unlink()
    first = rebuild(Settings(site=origin, data_dir=tmp_path))
    assert first.exit_status == 0 and first.mode == "rebuild"
    assert_matches_expected(tmp_path, origin, "snapshot-2")
    before = {n: content(tmp_path, n) for n in ("posts", "teasers", "documents", "post_terms")}
    rebuild(Settings(site=origin, data_dir=tmp_path))
    after = {n: content(tmp_path, n) for n in ("posts", "teasers", "documents", "post_terms")}
    assert after == before


def archive_requests(srv: ReplayServer, since: int) -> Counter[str]:
    """Requests per archive (its first page's path) in the server log after entry `since`."""
    counts: Counter[str] = Counter()
    for entry in srv.log[since:]:
        parts = entry.path.split("/")
        if len(parts) > 2 and parts[1] in ("category", "tag"):
            counts["/".join(parts[:3]) + "/"] += 1
    return counts


SITEMAPS = {
    "/robots.txt",
    "/wp-sitemap.xml",
    "/wp-sitemap-posts-post-1.xml",
    "/wp-sitemap-taxonomies-category-1.xml",
    "/wp-sitemap-taxonomies-post_tag-1.xml",
}


def without_lastmod(snapshot: Path, folder: Path) -> Path:
    """A copy of a snapshot whose posts sitemap gives no post's lastmod."""
    shutil.copytree(snapshot, folder)
    sitemap = folder / "wp-sitemap-posts-post-1.xml"
    sitemap.write_text(re.sub(r"<lastmod>[^<]*</lastmod>", "", sitemap.read_text()))
    return folder


def test_nightly_refresh_reads_new_posts_and_their_archives_only(tmp_path: Path) -> None:
    with serve(SNAP1) as srv:
        s = settings(srv, tmp_path)
        assert run_corpus(s).posts["new"] == 62
        old = {r["url"]: r["first_seen_at"] for r in table(tmp_path, "posts")}
        srv.swap(SNAP2)
        mark = len(srv.log)
        report = run_corpus(s)
        assert report.exit_status == 0, report.reason
        assert report.mode == "incremental" and report.plan["how"] == "sitemaps"
        assert report.posts["new"] == 3 and report.posts["total"] == 65
        assert_matches_expected(tmp_path, srv.url, "snapshot-2", teasers_accumulated=True)
        assert report.teasers["total"] == 13
        # Budget: the sitemaps, the 3 new posts' own pages, and their archives until the stop
        # rule: k = 3 new posts -> about k/3 + 1 = 2 pages per archive, no other archive.
        requested = [e.path for e in srv.log[mark:]]
        per_archive = archive_requests(srv, mark)
        assert per_archive == {"/category/customer-service-tip-of-the-week/": 2}
        rest = report.rest["requests"] if report.rest else 0  # new posts: a second opinion
        assert rest == 1  # this snapshot has no REST API: one 404, no term lists
        others = Counter(
            p for p in requested if not p.startswith(("/tag/", "/category/", "/wp-json/"))
        )
        assert set(others.values()) == {1} and len(others) == len(SITEMAPS) + 3
        assert set(others) >= SITEMAPS and "/" not in others
        assert report.plan == {"how": "sitemaps", "archives": 1, "new": 3, "edited": 0,
                               "excerpt_only": 0, "post_pages": 3}  # fmt: skip
        rows = {r["url"]: r for r in table(tmp_path, "posts")}
        assert all(rows[url]["first_seen_at"] == seen for url, seen in old.items())
        new = [r for url, r in rows.items() if url not in old]
        assert len(new) == 3 and all(r["first_seen_at"] > max(old.values()) for r in new)

        # Nothing changed on the site: robots.txt and the sitemaps only, the tables stay.
        before = {n: content(tmp_path, n) for n in ("posts", "teasers", "documents")}
        mark = len(srv.log)
        again = run_corpus(s)
        assert again.exit_status == 0 and not again.published
        assert sorted(e.path for e in srv.log[mark:]) == sorted(SITEMAPS)
        after = {n: content(tmp_path, n) for n in ("posts", "teasers", "documents")}
        assert after == before


def test_without_lastmod_a_refresh_asks_every_archive_conditionally(tmp_path: Path) -> None:
    first = without_lastmod(SNAP1, tmp_path / "snapshot-1")
    second = without_lastmod(SNAP2, tmp_path / "snapshot-2")
    data = tmp_path / "data"
    with serve(first) as srv:
        s = settings(srv, data)
        assert run_corpus(s).posts["new"] == 62
        srv.swap(second)
        mark = len(srv.log)
        report = run_corpus(s)
        assert report.exit_status == 0, report.reason
        assert report.plan["how"] == "the posts sitemaps carry no lastmod"
        assert report.posts["new"] == 3 and report.posts["total"] == 65
        assert_matches_expected(data, srv.url, "snapshot-2", teasers_accumulated=True)
        # Budget: k = 3 new posts -> about k/3 + 1 = 2 pages per affected archive, one
        # (a 304 or one page) per other archive, and the discovery requests.
        per_archive = archive_requests(srv, mark)
        assert max(per_archive.values()) <= 2
        assert sum(per_archive.values()) <= len(per_archive) + 2 * 3
        others = len(srv.log) - mark - sum(per_archive.values())
        assert others == len(SITEMAPS) + 1 + 1  # the home page, the REST API's second opinion

        # Nothing changed on the site: every archive answers 304, the tables stay.
        before = {n: content(data, n) for n in ("posts", "teasers", "documents")}
        mark = len(srv.log)
        again = run_corpus(s)
        assert again.exit_status == 0 and again.posts["new"] == again.posts["updated"] == 0
        per_archive = archive_requests(srv, mark)
        assert set(per_archive.values()) == {1}
        assert all(e.status == 304 for e in srv.log[mark:] if e.path.startswith(("/tag", "/cat")))
        assert again.pages["not_modified"] == len(per_archive)
        assert not any(e.path.startswith("/wp-json/") for e in srv.log[mark:])  # asks no REST
        assert again.rest and again.rest["status"].startswith("not asked: no new or changed")
        after = {n: content(data, n) for n in ("posts", "teasers", "documents")}
        assert after == before


def test_full_crawl_marks_posts_the_site_no_longer_has(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        s = settings(srv, tmp_path)
        run_corpus(s)
        srv.swap(SNAP1)  # three posts disappear from the site
        report = run_corpus(replace(s, full=True))
    assert report.posts["gone"] == 3
    rows = table(tmp_path, "posts")
    assert len(rows) == 65  # nothing deleted
    assert sum(r["gone_at"] is not None for r in rows) == 3


def etl(*args: str, **env: str) -> subprocess.Popen[str]:
    """`python -m etl ARGS` in a subprocess, with extra environment variables."""
    return subprocess.Popen(
        [sys.executable, "-m", "etl", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent), **env},
    )


def test_quiet_on_success_loud_on_failure(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        ok = etl("corpus", "--site", srv.url, "--data-dir", str(tmp_path / "a"), "--rate", "0")
        out, err = ok.communicate(timeout=60)
        assert ok.returncode == 0, err
        assert out.count("\n") == 1 and "65 new" in out and "recall 100.0%" in out
        quiet = etl(
            "corpus", "--site", srv.url, "--data-dir", str(tmp_path / "a"), "-q", "--rate", "0"
        )
        assert quiet.communicate(timeout=60) == ("", "") and quiet.returncode == 0
        srv.override("/tag/retention/", 503, b"down")
        fast_retries = {"ETL_RETRY_INITIAL": "0.01", "ETL_RETRY_ATTEMPTS": "2"}
        bad = etl("corpus", "--site", srv.url, "--data-dir", str(tmp_path / "a"), "-q",
                  "--full", "--rate", "0", **fast_retries)  # fmt: skip
        out, err = bad.communicate(timeout=120)
    assert bad.returncode == 1 and out == ""
    first = err.splitlines()[0]
    assert first.startswith("etl: run ") and "failed" in first and "/tag/retention/" in first
    assert "FAILED" in err and "503" in err


def test_one_run_at_a_time_and_a_killed_run_never_blocks(tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path), "--rate", "0", "--concurrency", "1"]
    with serve(SNAP2, latency=0.05) as srv:
        first = etl("corpus", "--site", srv.url, *args)
        deadline = time.monotonic() + 20
        while srv.count() < 3 and time.monotonic() < deadline:  # holding the lock, crawling
            time.sleep(0.02)
        second = etl("corpus", "--site", srv.url, *args)
        _, err = second.communicate(timeout=60)
        assert second.returncode == EXIT_LOCKED
        assert "another etl run holds" in err and f"pid {first.pid}" in err
        os.kill(first.pid, signal.SIGKILL)  # the nightly job dies mid-crawl
        first.communicate(timeout=10)
        third = etl("corpus", "--site", srv.url, *args[:4])
        out, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert "65 new" in out


def test_a_corpus_of_another_site_is_refused(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        run_corpus(settings(srv, tmp_path))
    with serve(SNAP2) as other, pytest.raises(ValueError, match="holds the corpus of"):
        run_corpus(settings(other, tmp_path))


def test_demo_runs_the_same_corpus_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etl.replay import demo

    with serve(SNAP2) as probe:  # a port that is free right now
        port = int(probe.url.rsplit(":", 1)[1])
    args = ["--snapshot", str(SNAP2), "--data-dir", str(tmp_path), "--port", str(port), "-q"]
    assert demo.main(args) == 0
    assert len(table(tmp_path, "posts")) == 65
    last = capsys.readouterr().out.splitlines()[-1]  # where the live site's contact goes
    assert last.startswith("live: set contact = ") and "etl.toml" in last
    assert "ETL_CONTACT" in last and "--contact" in last and last.endswith("then make corpus")


def test_an_unreachable_site_fails_fast_and_points_to_the_demo(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:  # a port nobody listens on once the server is gone
        dead = srv.url
    started = time.monotonic()
    proc = etl("corpus", "--site", dead, "--data-dir", str(tmp_path))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert f"cannot reach {dead}" in err and "make demo" in err
    assert len(err.strip().splitlines()) == 1
    assert time.monotonic() - started < 10  # no retry storm against a dead network


def test_corpus_heals_the_posts_its_archives_skip(tmp_path: Path) -> None:
    from tests.test_audit import gapped_snapshot

    folder, removed = gapped_snapshot(tmp_path)  # 3 posts cut from every archive page
    with serve(folder) as srv:
        report = run_corpus(settings(srv, tmp_path / "data"))
        origin = srv.url
    assert report.exit_status == 0, report.reason
    assert report.audit is not None and report.audit["recall"] == 1.0
    healed = sorted(u.replace(origin, LIVE) for u in report.audit["healed"])
    assert healed == sorted(removed)  # `removed` holds the site's own URLs
    assert_matches_expected(tmp_path / "data", origin, "snapshot-2")
    sources = {
        r["url"].replace(origin, LIVE): r["source"] for r in table(tmp_path / "data", "posts")
    }
    assert sorted(u for u, s in sources.items() if s == "post_page") == sorted(removed)
    audit = {r["url"].replace(origin, LIVE): r["status"] for r in table(tmp_path / "data", "audit")}
    assert sorted(u for u, s in audit.items() if s == "healed") == sorted(removed)


def test_recall_below_the_threshold_fails_the_run_naming_the_missing(tmp_path: Path) -> None:
    from tests.test_audit import gapped_snapshot

    folder, removed = gapped_snapshot(tmp_path)
    with serve(folder) as srv:
        report = run_corpus(settings(srv, tmp_path / "data", heal_max=1))
        missing = sorted(u.replace(LIVE, srv.url) for u in removed)[1:]  # the first was healed
    assert report.exit_status == 1
    assert report.reason is not None and report.reason.startswith("recall ")
    assert report.audit is not None and report.audit["missing"] == missing
    assert all(url in failure_text(report) for url in report.audit["missing"])
    assert len(table(tmp_path / "data", "posts")) == 63  # the good data is still merged


def test_the_audit_reuses_discovery_s_sitemap_index_and_asks_wp_json_on_full_runs_only(
    tmp_path: Path,
) -> None:
    def others(since: int) -> Counter[str]:
        """Requests per path that are not archive pages, after log entry `since`."""
        return Counter(e.path for e in srv.log[since:] if not e.path.startswith(("/tag/", "/cat")))

    with serve(SNAP1) as srv:
        s = settings(srv, tmp_path)
        full = run_corpus(s)
        assert full.mode == "full" and full.audit is not None
        assert full.audit["wp_json_total"] is None and full.audit["wp_json"] == "HTTP 404"
        first = others(0)
        # The posts endpoint twice: the audit's count and the REST API's second opinion.
        assert first.pop("/wp-json/wp/v2/posts") == 2 and full.rest and full.rest["requests"] == 1
        assert set(first.values()) == {1}, first  # the index read once, by discovery
        first["/wp-json/wp/v2/posts"] = 1
        assert {"/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml", "/wp-json/wp/v2/posts"} <= set(
            first
        )
        mark = len(srv.log)
        again = run_corpus(s)
        assert again.mode == "incremental" and again.audit is not None
        assert again.audit["recall"] == 1.0
        assert again.audit["wp_json"] == "not asked (incremental run)"
        second = others(mark)
        assert set(second.values()) == {1} and "/wp-json/wp/v2/posts" not in second
        assert second.keys() == first.keys() - {"/wp-json/wp/v2/posts", "/"}
