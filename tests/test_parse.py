import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parse_fixtures import EXPECTED, GOLDEN, ORIGIN, load_json, pages, snapshot_file

from etl.parse.page import parse_fetch, parse_page
from etl.records import Fetch, Page, Post, to_json

GOLDEN_PAGES = sorted((EXPECTED / "pages").glob("*.json"))


def _url_of(expected: Path) -> str:
    return str(load_json(expected)["url"])


@pytest.mark.parametrize("expected", GOLDEN_PAGES, ids=lambda p: p.stem)
def test_golden_page(expected: Path, update_golden: bool) -> None:
    url = _url_of(expected)
    page = parse_page(snapshot_file("snapshot-2", url).read_text(encoding="utf-8"), url)
    golden = GOLDEN / "pages" / expected.name
    if update_golden:
        text = json.dumps(to_json(page), indent=1, ensure_ascii=False)  # byte-equal to expected/
        golden.write_text(text, encoding="utf-8")
    assert page.kind == "archive"
    assert page.problems == ()
    assert to_json(page) == load_json(golden)


def test_golden_files_are_the_contracts_pages() -> None:
    # --update-golden must not silently move the goldens away from the contract.
    assert sorted(p.name for p in (GOLDEN / "pages").glob("*.json")) == [
        p.name for p in GOLDEN_PAGES
    ]
    for expected in GOLDEN_PAGES:
        assert load_json(GOLDEN / "pages" / expected.name) == load_json(expected)


# A few post pages pinned whole: a tip with a dated heading, a business article whose date
# comes from its timestamp, and the oldest post of the snapshot.
GOLDEN_POST_PAGES = [
    f"{ORIGIN}2024-holiday-poem-12-24-24-customer-service-tip/",
    f"{ORIGIN}dont-buck-the-broncos-approach-to-fan-relations/",
    f"{ORIGIN}emotions-take-energy-3-1-16-customer-service-tip/",
]


def _golden_name(url: str) -> str:
    return url.removeprefix(ORIGIN).strip("/") + ".json"


@pytest.mark.parametrize("url", GOLDEN_POST_PAGES, ids=_golden_name)
def test_golden_post_page(url: str, update_golden: bool) -> None:
    page = parse_page(snapshot_file("snapshot-2", url).read_text(encoding="utf-8"), url)
    golden = GOLDEN / "post-pages" / _golden_name(url)
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        text = json.dumps(to_json(page), indent=1, ensure_ascii=False) + "\n"
        golden.write_text(text, encoding="utf-8")
    assert page.kind == "post" and page.problems == ()
    assert to_json(page) == load_json(golden)


def test_golden_post_pages_are_the_contracts_records() -> None:
    # A post page holds its post as the contract's posts.json has it, and the site-wide
    # latest-tips block as teasers.json has it.
    assert sorted(p.name for p in (GOLDEN / "post-pages").glob("*.json")) == sorted(
        _golden_name(u) for u in GOLDEN_POST_PAGES
    )
    expected = {p["url"]: p for p in load_json(EXPECTED / "snapshot-2" / "posts.json")}
    teasers = {t["url"]: t for t in load_json(EXPECTED / "snapshot-2" / "teasers.json")}
    for url in GOLDEN_POST_PAGES:
        golden = load_json(GOLDEN / "post-pages" / _golden_name(url))
        assert golden["posts"] == [expected[url]]
        assert (golden["term"], golden["next_url"]) == (None, None)
        assert len(golden["teasers"]) == 10
        assert all(teasers[t["url"]] == t for t in golden["teasers"])


def _archives(snapshot: str) -> list[Page]:
    return [parse_page(html, url) for url, html in pages(snapshot, "category/", "tag/")]


def _union(archives: list[Page]) -> dict[str, Post]:
    """One record per post URL; tags unioned, every other field must agree."""
    posts: dict[str, Post] = {}
    for page in archives:
        for post in page.posts:
            seen = posts.get(post.url)
            if seen is not None:
                assert replace(seen, tags=()) == replace(post, tags=()), post.url
                post = replace(post, tags=tuple(sorted({*seen.tags, *post.tags})))
            posts[post.url] = post
    return posts


@pytest.mark.parametrize("snapshot", ["snapshot-1", "snapshot-2"])
def test_every_archive_page_of_a_snapshot(snapshot: str) -> None:
    archives = _archives(snapshot)
    assert len(archives) > 20
    assert [p.problems for p in archives if p.problems] == []
    assert all(p.kind == "archive" and p.term and p.posts for p in archives)
    posts = _union(archives)
    expected = load_json(EXPECTED / snapshot / "posts.json")
    got = sorted((to_json(p) for p in posts.values()), key=lambda p: p["url"])
    assert got == sorted(expected, key=lambda p: p["url"])
    teasers = {to_json(t)["url"]: to_json(t) for page in archives for t in page.teasers}
    expected_teasers = load_json(EXPECTED / snapshot / "teasers.json")
    assert sorted(teasers.values(), key=lambda t: t["url"]) == sorted(
        expected_teasers, key=lambda t: t["url"]
    )


def test_teasers_never_take_the_archives_term() -> None:
    for page in _archives("snapshot-2"):
        assert len(page.teasers) == 10
        assert all(t.url.startswith(ORIGIN) and t.excerpt for t in page.teasers)
        assert not any(t.excerpt.endswith("Read more") for t in page.teasers)


def test_post_pages_give_the_archives_records() -> None:
    archive_posts = _union(_archives("snapshot-2"))
    post_pages = [
        (url, html)
        for url, html in pages("snapshot-2")
        if not url.startswith((f"{ORIGIN}category/", f"{ORIGIN}tag/"))
    ]
    assert len(post_pages) == len(archive_posts)
    for url, html in post_pages:
        page = parse_page(html, url)
        assert page.kind == "post", url
        assert page.problems == ()
        assert page.term is None and page.next_url is None
        (post,) = page.posts
        seen = archive_posts[post.url]
        # Only the html may differ (the fields only one of them carries), and which rule found
        # a field (a post page's URL is its canonical link); the footer's tags happen to hold
        # every tag archive the post is in, so tags agree too.
        assert replace(post, html="", found_by=()) == replace(seen, html="", found_by=()), url
        assert post.html == seen.html, url


def test_home_page() -> None:
    (html,) = [h for u, h in pages("snapshot-2") if u == ORIGIN] or [
        snapshot_file("snapshot-2", ORIGIN).read_text(encoding="utf-8")
    ]
    page = parse_page(html, ORIGIN)
    assert page.kind == "home"
    assert len(page.teasers) == 10
    assert page.problems == ()


def _archive_html() -> str:
    return snapshot_file("snapshot-2", f"{ORIGIN}tag/service-recovery/").read_text(encoding="utf-8")


def test_a_renamed_class_is_not_a_lost_field() -> None:
    # The rules read what the markup is, not one theme's class names: renamed classes, a
    # title link without rel=bookmark, articles without hentry still give the same records.
    url = f"{ORIGIN}tag/service-recovery/"
    html = (
        _archive_html()
        .replace('class="tip-post"', 'class="tip-box"')
        .replace('rel="bookmark">', ">")
        .replace(" hentry ", " ")
    )
    page, golden = parse_page(html, url), parse_page(_archive_html(), url)
    assert page.problems == ()
    assert to_json(page) == to_json(golden)


def test_drift_read_more_without_teasers() -> None:
    # The teaser block's links lose their URLs: the "Read more" links say there were teasers.
    html = re.sub(
        r'(<div class="tip-post">.*?)</div>\n</div>', _no_hrefs, _archive_html(), flags=re.S
    )
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/")
    assert page.teasers == ()
    assert [p.code for p in page.drift] == ["drift.no_teasers"]


def _no_hrefs(m: re.Match[str]) -> str:
    return re.sub(r' href="[^"]*"', "", m[0])


def test_drift_teaser_without_link_on_every_page_that_shows_it() -> None:
    # The first tip loses its title link; teasers are cached per block, so the problem must
    # still be reported on each page (with that page's URL), and the other nine kept.
    html = _archive_html().replace('<h3 class="tip-title"><a ', '<h3 class="tip-title"><b ', 1)
    html = html.replace("</a></h3>", "</b></h3>", 1)
    for url in (f"{ORIGIN}tag/service-recovery/", f"{ORIGIN}tag/service-recovery/page/2/"):
        page = parse_page(html, url)
        assert len(page.teasers) == 9
        (problem,) = page.drift
        assert (problem.code, problem.url, problem.record_kind) == (
            "drift.teaser_without_link",
            url,
            "teaser",
        )
        assert problem.excerpt.startswith('<div class="tip-post">')


def test_drift_fewer_teasers_than_read_more_links() -> None:
    # One tip's links lose their URLs: nine teasers are read, the tenth must not vanish.
    html = _archive_html()
    start = html.index('<div class="tip-post">')
    end = html.index('<div class="tip-post">', start + 1)
    html = html[:start] + re.sub(r' href="[^"]*"', "", html[start:end]) + html[end:]
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/")
    assert len(page.teasers) == 9
    assert [(p.code, p.detail) for p in page.drift] == [
        ("drift.teasers_missing", "10 Read more links but only 9 teasers found")
    ]


def test_drift_article_without_title_is_dropped_and_reported() -> None:
    # The title link loses its URL: no rule reads a title (the date link has no words).
    html = re.sub(r'(<h2 class="entry-title"><a) href="[^"]*"', r"\1", _archive_html(), count=1)
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/")
    assert len(page.posts) == 2
    (problem,) = page.problems
    assert problem.code == "drift.article_without_title"
    assert problem.drift and problem.record_kind == "post" and "post-1052" in problem.excerpt


def test_drift_archive_without_posts() -> None:
    html = re.sub(r"<article\b.*?</article>", "", _archive_html(), flags=re.S)
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/page/3/")
    assert page.page == 3
    assert page.posts == ()
    assert [p.code for p in page.drift] == ["drift.no_posts"]


def test_drift_an_article_unlike_the_others_is_named() -> None:
    # One article lost every post_class() word: the others are read, it is not skipped quietly.
    html = re.sub(
        r'<article id="post-1052" class="[^"]*"', '<article id="x" class="x"', _archive_html()
    )
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/")
    assert len(page.posts) == 2
    assert [(p.code, p.record_kind) for p in page.drift] == [("drift.article_unclassed", "post")]


def test_drift_a_post_title_outside_any_post_is_named() -> None:
    # A block broken apart (its title left outside the article): the title is not read as a
    # post, and the post it names is not lost quietly.
    html = re.sub(
        r'(<article id="post-1052"[^>]*>)(\s*<header class="entry-header">.*?</header>)',
        r"\2\1",
        _archive_html(),
        count=1,
        flags=re.DOTALL,
    )
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/")
    lost = [p for p in page.drift if p.code == "drift.post_unread"]
    assert len(lost) == 1 and "the post titled here was not read" in lost[0].detail


def test_record_problems_are_not_drift() -> None:
    html = (
        _archive_html()
        .replace('id="post-1052" class="post-1052 ', 'id="main-post" class="')
        .replace("6/25/13 TOW", "2/30/19")
    )
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/")
    post = page.posts[0]
    # The impossible tip date is cut from the title and reported, never guessed: the date is
    # the publication date's.
    assert (post.wp_id, post.date, post.date_raw) == (None, dt.date(2013, 6, 25), "2/30/19")
    assert post.date_source == "published"
    assert post.published_at == dt.datetime(2013, 6, 25, 13, 45, tzinfo=dt.UTC)
    assert post.title == "The Customer is Always Right?"
    assert sorted(p.code for p in page.problems) == ["date.impossible", "post.no_wp_id"]
    assert page.drift == ()


def test_drift_a_date_element_that_gives_no_date() -> None:
    html = _archive_html().replace('datetime="2013-06-25T09:45:00-04:00"', 'datetime="soon"')
    page = parse_page(html, f"{ORIGIN}tag/service-recovery/")
    assert page.posts[0].published_at is None
    codes = [p.code for p in page.problems]
    assert "drift.date_unread" in codes and "post.no_published_at" in codes


def test_parse_fetch_decodes_cp1252() -> None:
    html = _archive_html().replace('<meta charset="UTF-8">', "")
    for entity, char in (("&#8220;", "“"), ("&#8221;", "”"), ("&#8217;", "’")):
        html = html.replace(entity, char)  # real cp1252 bytes 0x93 0x94 0x92, not ASCII
    fetch = Fetch(
        url=f"{ORIGIN}tag/service-recovery/",
        status=200,
        fetched_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        headers=(("Content-Type", "text/html; charset=utf-8"),),
        body=html.encode("cp1252"),
    )
    page = parse_fetch(fetch)
    assert page.posts[0].text.startswith("The customer was so upset")
    assert "“general admission,”" in page.posts[0].text
    assert [p.code for p in page.problems] == ["page.decoding"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_parse_page_never_raises_on_text(html: str) -> None:
    page = parse_page(html, f"{ORIGIN}tag/x/")
    assert page.kind == "archive"
    assert page.drift  # an archive page with nothing on it is drift, not an empty success


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_parse_page_never_raises_on_truncated_pages(data: st.DataObject) -> None:
    url, html = data.draw(st.sampled_from(pages("snapshot-2", "tag/", "category/service")))
    cut = data.draw(st.integers(0, len(html)))
    page = parse_page(html[:cut], url)
    if not page.posts:
        assert page.drift
