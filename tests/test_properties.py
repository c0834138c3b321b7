"""Fuzzing the parser with mutations of real snapshot pages, and the dedup of a run's records.

Mutations work on the page's element structure (its tag tokens): a stretch cut out, a stretch
duplicated, two stretches swapped, an element's attributes stripped. Whatever comes out, the
parser returns a Page (it never raises), is deterministic, and never quietly drops records:
an archive page without posts, or articles it could not read, carries drift problems.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parse_fixtures import pages
from selectolax.lexbor import LexborHTMLParser

from etl.load.merge import Observation, merge
from etl.load.store import Corpus
from etl.parse.page import parse_fetch
from etl.records import Fetch, Page
from etl.settings import Settings
from etl.urls import canonical_url

PAGES = pages("snapshot-2", "tag/", "category/service-advice", "category/carolinas")
SET = Settings()
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
HTML = (("Content-Type", "text/html; charset=UTF-8"),)
_TOKEN = re.compile(r"(<[^>]+>)")
_ATTRS = re.compile(r"^<([a-zA-Z][\w-]*)\s[^>]*?(/?)>$")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    url, html = draw(st.sampled_from(PAGES))
    tokens = _TOKEN.split(html)
    for _ in range(draw(st.integers(1, 4))):
        n = len(tokens)
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(i, min(n, i + draw(st.sampled_from([1, 5, 50, 500])))))
        how = draw(st.sampled_from(["cut", "duplicate", "move", "strip"]))
        if how == "cut":
            del tokens[i:j]
        elif how == "duplicate":
            tokens[i:i] = tokens[i:j]
        elif how == "move":
            stretch = tokens[i:j]
            del tokens[i:j]
            k = draw(st.integers(0, len(tokens)))
            tokens[k:k] = stretch
        else:
            tokens = [_ATTRS.sub(r"<\1\2>", t) if i <= x < j else t for x, t in enumerate(tokens)]
    return url, "".join(tokens)


def _parse(url: str, html: str) -> Page:
    return parse_fetch(Fetch(url, 200, T0, HTML, html.encode()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_snapshot_pages_never_crash_the_parser(case: tuple[str, str]) -> None:
    url, html = case
    page = _parse(url, html)
    assert page == _parse(url, html)  # deterministic
    assert page.kind == "archive"  # the URL says so, whatever the markup
    for post in page.posts:
        assert post.heading and post.url == canonical_url(post.url)
    for teaser in page.teasers:
        assert teaser.url and teaser.url == canonical_url(teaser.url)
    if not page.posts:
        assert page.drift  # an archive page that yields nothing is drift, never a quiet success
    if len(page.posts) < _loop_articles(html) and "</html>" in html[-4096:]:
        # Fewer posts than articles in the loop: each lost one is named (or the page is drift).
        assert page.drift


def _loop_articles(html: str) -> int:
    """Articles in the page's one main loop (`section#primary`, less the latest-tips block);
    0 when a mutation made two main loops or moved articles out of it: an article in a
    sidebar or in the teaser block is a widget's (featured posts widgets print post-classed
    articles too), not a post the page lost."""
    tree = LexborHTMLParser(html)
    # An article inside another is part of it (themes print comments as articles).
    inside = len(tree.css("section#primary article:not(.latest-tips *):not(article *)"))
    whole = len(tree.css("section#primary")) == 1 and html.count("<!DOCTYPE") <= 1
    return inside if whole and inside == len(tree.css("article:not(article *)")) else 0


def _obs(page: Page, i: int) -> Observation:
    return Observation(page, T0 + dt.timedelta(seconds=i), "run")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, len(PAGES) - 1), min_size=1, max_size=6), st.randoms())
def test_seeing_real_pages_again_or_in_another_order_changes_nothing(
    picks: list[int], rnd: object
) -> None:
    # Real parsed pages (posts shared between archives): one sighting of each equals
    # any number of sightings in any order, when the versions agree (as they do on a site).
    parsed = [_parse(*PAGES[i]) for i in sorted(set(picks))]
    once = merge(None, [_obs(p, i) for i, p in enumerate(parsed)], full=False, settings=SET).corpus
    again = [*parsed, *[parsed[i % len(parsed)] for i in picks]]
    rnd.shuffle(again)  # type: ignore[attr-defined]
    many = merge(None, [_obs(p, i) for i, p in enumerate(again)], full=False, settings=SET).corpus
    for (spec, a), (_, b) in zip(_published(once), _published(many), strict=True):
        assert a.equals(b), spec


def _published(corpus: Corpus) -> list[tuple[str, object]]:
    keep = ("posts", "teasers", "documents", "post_terms")
    drop = {"first_seen_at", "last_seen_at"}
    return [
        (spec.name, t.drop_columns([c for c in t.column_names if c in drop]))
        for spec, t in corpus.items()
        if spec.name in keep
    ]


def test_an_article_that_lost_its_class_is_named_not_skipped() -> None:
    url, html = next(p for p in PAGES if "tag/resolve/" in p[0])
    for n in range(3):  # each of the page's three articles in turn
        starts = [m.start() for m in re.finditer(r"<article ", html)]
        stripped = re.sub(r"^<article [^>]*>", "<article>", html[starts[n] :])
        page = _parse(url, html[: starts[n]] + stripped)
        assert len(page.posts) == 2
        [problem] = page.drift
        assert problem.code == "drift.article_unclassed" and problem.excerpt.startswith("<article>")
