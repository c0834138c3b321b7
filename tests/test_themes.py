"""The theme fixtures themselves: every theme renders both blogs, well-formed, in its markup.

The end-to-end check of a parser on them is tests/test_themes_corpus.py; here only what the
fixtures promise: the contract theme reproduces snapshot-2 and today's pipeline reads it
exactly; every theme lists each archive's posts newest first, carries the teaser block on
every page of the cssamerica blog, and marks itself (`wp-theme-<name>`, its own classes).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from etl.pipeline import run_corpus
from etl.replay.server import serve
from tests.replay_settings import fast_settings
from tests.themes import BLOGS, THEMES, expected, render_fixture, rest
from tests.themes.checks import html_files, malformed, render_all
from tests.themes.cssamerica import EXPECTED, SNAPSHOT
from tests.themes.render import listings

PAIRS = [(t, b) for t in THEMES for b in BLOGS]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    return render_all(tmp_path_factory.mktemp("themes"))


def _dom(path: Path) -> LexborHTMLParser:
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def _page(folder: Path, url: str, origin: str) -> Path:
    rel = url.removeprefix(origin).strip("/")
    return folder / rel / "index.html" if rel else folder / "index.html"


@pytest.mark.parametrize(("theme", "blog"), PAIRS)
def test_every_page_is_there_and_well_formed(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str
) -> None:
    folder, site, spec = rendered[theme, blog], BLOGS[blog](), THEMES[theme]
    pages = {_page(folder, p.url(), site.origin) for p in listings(site, spec)}
    pages |= {folder / p.slug / "index.html" for p in site.posts} | {folder / "404.html"}
    assert set(html_files(folder)) == pages
    for name in ("robots.txt", "wp-sitemap.xml", "wp-sitemap-posts-post-1.xml"):
        assert site.origin in (folder / name).read_text()
    api = json.loads((folder / "wp-json" / "wp" / "v2" / "posts.json").read_text())
    assert [p["id"] for p in api] == [p.id for p in site.posts]
    bad = {str(p.relative_to(folder)): e for p in sorted(pages) if (e := malformed(p.read_text()))}
    assert not bad


@pytest.mark.parametrize(("theme", "blog"), PAIRS)
def test_archives_list_their_posts_newest_first_page_by_page(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str
) -> None:
    folder, site, spec = rendered[theme, blog], BLOGS[blog](), THEMES[theme]
    for term in site.terms:
        members = site.members(term)
        seen: list[str] = []
        for n in range(1, math.ceil(len(members) / spec.per_page) + 1):
            url = site.url(term.path) + (f"page/{n}/" if n > 1 else "")
            dom = _dom(_page(folder, url, site.origin))
            seen += [a.attributes["href"] or "" for a in dom.css(spec.loop_link)]
        assert seen == [site.url(p.path) for p in members], term.path


@pytest.mark.parametrize("theme", THEMES)
def test_each_theme_carries_its_own_markers(
    rendered: dict[tuple[str, str], Path], theme: str
) -> None:
    folder, site, spec = rendered[theme, "cssamerica"], BLOGS["cssamerica"](), THEMES[theme]
    lists = [_dom(_page(folder, p.url(), site.origin)) for p in listings(site, spec)]
    singles = [_dom(folder / p.slug / "index.html") for p in site.posts]
    for kind, doms in (("listing", lists), ("single", singles)):
        for selector in spec.markers[kind]:
            assert any(d.css_first(selector) for d in doms), (kind, selector)
    if theme != "contract":  # WordPress 6.x names the theme in the body class
        classes = [
            (d.body.attributes.get("class") if d.body else "") or "" for d in lists + singles
        ]
        assert all(f"wp-theme-{theme}" in c.split() for c in classes)


@pytest.mark.parametrize("theme", THEMES)
def test_the_teaser_block_is_on_every_page_of_the_cssamerica_blog(
    rendered: dict[tuple[str, str], Path], theme: str
) -> None:
    folder, site, spec = rendered[theme, "cssamerica"], BLOGS["cssamerica"](), THEMES[theme]
    teasers = [site.url(p.path) for p in site.teasers]
    assert len(teasers) == 10
    pages = [_page(folder, p.url(), site.origin) for p in listings(site, spec)]
    for page in pages + [folder / p.slug / "index.html" for p in site.posts]:
        links = [a.attributes["href"] for a in _dom(page).css(spec.teaser_link)]
        assert links == teasers, page
    second = rendered[theme, "second"]
    assert not _dom(second / "index.html").css(spec.teaser_link)  # that blog has none


_MORE = re.compile(r"\s*(?:\[…\]|…|\.\.\.)\s*$")  # WordPress' excerpt_more markers


@pytest.mark.parametrize("theme", THEMES)
def test_teasers_show_the_contracts_titles_and_excerpts(
    rendered: dict[tuple[str, str], Path], theme: str
) -> None:
    """Each teaser: its heading (texturized or raw) and the contract's excerpt words."""
    folder, spec = rendered[theme, "cssamerica"], THEMES[theme]
    want = {t["url"]: t for t in expected.teasers(BLOGS["cssamerica"]())}
    dom = _dom(folder / "index.html")
    links, excerpts = dom.css(spec.teaser_link), dom.css(spec.teaser_excerpt)
    assert len(links) == len(excerpts) == len(want)
    for link, box in zip(links, excerpts, strict=True):
        record = want[link.attributes["href"] or ""]
        assert expected.split_heading(link.text())[0] == record["title"]
        for node in box.css("a, .screen-reader-text"):  # read-more links are not excerpt words
            node.decompose()
        words = _MORE.sub("", " ".join(box.text(separator=" ").split()))
        assert words == record["excerpt"], (theme, record["url"])


def test_the_contract_theme_reproduces_snapshot_2(rendered: dict[tuple[str, str], Path]) -> None:
    folder = rendered["contract", "cssamerica"]
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    served = {f for f in files if not f.startswith("wp-json/")}
    assert served == {str(p.relative_to(SNAPSHOT)) for p in SNAPSHOT.rglob("*") if p.is_file()}
    differ = [f for f in served if (folder / f).read_bytes() != (SNAPSHOT / f).read_bytes()]
    assert differ == []


def test_expected_records_of_cssamerica_are_the_contracts() -> None:
    site = BLOGS["cssamerica"]()
    for name, mine, fields in (
        ("posts", expected.posts(site), expected.POST_FIELDS),
        ("teasers", expected.teasers(site), expected.TEASER_FIELDS),
    ):
        contract = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
        assert mine == sorted(({f: r[f] for f in fields} for r in contract), key=lambda r: r["url"])


def test_the_second_blog_has_what_it_promises() -> None:
    site = BLOGS["second"]()
    assert 25 <= len(site.posts) <= 40 and site.latest == 0
    assert site.origin != BLOGS["cssamerica"]().origin
    records = expected.posts(site)
    posts = sorted(site.posts, key=lambda p: site.url(p.path))
    assert [r["date"] for r in records] == [p.published.date().isoformat() for p in posts]
    assert {p.published.weekday() for p in site.posts} == set(range(7))
    assert any(not p.tags for p in site.posts)
    assert any(t.slug != t.name.lower() for t in site.categories)
    assert any(p.published.date() != p.published.astimezone(dt.UTC).date() for p in site.posts)
    assert BLOGS["second"]() is site  # built once


def test_the_command_line_lists_and_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.themes.__main__ import main

    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in THEMES)
    assert main(["render", "contract", "--blog", "second", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "wp-json" / "wp" / "v2" / "tags.json").is_file()
    assert main(["render", "contract", str(tmp_path / "out")]) == 2  # never over another site
    with pytest.raises(FileExistsError):
        render_fixture("contract", "second", tmp_path / "out")


@pytest.mark.parametrize("blog", BLOGS)
def test_todays_pipeline_reads_the_contract_theme_exactly(
    rendered: dict[tuple[str, str], Path], blog: str, tmp_path: Path
) -> None:
    site = BLOGS[blog]()
    with serve(rendered["contract", blog]) as srv:
        report = run_corpus(fast_settings(srv, tmp_path))
        want = (expected.posts(site, srv.url), expected.teasers(site, srv.url))
    assert report.exit_status == 0, report.reason
    assert expected.differences(want, expected.read_corpus(tmp_path)) == []
    assert report.audit is not None and report.audit["wp_json_total"] == len(site.posts)


def test_rest_data_is_what_wordpress_returns(rendered: dict[tuple[str, str], Path]) -> None:
    site = BLOGS["second"]()
    folder = rendered["contract", "second"]
    raw = (folder / "wp-json" / "wp" / "v2" / "posts.json").read_text()
    assert "https:\\/\\/blog.example.org\\/" in raw  # slashes escaped, as PHP does
    posts = {p["id"]: p for p in json.loads(raw)}
    quoted = next(p for p in site.posts if "'" in p.title)
    item = posts[quoted.id]
    assert "&#8217;" in item["title"]["rendered"] and item["link"] == site.url(quoted.path)
    assert item["date_gmt"] == quoted.published.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    assert item["tags"] == [t.id for t in quoted.tags]
    cats = json.loads((folder / "wp-json" / "wp" / "v2" / "categories.json").read_text())
    news = next(c for c in cats if c["slug"] == "news")
    assert news["name"] == "Club News" and news["count"] == sum(
        1 for p in site.posts if any(t.slug == "news" for t in p.categories)
    )


def test_rest_data_can_disagree_with_the_html_on_one_tag(tmp_path: Path) -> None:
    folder = render_fixture("contract", "second", tmp_path / "site")
    site = BLOGS["second"]()
    link, post_id, tags = rest.disagree_on_tag(folder)
    post = next(p for p in site.posts if p.id == post_id)
    assert link == site.url(post.path) and tags != [t.id for t in post.tags]
    api = json.loads((folder / "wp-json" / "wp" / "v2" / "posts.json").read_text())
    assert next(p["tags"] for p in api if p["id"] == post_id) == tags
