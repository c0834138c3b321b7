"""Bad input through the real pipeline: every broken answer becomes a named, counted problem
(run report, `rejects` table, exit status) instead of a crash, mojibake or a silent loss.

Most cases crawl one archive (`/tag/resolve/`, three posts) whose answer the replay server
replaces, so no other page holds a second copy of its posts to hide a loss.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from etl.replay.server import ReplayServer, serve
from tests.reliability import SNAP2, content, rejects, run

PAGE = "/tag/resolve/"
ONLY = {"archives": (PAGE,)}
# A run whose every page failed publishes nothing: these cases crawl a good archive too.
WITH_GOOD = {"archives": (PAGE, "/tag/retention/")}
HTML = [("Content-Type", "text/html; charset=UTF-8")]
TITLE = "Fix the Unfixed Issue for Your Customer"
QUOTED = "Fix the “Unfixed” Issue for Your Customer"  # curly quotes: 0x93/0x94 in cp1252


def page(srv: ReplayServer) -> str:
    text = (SNAP2 / "tag/resolve/index.html").read_text(encoding="utf-8")
    return text.replace("https://cssamerica.com", srv.url)


def bad_run(tmp_path: Path, answer: Callable[[ReplayServer], tuple[int, bytes, Any]], **kw: Any):
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        status, body, headers = answer(srv)
        srv.override(PAGE, status, body, headers)
        report = run(srv, data, **{**ONLY, **kw})
    return report, data, srv


def titles(data: Path) -> list[str]:
    return pq.read_table(data / "processed" / "posts.parquet")["title"].to_pylist()


def reasons(data: Path) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rejects(data):
        found.setdefault(row["reason"], []).append(row)
    return found


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("clean") / "data"
    with serve(SNAP2) as srv:
        assert run(srv, data, **ONLY).exit_status == 0
    tables = content(data)
    assert len(tables["posts"]) == 3 and TITLE in [r["title"] for r in tables["posts"]]
    return tables


def test_malformed_html_that_still_parses_gives_the_same_records(
    tmp_path: Path, clean: dict[str, Any]
) -> None:
    def mangle(srv: ReplayServer) -> tuple[int, bytes, Any]:
        # Unclosed paragraphs and inline tags, stray end tags, a comment never closed.
        text = page(srv).replace("</p>", "</td></span>").replace("<p>", "<p><b><i>")
        text = text.replace("</body>", "<!-- never closed </body>")
        return 200, text.encode(), HTML

    report, data, _ = bad_run(tmp_path, mangle)
    assert report.exit_status == 0
    got = content(data)
    for name in ("posts", "teasers", "documents"):
        assert [{k: v for k, v in r.items() if k != "html"} for r in got[name]] == [
            {k: v for k, v in r.items() if k != "html"} for r in clean[name]
        ], name


def test_a_truncated_page_is_named_and_its_records_not_loaded_half(tmp_path: Path) -> None:
    def cut(srv: ReplayServer) -> tuple[int, bytes, Any]:
        text = page(srv)
        return 200, text[: text.index(TITLE) + 2000].encode(), HTML

    report, data, srv = bad_run(tmp_path, cut)
    assert report.exit_status == 1 and srv.url + PAGE in (report.reason or "")
    assert report.problems["page.truncated"] == 1
    [row] = reasons(data)["page.truncated"]
    assert row["source_url"] == srv.url + PAGE and row["drift"] and row["excerpt"]
    assert "posts" in row["detail"]
    assert titles(data) == []  # no half post stored (it would win over a good copy)


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        (r'<h2 class="entry-title"><a[^>]*>[^<]*</a></h2>', '<h2 class="entry-title"></h2>'),
        (r'(<h2 class="entry-title"><a) href="[^"]*"', r"\1"),
    ],
    ids=["no-title", "no-url"],
)
def test_an_article_without_title_or_url_is_rejected_and_fails_the_run(
    tmp_path: Path, pattern: str, replacement: str
) -> None:
    def strip(srv: ReplayServer) -> tuple[int, bytes, Any]:
        return 200, re.sub(pattern, replacement, page(srv), count=1).encode(), HTML

    report, data, _srv = bad_run(tmp_path, strip)
    assert report.exit_status == 1 and "drift.article_without_title" in (report.reason or "")
    [row] = reasons(data)["drift.article_without_title"]
    assert row["record_kind"] == "post" and "<article" in row["excerpt"]
    assert TITLE not in titles(data) and len(titles(data)) == 2  # the others are kept


def test_an_article_without_body_is_rejected_not_stored_empty(tmp_path: Path) -> None:
    def strip(srv: ReplayServer) -> tuple[int, bytes, Any]:
        return 200, page(srv).replace('class="entry-content"', 'class="gone"', 1).encode(), HTML

    report, data, _ = bad_run(tmp_path, strip)
    assert report.exit_status == 1
    [row] = reasons(data)["drift.article_without_body"]
    assert row["record_kind"] == "post" and "unfixed-issue" in row["source_url"]
    assert TITLE not in titles(data) and len(titles(data)) == 2


def test_an_impossible_date_is_counted_and_the_post_kept(tmp_path: Path) -> None:
    def date(srv: ReplayServer) -> tuple[int, bytes, Any]:
        return (
            200,
            page(srv).replace(f"{TITLE} &#8211; 1/23/18", f"{TITLE} &#8211; 2/30/19").encode(),
            HTML,
        )

    report, data, _ = bad_run(tmp_path, date)
    assert report.exit_status == 0  # a record-level problem does not fail the run
    assert report.problems["date.impossible"] == 1
    [row] = reasons(data)["date.impossible"]
    assert "2/30/19" in row["excerpt"] and row["record_kind"] == "post"
    posts = {r["title"]: r for r in pq.read_table(data / "processed" / "posts.parquet").to_pylist()}
    post = posts[TITLE]
    assert post["date_source"] == "published" and post["date"] == post["published_at"].date()


def with_quotes(srv: ReplayServer) -> str:
    return page(srv).replace(TITLE, QUOTED)


@pytest.mark.parametrize(
    ("encode", "headers"),
    [
        # cp1252 bytes, no charset anywhere
        (
            lambda t: t.replace('<meta charset="UTF-8">', "").encode("cp1252"),
            [("Content-Type", "text/html")],
        ),
        # cp1252 bytes, the page's meta claims UTF-8
        (lambda t: t.encode("cp1252"), [("Content-Type", "text/html")]),
        # UTF-8 bytes, the header claims latin-1
        (lambda t: t.encode(), [("Content-Type", "text/html; charset=iso-8859-1")]),
        # a UTF-8 BOM, the header claims windows-1252
        (
            lambda t: b"\xef\xbb\xbf" + t.encode(),
            [("Content-Type", "text/html; charset=windows-1252")],
        ),
    ],
    ids=["cp1252-no-charset", "cp1252-meta-utf8", "utf8-header-latin1", "bom-header-cp1252"],
)
def test_bodies_in_the_wrong_encoding_read_right_and_are_reported(
    tmp_path: Path, encode: Callable[[str], bytes], headers: list[tuple[str, str]]
) -> None:
    report, data, _ = bad_run(tmp_path, lambda srv: (200, encode(with_quotes(srv)), headers))
    assert QUOTED in titles(data)  # no mojibake, no U+FFFD
    assert not any("\ufffd" in t or "â€" in t for t in titles(data))
    assert report.problems["page.decoding"] == 1
    assert reasons(data)["page.decoding"][0]["detail"]
    assert report.exit_status == 0


def test_an_empty_200_is_a_named_failure(tmp_path: Path) -> None:
    report, data, srv = bad_run(tmp_path, lambda srv: (200, b"", HTML))
    assert report.exit_status == 1 and srv.url + PAGE in (report.reason or "")
    assert "page.empty" in reasons(data)


def test_an_error_page_served_with_200_is_drift_not_an_empty_archive(tmp_path: Path) -> None:
    error = b"<html><body><h1>Error establishing a database connection</h1></body></html>"
    report, data, srv = bad_run(tmp_path, lambda srv: (200, error, HTML))
    assert report.exit_status == 1 and srv.url + PAGE in (report.reason or "")
    assert {"drift.no_posts", "drift.no_term"} <= set(reasons(data))
    assert [d["url"] for d in report.drift] == [srv.url + PAGE] * 2


def test_a_redirect_loop_is_refused_and_reported(tmp_path: Path) -> None:
    # /tag/resolve/ -> /tag/resolve/page/1/ -> (the site's own 301) -> /tag/resolve/
    report, data, srv = bad_run(
        tmp_path, lambda srv: (302, b"", [("Location", srv.url + PAGE + "page/1/")]), **WITH_GOOD
    )
    assert report.exit_status == 1
    [failure] = report.failures
    assert failure["reason"] == "redirect_loop" and failure["url"] == srv.url + PAGE
    assert srv.count(PAGE) == 1 and "fetch.redirect_loop" in reasons(data)


def test_a_response_over_the_size_cap_is_refused_and_reported(tmp_path: Path) -> None:
    def big(srv: ReplayServer) -> tuple[int, bytes, Any]:
        return (
            200,
            page(srv).replace("</body>", "<!--" + "x" * 5_000_000 + "--></body>").encode(),
            HTML,
        )

    report, data, _srv = bad_run(tmp_path, big, **WITH_GOOD)
    assert report.exit_status == 1
    [failure] = report.failures
    assert failure["reason"] == "too_large" and "5000000" in failure["detail"]
    assert "fetch.too_large" in reasons(data) and titles(data) and TITLE not in titles(data)


def test_robots_5xx_disallows_every_url_for_the_run(tmp_path: Path, clean: dict[str, Any]) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        assert run(srv, data, **ONLY).exit_status == 0
        srv.override("/robots.txt", 503, b"unavailable")
        report = run(srv, data, **ONLY)
        archive_requests = srv.count(PAGE)
    assert archive_requests == 1  # only the first, clean run asked for it
    assert report.exit_status == 1
    assert [f["reason"] for f in report.failures] == ["robots_unavailable"]
    assert "RFC 9309" in report.failures[0]["detail"]
    got = content(data)
    for name in ("posts", "teasers", "documents"):
        assert got[name] == clean[name], name  # nothing lost, nothing marked gone


def test_robots_404_allows_every_url(tmp_path: Path, clean: dict[str, Any]) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        srv.override("/robots.txt", 404, b"not found")
        report = run(srv, data, **ONLY)
    assert report.exit_status == 0 and report.failures == []
    got = content(data)
    for name in ("posts", "teasers", "documents"):
        assert got[name] == clean[name], name


def test_a_few_bad_bytes_in_a_utf8_page_stay_in_their_post(
    tmp_path: Path, clean: dict[str, Any]
) -> None:
    # A UTF-8 page (dashes as UTF-8) whose header says so, with one stray windows-1252 byte
    # in one post: that post keeps a U+FFFD there and is named; its neighbours read right.
    def stray(srv: ReplayServer) -> tuple[int, bytes, Any]:
        text = page(srv).replace("&#8211;", "–").replace("Are you ever", "Are you \x00ver")
        return 200, text.encode().replace(b"\x00", b"\xe9"), HTML

    report, data, _ = bad_run(tmp_path, stray)
    got = content(data)
    for name in ("posts", "documents"):
        for before, after in zip(clean[name], got[name], strict=True):
            if "emotions-take-energy" in after["url"]:
                assert after["text"] == before["text"].replace("Are you ever", "Are you \ufffdver")
                assert (after["title"], after["date"]) == (before["title"], before["date"])
            else:
                assert after == before  # no mojibake, every heading date found
    assert report.exit_status == 0  # a record-level problem does not fail the run
    assert report.problems["page.decoding"] == 1 and report.problems["post.decoding"] == 1
    [row] = reasons(data)["post.decoding"]
    assert row["source_url"].endswith("/emotions-take-energy-3-1-16-customer-service-tip/")
    assert row["record_kind"] == "post" and "\ufffd" in row["excerpt"]


def test_an_unreadable_sitemap_is_in_the_run_report_and_rejects(tmp_path: Path) -> None:
    # A taxonomy sitemap whose DTD and entities follow a 5 KB comment: refused unexpanded,
    # counted in the run report, a row in rejects; the home page still names the archives.
    sitemap = "/wp-sitemap-taxonomies-post_tag-1.xml"
    body = (
        b'<?xml version="1.0"?>\n<!--' + b"x" * 5000 + b'-->\n<!DOCTYPE urlset [<!ENTITY a "'
        + b"a" * 100 + b'">]>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>&a;</loc></url></urlset>"
    )  # fmt: skip
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        srv.override(sitemap, 200, body, [("Content-Type", "application/xml")])
        report = run(srv, data)
    assert report.exit_status == 0  # nothing lost: the home page links every archive
    assert report.problems["sitemap.refused"] == 1
    [row] = reasons(data)["sitemap.refused"]
    assert row["source_url"] == srv.url + sitemap and "DOCTYPE" in row["detail"]
    assert "<!DOCTYPE" in row["excerpt"]


POSTS_SITEMAP = "/wp-sitemap-posts-post-1.xml"
XML = [("Content-Type", "application/xml")]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY a "a">]>\n<urlset/>', "refused"),
        (b"<html>not a sitemap", "not_xml"),
        (b"<feed><entry/></feed>", "not_sitemap"),
    ],
    ids=["refused", "not_xml", "not_sitemap"],
)
def test_an_unreadable_posts_sitemap_is_in_the_run_report_and_rejects_and_fails_the_run(
    tmp_path: Path, body: bytes, code: str
) -> None:
    # The audit's list of posts is unreadable: recall cannot be known, which is no pass.
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        srv.override(POSTS_SITEMAP, 200, body, XML)
        report = run(srv, data)
    assert report.exit_status == 1
    assert report.reason is not None and "posts sitemap" in report.reason
    assert POSTS_SITEMAP in report.reason
    assert report.problems[f"sitemap.{code}"] == 1
    [row] = reasons(data)[f"sitemap.{code}"]
    assert row["source_url"] == srv.url + POSTS_SITEMAP and row["detail"]
    assert any(POSTS_SITEMAP in w["message"] for w in report.warnings)
    assert report.audit is not None and report.audit["recall"] is None
    assert report.posts["total"] == 65  # nothing lost: the archives were crawled whole


def test_a_site_without_a_posts_sitemap_passes_with_recall_undefined(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        index = (SNAP2 / "wp-sitemap.xml").read_text(encoding="utf-8")
        index = re.sub(r"<sitemap><loc>[^<]*posts-post[^<]*</loc></sitemap>", "", index)
        index = index.replace("https://cssamerica.com", srv.url)
        srv.override("/wp-sitemap.xml", 200, index.encode(), XML)
        report = run(srv, data)
    assert report.exit_status == 0, report.reason
    assert report.audit is not None and report.audit["recall"] is None
    assert not any(k.startswith("sitemap.") for k in report.problems)


def test_a_posts_sitemap_robots_txt_names_is_read_by_the_audit_too(tmp_path: Path) -> None:
    # Discovery reads every sitemap robots.txt names, and keeps no posts: the audit asks again.
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        robots = f"User-agent: *\nSitemap: {srv.url}/wp-sitemap.xml\n"
        srv.override("/robots.txt", 200, (robots + f"Sitemap: {srv.url}{POSTS_SITEMAP}\n").encode())
        report = run(srv, data)
    assert report.exit_status == 0, report.reason
    assert report.audit is not None and report.audit["recall"] == 1.0


def test_a_refused_content_coding_is_its_own_failure_reason(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        srv.override_raw(PAGE, 200, b"\x28\xb5\x2f\xfd", [*HTML, ("Content-Encoding", "zstd")])
        report = run(srv, data, **WITH_GOOD)
    assert report.exit_status == 1
    [failure] = report.failures
    assert failure["reason"] == "content_coding" and "'zstd'" in failure["detail"]
    assert "fetch.content_coding" in reasons(data) and TITLE not in titles(data)
