"""The site profile: learned from a few pages, stored as JSON, compared in words, and what it
lets one page be read right that a single page cannot tell."""

from __future__ import annotations

import json
import re

import pytest

from etl.parse.page import parse_page
from etl.parse.profile import (
    DEFAULT,
    Profile,
    describe_change,
    from_json,
    learn_profile,
    rule_counts,
    to_json,
)
from tests.test_parse_rules import SITE, article, page

# A magazine layout: above each archive's posts, a "featured" row of the site's newest posts
# built of the same <article class="post-N type-post …"> as the loop, in the main column.
FEATURED = "".join(
    article(n, title=f"Tip {n}", body="<p>Seedlings want light, water and patience, and care.</p>")
    for n in (91, 92, 93)
)


def magazine(slug: str, posts: range) -> tuple[str, str]:
    loop = "".join(article(n) for n in posts)
    main = f'<div class="featured-row">{FEATURED}</div><div class="loop">{loop}</div>'
    body = f"archive category category-{slug}"
    return f"{SITE}/category/{slug}/", page(main, body=body).replace("category-news", "")


PAGES = [
    magazine("news", range(1, 4)),
    magazine("garden", range(4, 7)),
    magazine("wild", range(7, 9)),
]


def test_alone_a_page_cannot_tell_the_featured_row_from_its_posts() -> None:
    url, html = PAGES[0]
    alone = parse_page(html, url)
    assert len(alone.posts) == 6 and alone.teasers == ()


def test_learned_across_pages_the_repeated_row_is_the_teaser_block() -> None:
    profile = learn_profile(PAGES)
    assert profile.teaser_block == "#main > div.featured-row"
    assert profile.has_teasers and profile.rule("teasers") == "repeated_block"
    url, html = PAGES[1]
    known = parse_page(html, url, profile)
    assert [p.url for p in known.posts] == [f"{SITE}/post-{n}/" for n in (4, 5, 6)]
    assert [t.url for t in known.teasers] == [f"{SITE}/post-{n}/" for n in (91, 92, 93)]
    assert known.teaser_block == "#main > div.featured-row" and known.drift == ()


def test_two_archives_with_the_same_posts_are_no_teaser_block() -> None:
    # A small site: two archives list the same three posts, and nothing else repeats.
    same = [
        (f"{SITE}/category/{slug}/", page("".join(article(n) for n in (1, 2, 3))))
        for slug in ("news", "garden", "wild")
    ]
    assert learn_profile(same).teaser_block is None


def test_the_profile_round_trips_through_json() -> None:
    profile = learn_profile(PAGES)
    assert from_json(json.loads(json.dumps(to_json(profile)))) == profile
    assert from_json(json.loads(json.dumps(to_json(DEFAULT)))) == DEFAULT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 99}, "version 99"),
        ({"colour": "blue"}, "unknown field(s) colour"),
        ({"per_page": "ten"}, "per_page is 'ten'"),
        ({"heading_dates": None}, "heading_dates is None"),
        ({"rules": [["title"]]}, "rules or boilerplate malformed"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_field(change: dict[str, object], message: str) -> None:
    data = to_json(DEFAULT) | change
    with pytest.raises(ValueError, match="site profile: .*" + re.escape(message)):
        from_json(data)


def test_a_change_of_theme_reads_as_a_profile_change() -> None:
    before = learn_profile(PAGES)
    assert describe_change(before, before) == []
    after = Profile(
        theme="twentytwentyfive",
        rules=(*[(k, v) for k, v in before.rules if k != "title"], ("title", "block_post_title")),
        per_page=10,
        heading_dates=True,
    )
    lines = describe_change(before, after)
    assert "theme: none -> twentytwentyfive" in lines
    assert "rule for title: entry_title -> block_post_title" in lines
    assert "heading dates: off -> on" in lines
    assert "teaser block: #main > div.featured-row -> none" in lines
    assert f"per page: {before.per_page} -> 10" in lines


def test_parsed_pages_teach_the_same_facts() -> None:
    parsed = [parse_page(html, url) for url, html in PAGES]
    profile = learn_profile(parsed)
    assert (profile.per_page, profile.heading_dates, profile.pages) == (6, False, 3)


def test_rule_counts_say_which_rule_read_each_field_and_what_none_did() -> None:
    counts = rule_counts(parse_page(html, url) for url, html in PAGES)
    assert counts["post.title"] == {"entry_title": 17}
    assert counts["post.tags"] == {"none": 17}  # the magazine prints no tags
    assert counts["page.term"] == {"archive_title_span": 3}
    assert counts["page.next"] == {"none": 3}
