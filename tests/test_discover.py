"""Pure discovery helpers: robots rules, archive URLs and links, the next page, Retry-After."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest

from etl.crawl import discover
from etl.crawl.client import retry_after
from etl.crawl.progress import Progress
from etl.crawl.session import robots_rules
from etl.parse.page import parse_page
from etl.urls import archive_url

SITE = "http://127.0.0.1:8000"


def test_robots_rules_follow_rfc_9309_on_errors() -> None:
    robots = b"User-agent: *\nDisallow: /wp-admin/\nSitemap: http://127.0.0.1:8000/s.xml\n"
    allowed, sitemaps = robots_rules(200, robots, "etl")
    assert allowed(f"{SITE}/tag/x/") and not allowed(f"{SITE}/wp-admin/x")
    assert sitemaps == [f"{SITE}/s.xml"]
    assert robots_rules(404, b"", "etl")[0](f"{SITE}/wp-admin/")
    for status in (500, 503, None):
        assert not robots_rules(status, b"", "etl")[0](f"{SITE}/")


def test_only_taxonomy_sitemaps_lead_to_archives() -> None:
    assert discover.wants_sitemap(f"{SITE}/wp-sitemap-taxonomies-post_tag-1.xml")
    assert discover.wants_sitemap(f"{SITE}/wp-sitemap-taxonomies-category-2.xml")
    assert not discover.wants_sitemap(f"{SITE}/wp-sitemap-posts-post-1.xml")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{SITE}/tag/service-recovery/", f"{SITE}/tag/service-recovery/"),
        (f"{SITE}/tag/service-recovery/page/2/", f"{SITE}/tag/service-recovery/"),
        (f"{SITE}/category/sports/?utm_source=x#top", f"{SITE}/category/sports/"),
        (f"{SITE}/a-post-1-2-24-customer-service-tip/", None),
        ("https://other.example/tag/x/", None),
    ],
)
def test_archive_url(url: str, expected: str | None) -> None:
    assert archive_url(url, SITE) == expected


def test_the_crawl_follows_the_parser_s_next_page_rule() -> None:
    """One next-page rule: the page's own (`parse_page(...).next_url`), rel=next first."""
    head = '<head><link rel="next" href="/tag/x/page/3/"></head>'
    older = (
        '<nav class="paging-navigation"><div class="nav-previous">'
        '<a href="/tag/x/page/4/"><span>&larr;</span> Older posts</a></div></nav>'
    )
    page = f"{SITE}/tag/x/page/2/"
    assert parse_page(head + older, page).next_url == f"{SITE}/tag/x/page/3/"
    assert parse_page(older, f"{SITE}/tag/x/").next_url == f"{SITE}/tag/x/page/4/"
    assert parse_page("<p>the end</p>", f"{SITE}/tag/x/").next_url is None


def test_archive_links_of_a_page() -> None:
    html = (
        f'<a href="{SITE}/tag/a/">a</a><a href="/category/b/">b</a><a href="/post/">p</a>'
        '<a href="https://cssamerica.com/tag/c/">elsewhere</a>'
    ).encode()
    assert discover.archive_links(html, f"{SITE}/", SITE) == {
        f"{SITE}/tag/a/",
        f"{SITE}/category/b/",
    }


def test_retry_after_in_seconds_and_http_date() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after("3") == 3.0
    assert retry_after("Thu, 01 Jan 2026 12:00:05 GMT", now) == 5.0
    assert retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_progress_is_a_live_line_on_a_tty_and_log_lines_otherwise(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    live = Progress()
    live.show(3, 1, 2, 10)
    live.close()
    assert tty.getvalue().startswith("\rpages 3 done, 1 failed, 2 archives queued")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with caplog.at_level(logging.INFO, logger="etl.crawl.session"):
        Progress(every=0).show(5, 0, 1, 7)
    assert "pages 5 done, 0 failed, 1 archives queued" in caplog.text
