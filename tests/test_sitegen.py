"""The benchmark site generator writes a snapshot in the contract's markup, of any size."""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from bench.sitegen import SiteInfo, expected_path, generate_shape, generate_site, main
from bench.siteplan import SHAPES, plan_site, posts_for_pages

SITE = "https://cssamerica.com"
HEADING = re.compile(r"^(?P<title>.+?)(?: – (?P<d>\d{1,2}/\d{1,2}/\d{2})(?P<tow> TOW)?)?$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteInfo:
    return generate_site(tmp_path_factory.mktemp("gen") / "site", posts=40, tags=5, seed=3)


def _file(info: SiteInfo, url: str) -> Path:
    rel = url.removeprefix(SITE).strip("/")
    return info.out_dir / rel / "index.html" if rel else info.out_dir / "index.html"


def _dom(info: SiteInfo, url: str) -> LexborHTMLParser:
    return LexborHTMLParser(_file(info, url).read_text(encoding="utf-8"))


def _page_urls(url: str, pages: int) -> list[str]:
    return [url] + [f"{url}page/{n}/" for n in range(2, pages + 1)]


def test_the_site_has_every_file_and_nothing_else(site: SiteInfo) -> None:
    expected = {"index.html", "404.html", "robots.txt", "wp-sitemap.xml"}
    expected |= {
        "wp-sitemap-posts-post-1.xml",
        "wp-sitemap-taxonomies-category-1.xml",
        "wp-sitemap-taxonomies-post_tag-1.xml",
    }
    expected |= {str(_file(site, p.url).relative_to(site.out_dir)) for p in site.posts}
    for a in site.archives:
        expected |= {
            str(_file(site, u).relative_to(site.out_dir)) for u in _page_urls(a.url, a.pages)
        }
    found = {str(p.relative_to(site.out_dir)) for p in site.out_dir.rglob("*") if p.is_file()}
    assert found == expected
    assert site.files == len(found) and site.post_count == 40
    assert site.bytes == sum((site.out_dir / f).stat().st_size for f in found)
    assert len(site.archives) == 6 + 5  # every category and tag has posts
    assert site.expected_path == expected_path(site.out_dir) and site.expected_path.exists()
    assert not any(site.out_dir.glob("**/page/1"))  # /page/1/ is the server's redirect
    robots = (site.out_dir / "robots.txt").read_text()
    assert f"Sitemap: {SITE}/wp-sitemap.xml" in robots
    posts_map = (site.out_dir / "wp-sitemap-posts-post-1.xml").read_text()
    assert posts_map.count("<loc>") == 40 and "-05:00</lastmod>" in posts_map


def test_archive_pages_carry_the_contract_selectors(site: SiteInfo) -> None:
    newest = [p.url for p in site.posts[:10]]
    by_url = {p.url: p for p in site.posts}
    for a in site.archives:
        seen: list[str] = []
        for n, url in enumerate(_page_urls(a.url, a.pages), start=1):
            dom = _dom(site, url)
            tips = dom.css("div.latest-tips > div.tip-post")
            assert [t.css_first("h3.tip-title a").attributes["href"] for t in tips] == newest
            assert all(t.css_first("a.more-link").text() == "Read more" for t in tips)
            assert dom.css_first("h1.archive-title span").text() == a.name
            assert (dom.css_first('link[rel="next"]') is None) == (n == a.pages)
            assert (dom.css_first('link[rel="prev"]') is None) == (n == 1)
            nav = dom.css_first("nav.paging-navigation").text()
            assert ("Older posts" in nav) == (n < a.pages) and ("Newer posts" in nav) == (n > 1)
            articles = dom.css("article.hentry")
            assert 1 <= len(articles) <= 3 and (len(articles) == 3 or n == a.pages)
            for art in articles:
                link = art.css_first(".entry-title a[rel=bookmark]").attributes["href"]
                post = by_url[link]
                assert art.id == f"post-{post.wp_id}"
                stamp = art.css_first("time.entry-date").attributes["datetime"] or ""
                assert stamp[-6:] in ("-05:00", "-04:00")
                cats = [c.text() for c in art.css('.entry-meta a[rel="category tag"]')]
                assert tuple(cats) == post.categories
                tags = sorted(t.text() for t in art.css("footer .tags-links a[rel=tag]"))
                assert tuple(tags) == post.tags
                assert (a.name in cats) if a.kind == "category" else (a.name in tags)
                seen.append(link)
        members = [
            p.url for p in site.posts if a.name in (p.tags if a.kind == "tag" else p.categories)
        ]
        assert seen == members  # every member once, newest first
        assert len(seen) == a.posts


def test_post_pages_home_and_404(site: SiteInfo) -> None:
    sidebar_terms = {a.name for a in site.archives}
    for post in site.posts:
        page = _file(site, post.url).read_text(encoding="utf-8")
        dom = LexborHTMLParser(page)
        assert dom.css_first("article.hentry h1.entry-title").text() == post.heading
        assert "Please leave a comment" not in page and "Add a Comment" in page
        assert len(dom.css("#secondary div.latest-tips > div.tip-post")) == 10
        side = {x.text() for x in dom.css("#secondary .cat-item a, #secondary .tagcloud a")}
        assert side == sidebar_terms
        paragraphs = [p.text() for p in dom.css(".entry-content > p")]
        real = [p for p in paragraphs if len(p.split()) >= 40]
        assert 5 <= len(real) <= 15
    home = _dom(site, SITE + "/")
    assert [
        a.css_first(".entry-title a").attributes["href"] for a in home.css("article.hentry")
    ] == [p.url for p in site.posts[:3]]
    assert len(home.css("div.latest-tips > div.tip-post")) == 10
    assert "error404" in (site.out_dir / "404.html").read_text()


def test_headings_dates_and_urls_have_the_sites_shapes() -> None:
    plan = plan_site(600, 20, seed=7)
    shapes = {"dated": 0, "tow": 0, "undated": 0, "inner dash": 0}
    for p in plan.posts:
        m = HEADING.match(p.heading.replace(" - ", " – "))
        assert m and m["title"] == p.title
        if " – " in p.title:
            shapes["inner dash"] += 1
        if m["d"]:
            assert p.date.weekday() == 1 and date(2001, 1, 1) < p.date <= date(2025, 1, 21)
            assert datetime.strptime(m["d"], "%m/%d/%y").date() == p.date
            assert p.url.endswith(f"-{m['d'].replace('/', '-')}-customer-service-tip/")
            assert (p.date - p.published.date()).days in (0, 1)  # or published Monday evening
            shapes["tow" if m["tow"] else "dated"] += 1
        else:
            assert p.date == p.published.date() and "customer-service-tip" not in p.url
            shapes["undated"] += 1
        assert 1 <= len(p.categories) <= 2 and len(p.tags) <= 3
    assert all(v > 5 for v in shapes.values()), shapes
    assert len({p.url for p in plan.posts}) == 600
    stamps = [p.published for p in plan.posts]
    assert stamps == sorted(stamps, reverse=True)


def test_entities_and_spacers_appear_as_wordpress_writes_them(site: SiteInfo) -> None:
    text = "".join(_file(site, p.url).read_text(encoding="utf-8") for p in site.posts)
    for entity in ("&#8217;", "&#8211;", "&#8220;", "&#8221;", "<p>&nbsp;</p>", "Signup for FREE"):
        assert entity in text
    assert not re.search(r"[^\x00-\x7f]", text)  # every curly character is an entity


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + p.read_bytes())
    return h.hexdigest()


def test_a_seed_gives_the_same_site(tmp_path: Path) -> None:
    one = generate_site(tmp_path / "a", posts=25, tags=4, seed=9)
    two = generate_site(tmp_path / "b", posts=25, tags=4, seed=9)
    other = generate_site(tmp_path / "c", posts=25, tags=4, seed=10)
    assert _digest(one.out_dir) == _digest(two.out_dir) != _digest(other.out_dir)
    assert one.expected_path.read_text() == two.expected_path.read_text()


@pytest.mark.parametrize("pages", [150, 1000])
def test_pages_picks_posts_for_about_that_many_archive_pages(pages: int) -> None:
    assert abs(posts_for_pages(pages, 50, seed=2).archive_pages - pages) <= pages * 0.05


def test_cli_writes_a_site_by_pages_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert main([str(out), "--pages", "120", "--tags", "8", "--seed", "1"]) == 0
    facts = json.loads(expected_path(out).read_text(encoding="utf-8"))
    pages = len(
        list((out / "category").rglob("index.html")) + list((out / "tag").rglob("index.html"))
    )
    assert pages == facts["archive_pages"] and abs(pages - 120) <= 6
    assert (
        len(facts["posts"]) == facts["posts_count"] and "archive pages" in capsys.readouterr().out
    )
    assert main([str(out), "--posts", "10"]) == 2  # not empty: refused
    assert main([str(out), "--posts", "10", "--force"]) == 0
    assert json.loads(expected_path(out).read_text(encoding="utf-8"))["posts_count"] == 10


def test_the_deep_shape_has_one_archive_as_deep_as_all_posts() -> None:
    shape = SHAPES["deep"]
    plan = shape.plan()
    pages = sorted((math.ceil(len(m) / plan.per_page) for _, m in plan.archives), reverse=True)
    assert len(plan.posts) == 3000 and len(plan.archives) == 54
    assert pages[0] == 1000 and pages[1] < 200  # one deep archive, 53 shallow ones
    assert 3100 <= plan.archive_pages <= 3300
    tips = plan.archives[0][0]
    assert tips.slug == "customer-service-tip-of-the-week"
    assert all(tips in p.categories and len(p.tags) <= 4 for p in plan.posts)
    assert plan_site(3000, 48, seed=1).archive_pages < plan.archive_pages  # the default mix


def test_cli_writes_a_named_shape(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert main([str(out), "--shape", "deep-quick"]) == 0
    facts = json.loads(expected_path(out).read_text(encoding="utf-8"))
    shape = SHAPES["deep-quick"]
    assert facts["posts_count"] == shape.posts and facts["seed"] == shape.seed
    deepest = max(facts["archives"], key=lambda a: a["pages"])
    assert deepest["pages"] == shape.posts // 3 and deepest["posts"] == shape.posts
    again = generate_shape(tmp_path / "again", shape)
    assert again.expected_path.read_text() == expected_path(out).read_text()
