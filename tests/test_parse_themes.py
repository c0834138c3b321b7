"""The parser on real WordPress themes' markup (tests/themes), with no site configuration.

Every (theme, blog) fixture is read page by page as a crawl reads it: each archive page,
then the own page of each post an archive showed only as an excerpt (the crawler's part);
the records, unioned the way the loader unions them, equal the expected ones. The second
blog's sign-off paragraph is the one site rule given (its profile's boilerplate), as a user
would configure it. Pagination, the profile and the theme's post pages are checked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from etl.parse.page import parse_page
from etl.parse.profile import Profile, learn_profile
from etl.records import Page, Post, to_json
from tests.themes import BLOGS, THEMES, expected
from tests.themes.checks import render_all
from tests.themes.model import Site
from tests.themes.second import SIGN_OFF

PAIRS = [(theme, blog) for theme in THEMES for blog in BLOGS]
IDS = [f"{theme}-{blog}" for theme, blog in PAIRS]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    return render_all(tmp_path_factory.mktemp("themes"))


def site_rules(blog: str) -> Profile:
    """What a user configures for a blog: none for cssamerica, the sign-off for the other."""
    if blog == "second":
        return Profile(boilerplate=(re.escape(SIGN_OFF),), heading_dates=False)
    return Profile()


def archive_pages(folder: Path, site: Site) -> Iterator[tuple[str, str]]:
    """(url, html) of every category and tag archive page of a rendered fixture."""
    for kind in ("category", "tag"):
        for file in sorted((folder / kind).rglob("index.html")):
            path = file.parent.relative_to(folder).as_posix()
            yield f"{site.origin}/{path}/", file.read_text(encoding="utf-8")


def own_page(folder: Path, site: Site, url: str, profile: Profile) -> Page:
    path = url.removeprefix(site.origin).strip("/")
    return parse_page((folder / path / "index.html").read_text(encoding="utf-8"), url, profile)


def crawl(
    folder: Path, site: Site, profile: Profile
) -> tuple[list[Page], list[dict[str, Any]], list[dict[str, Any]]]:
    """(pages read, post records, teaser records) as a crawl and the loader would make them."""
    pages = [parse_page(html, url, profile) for url, html in archive_pages(folder, site)]
    posts: dict[str, Post] = {}
    terms: dict[str, tuple[set[str], set[str]]] = {}
    for page in pages:
        for post in page.posts:
            if post.excerpt_only:  # the crawler fetches the post's own page for its text
                page_of_post = own_page(folder, site, post.url, profile)
                pages.append(page_of_post)
                (full,) = page_of_post.posts
                post = replace(full, categories=post.categories, tags=post.tags)
            posts.setdefault(post.url, post)
            cats, tags = terms.setdefault(post.url, (set(), set()))
            cats.update(post.categories)
            tags.update(post.tags)
    records = []
    for url, post in posts.items():
        record = to_json(post)
        record["categories"], record["tags"] = sorted(terms[url][0]), sorted(terms[url][1])
        records.append(record)
    teasers = {t.url: to_json(t) for page in pages for t in page.teasers}
    return pages, records, list(teasers.values())


@pytest.mark.parametrize(("theme", "blog"), PAIRS, ids=IDS)
def test_every_theme_gives_the_expected_records(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str
) -> None:
    site = BLOGS[blog]()
    pages, posts, teasers = crawl(rendered[theme, blog], site, site_rules(blog))
    want = (expected.posts(site), expected.teasers(site))
    found = expected.differences(want, (posts, teasers), machine_dates=THEMES[theme].machine_dates)
    assert found == []
    assert [p for page in pages for p in page.drift] == []
    assert all(page.term for page in pages if page.kind == "archive")


@pytest.mark.parametrize(("theme", "blog"), PAIRS, ids=IDS)
def test_following_next_links_reaches_every_page_of_every_archive(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str
) -> None:
    site = BLOGS[blog]()
    pages = {url: parse_page(html, url) for url, html in archive_pages(rendered[theme, blog], site)}
    firsts = [url for url in pages if "/page/" not in url]
    reached = set()
    for url in firsts:
        total = sum(1 for other in pages if other.startswith(url))
        chain: list[str] = []
        step: str | None = url
        while step is not None:
            chain.append(step)
            step = pages[step].next_url
        reached.update(chain)
        assert len(chain) == total, url
        for page in (pages[u] for u in chain):
            # A page of a longer archive always shows it (an empty nav may show on a short one).
            assert page.shows_pagination or total == 1
            # Numbered pagination also says how deep the archive is, from its first page on.
            assert page.last_page in (None, total)
            if page.found_by and dict(page.found_by)["last_page"] == "page_numbers":
                assert page.last_page == total
    assert reached == set(pages)


@pytest.mark.parametrize(("theme", "blog"), PAIRS, ids=IDS)
def test_a_few_pages_teach_the_site_profile(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str
) -> None:
    site = BLOGS[blog]()
    everything = list(archive_pages(rendered[theme, blog], site))
    sample = everything[:: max(1, len(everything) // 6)][:6]
    profile = learn_profile(sample, base=replace(site_rules(blog), heading_dates=True))
    # The theme's folder (the contract's reconstructed theme sits in themes/css/).
    folder = {"contract": "css", "genesis": "genesis-sample"}.get(theme, THEMES[theme].name)
    assert profile.theme == folder
    assert profile.per_page == THEMES[theme].per_page
    assert profile.has_teasers == bool(site.latest)
    assert profile.heading_dates == (blog == "cssamerica")  # the second blog's titles: none
    assert profile.pages == len(sample)
    # Read with the profile, every page gives the same records as read alone.
    for url, html in everything:
        alone = parse_page(html, url, site_rules(blog))
        known = parse_page(
            html, url, replace(profile, heading_dates=site_rules(blog).heading_dates)
        )
        assert to_json(known) == to_json(alone), url
        assert known.drift == ()


@pytest.mark.parametrize(("theme", "blog"), PAIRS, ids=IDS)
def test_a_post_page_gives_the_full_post(
    rendered: dict[tuple[str, str], Path], theme: str, blog: str
) -> None:
    site = BLOGS[blog]()
    profile = site_rules(blog)
    for want in expected.posts(site):
        page = own_page(rendered[theme, blog], site, want["url"], profile)
        assert page.kind == "post" and page.drift == ()
        (post,) = page.posts
        got = to_json(post)
        assert not post.excerpt_only
        for field in ("url", "title", "categories", "tags", "text"):
            assert (
                sorted(got[field]) == want[field]
                if field in ("categories", "tags")
                else (got[field] == want[field])
            ), (field, want["url"])
        if got["published_at"] is not None:  # where the theme prints the time on post pages
            assert (got["published_at"], got["date"]) == (want["published_at"], want["date"])
