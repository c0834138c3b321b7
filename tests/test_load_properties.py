"""Properties of the merge on generated records: idempotent and order-independent.

Fetch times are distinct here: with equal fetch times, input order decides which of two
different versions wins (the documented tie-break), so order independence cannot hold.
"""

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.load import Observation, merge
from etl.records import Page, Post, Teaser
from etl.settings import Settings
from etl.store import Corpus

T0 = dt.datetime(2025, 1, 7, tzinfo=dt.UTC)
PARAGRAPHS = ("Be kind.", "Listen first.", "Call back.", "Share this tip!", "")
SETTINGS = Settings(boilerplate_min_posts=2)

_post = st.builds(
    lambda slug, paras, tags, cats, spelling: Post(
        url=spelling.format(slug),
        wp_id=None,
        heading=f"{slug} – 1/7/25",
        title=slug,
        date=dt.date(2025, 1, 7),
        date_raw="1/7/25",
        date_source="heading",
        published_at=None,
        categories=tuple(cats),
        tags=tuple(tags),
        text="\n\n".join(paras),
        html="<p>html</p>",
    ),
    st.sampled_from(["a", "b", "c", "d"]),
    st.lists(st.sampled_from(PARAGRAPHS), max_size=3),
    st.lists(st.sampled_from(["empathy", "retention"]), max_size=2, unique=True),
    st.lists(st.sampled_from(["Tips", "Advice"]), max_size=2, unique=True),
    st.sampled_from(
        ["https://cssamerica.com/{}/", "http://CSSAmerica.com/{}", "https://cssamerica.com/{}/#c"]
    ),
)
_teaser = st.builds(
    lambda slug, excerpt: Teaser(
        f"https://cssamerica.com/{slug}/", slug, slug, None, None, excerpt
    ),
    st.sampled_from(["a", "e"]),
    st.sampled_from(["one", "two words"]),
)
_page = st.tuples(st.lists(_post, max_size=3), st.lists(_teaser, max_size=2))


def _observations(
    pages: list[tuple[list[Post], list[Teaser]]], run_id: str, day: int
) -> list[Observation]:
    out = []
    for i, (posts, teasers) in enumerate(pages):
        page = Page(
            f"https://cssamerica.com/tag/t/page/{i + 1}/",
            "archive",
            "tag",
            "t",
            "t",
            i + 1,
            None,
            tuple(teasers),
            tuple(posts),
        )
        out.append(Observation(page, T0 + dt.timedelta(days=day, seconds=i), run_id))
    return out


def _equal(a: Corpus, b: Corpus) -> bool:
    return all(x.equals(y) for (_, x), (_, y) in zip(a.items(), b.items(), strict=True))


@settings(max_examples=60, deadline=None)
@given(st.lists(_page, max_size=5), st.randoms(use_true_random=False), st.booleans())
def test_merge_is_order_independent(pages: list, rnd: random.Random, full: bool) -> None:
    obs = _observations(pages, "r1", 0)
    shuffled = list(obs)
    rnd.shuffle(shuffled)
    a = merge(None, obs, full=full, settings=SETTINGS)
    b = merge(None, shuffled, full=full, settings=SETTINGS)
    assert _equal(a.corpus, b.corpus) and a.counts == b.counts


@settings(max_examples=60, deadline=None)
@given(st.lists(_page, max_size=5), st.lists(_page, max_size=5), st.booleans())
def test_merge_is_idempotent(first: list, second: list, full: bool) -> None:
    base = merge(None, _observations(first, "r1", 0), full=True, settings=SETTINGS).corpus
    run = _observations(second, "r2", 1)
    once = merge(base, run, full=full, settings=SETTINGS).corpus
    twice = merge(once, run, full=full, settings=SETTINGS)
    assert _equal(once, twice.corpus)
    assert (
        twice.counts.posts_new == 0
        and twice.counts.posts_updated == 0
        and twice.counts.teasers_new == 0
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(_page, max_size=5))
def test_no_url_twice_and_every_url_canonical(pages: list) -> None:
    c = merge(None, _observations(pages, "r1", 0), full=False, settings=SETTINGS).corpus
    for table in (c.posts, c.teasers, c.documents):
        urls = table["url"].to_pylist()
        assert urls == sorted(set(urls))
        assert all(u.startswith("https://cssamerica.com/") and u.endswith("/") for u in urls)


_url = st.builds(
    "{}://{}{}/{}{}{}".format,
    st.sampled_from(["https", "http", "HTTPS"]),
    st.sampled_from(["cssamerica.com", "CSSAmerica.com", "www.cssamerica.com"]),
    st.sampled_from(["", ":443", ":8080"]),
    st.text(alphabet="ab-/.é ", max_size=12),
    st.sampled_from(["", "/"]),
    st.sampled_from(["", "?utm_source=x", "?p=1", "#c"]),
)


@given(_url)
def test_key_fast_path_agrees_with_canonical_url(url: str) -> None:
    from etl.load import _key
    from etl.urls import canonical_url

    assert _key(url) == canonical_url(url)


@given(
    st.sets(st.sampled_from("abcdefghij")),
    st.sets(st.sampled_from("abcdefghij")),
    st.booleans(),
)
def test_union_keeps_stored_rows_and_puts_run_rows_in_url_order(
    stored: set[str], fresh: set[str], shuffled: bool
) -> None:
    import pyarrow as pa

    from etl.derive import _union

    order = sorted(stored, reverse=shuffled)  # a stored table not sorted is sorted first
    existing = pa.table({"url": order, "v": ["old"] * len(order)})
    run = pa.table({"url": sorted(fresh), "v": ["new"] * len(fresh)})
    got = _union(existing, run).to_pylist()
    want = {u: "old" for u in stored} | {u: "new" for u in fresh}
    assert got == [{"url": u, "v": want[u]} for u in sorted(want)]
