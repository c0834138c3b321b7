"""Drift, field by field, on a real theme's markup: a theme update that leaves a field shown
but unreadable by every rule is a named drift problem on the page; a field the site simply
lacks (a post without tags) is not.

Twenty Twenty-One's archive pages (tests/themes), each broken the way an update would break
it; the second blog has posts without tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from etl.parse.page import parse_page
from etl.parse.profile import learn_profile
from etl.records import Page
from tests.themes import BLOGS, render_fixture

THEME = "twentytwentyone"
Break = Callable[[str], str]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("drift")
    return {blog: render_fixture(THEME, blog, base / blog) for blog in BLOGS}


def archive(folders: dict[str, Path], blog: str, path: str) -> tuple[str, str]:
    html = (folders[blog] / path.strip("/") / "index.html").read_text(encoding="utf-8")
    return BLOGS[blog]().origin + path, html


def tags_moved(html: str) -> str:
    """Tag links lose rel="tag" and move to a custom base: shown, but no rule reads them."""
    return re.sub(r'href="([^"]*)/tag/([^"]*)" rel="tag"', r'href="\1/topic/\2"', html)


def categories_moved(html: str) -> str:
    return re.sub(
        r'href="([^"]*)/category/([^"]*)" rel="category tag"', r'href="\1/section/\2"', html
    )


def dates_unreadable(html: str) -> str:
    return re.sub(
        r'(<time class="entry-date published[^"]*") datetime="[^"]*">[^<]*<', r"\1>soon<", html
    )


def teasers_unlinked(html: str) -> str:
    """The latest-posts widget's links lose their URLs ("Read More" links still shown)."""
    start = html.index('<section id="rpwe_widget')
    end = html.index("</section>", start)
    return html[:start] + re.sub(r' href="[^"]*"', "", html[start:end]) + html[end:]


def next_unlinked(html: str) -> str:
    start = html.index('<nav class="navigation pagination')
    end = html.index("</nav>", start)
    return html[:start] + re.sub(r' href="[^"]*"', "", html[start:end]) + html[end:]


CASES = [
    ("tags", tags_moved, "/tag/resolve/", "drift.tags_unread"),
    ("categories", categories_moved, "/tag/resolve/", "drift.categories_unread"),
    ("date", dates_unreadable, "/tag/resolve/", "drift.date_unread"),
    ("teasers", teasers_unlinked, "/tag/resolve/", "drift.no_teasers"),
    ("next", next_unlinked, "/category/customer-service-tip-of-the-week/", "drift.next_unread"),
]


@pytest.mark.parametrize(("field", "edit", "path", "code"), CASES, ids=[c[0] for c in CASES])
def test_a_field_shown_but_unread_is_named_drift(
    folders: dict[str, Path], field: str, edit: Break, path: str, code: str
) -> None:
    url, html = archive(folders, "cssamerica", path)
    assert parse_page(html, url).drift == ()
    page = parse_page(edit(html), url)
    assert {p.code for p in page.drift} == {code}
    if field in ("tags", "categories", "date"):  # the post, and the page in words
        posts = {p.url for p in parse_page(html, url).posts}
        assert all(p.record_kind == "post" and p.url in posts for p in page.drift)
        assert all(p.detail.startswith(f"{field} on {url}:") for p in page.drift)
    else:
        assert all(p.url == url for p in page.drift)  # the page to look at


def test_posts_without_tags_are_no_drift(folders: dict[str, Path]) -> None:
    # The second blog has posts without tags: with the tag links unreadable, only the posts
    # that carry tags are named; a post without tags has nothing to read.
    site = BLOGS["second"]()
    untagged = {site.url(p.path) for p in site.posts if not p.tags}
    for path in ("/category/news/", "/category/garden-tips/", "/category/wildlife/"):
        url, html = archive(folders, "second", path)
        clean = parse_page(html, url)
        assert clean.drift == ()
        broken = parse_page(tags_moved(html), url)
        named = {p.url for p in broken.drift}
        assert named == {p.url for p in clean.posts if p.tags}
        assert not named & untagged


def test_a_teaser_block_the_profile_expects_is_missed_where_it_is_gone(
    folders: dict[str, Path],
) -> None:
    # Titles only, no excerpts: no longer a teaser block. Alone the page cannot tell; with
    # the site profile (which knows the block) the loss is drift.
    pages = [archive(folders, "cssamerica", p) for p in ("/tag/resolve/", "/category/sports/")]
    profile = learn_profile(pages)
    assert profile.has_teasers and profile.teaser_block == "#rpwe_widget-2"
    url, html = archive(folders, "cssamerica", "/tag/retention/")
    bare = re.sub(r'<div class="rpwe-summary">.*?</div>', "", html, flags=re.S)
    assert parse_page(bare, url).drift == ()
    page: Page = parse_page(bare, url, profile)
    assert page.teasers == ()
    assert [p.code for p in page.drift] == ["drift.no_teasers"]
    assert "#rpwe_widget-2" in page.drift[0].detail
