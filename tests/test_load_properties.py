"""Properties of the merge on generated records: idempotent and order-independent.

Fetch times are distinct here: with equal fetch times, input order decides which of two
different versions wins (the documented tie-break), so order independence cannot hold.
"""

import datetime as dt
import hashlib
import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.load.hashing import hash_fields_v1
from etl.load.merge import CONTENT_FIELDS, Observation, content_hash, merge
from etl.load.store import Corpus
from etl.records import Page, Post, Teaser, to_json
from etl.settings import Settings

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
    st.sampled_from(["cssamerica.com", "CSSAmerica.com", "www.cssamerica.com", "127.0.0.1"]),
    st.sampled_from(["", ":443", ":80", ":8080", ":8443", ":0"]),
    st.text(alphabet="ab-/.é ", max_size=12),
    st.sampled_from(["", "/"]),
    st.sampled_from(["", "?utm_source=x", "?p=1", "#c"]),
)


@given(_url)
def test_key_fast_path_agrees_with_canonical_url(url: str) -> None:
    from etl.load.collect import key as _key
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

    from etl.load.derive import _union

    order = sorted(stored, reverse=shuffled)  # a stored table not sorted is sorted first
    existing = pa.table({"url": order, "v": ["old"] * len(order)})
    run = pa.table({"url": sorted(fresh), "v": ["new"] * len(fresh)})
    got = _union(existing, run).to_pylist()
    want = {u: "old" for u in stored} | {u: "new" for u in fresh}
    assert got == [{"url": u, "v": want[u]} for u in sorted(want)]


@settings(max_examples=60, deadline=None)
@given(st.lists(_page, max_size=5), st.lists(_page, max_size=5))
def test_word_counts_match_the_stored_texts(first: list, second: list) -> None:
    # Counts after boilerplate stripping are derived by subtraction: they must equal a recount.
    base = merge(None, _observations(first, "r1", 0), full=True, settings=SETTINGS).corpus
    c = merge(base, _observations(second, "r2", 1), full=False, settings=SETTINGS).corpus
    for table in (base.posts, c.posts):
        texts, counts = table["text"].to_pylist(), table["word_count"].to_pylist()
        assert counts == [len(t.split()) for t in texts]


_field = st.text() | st.sampled_from(['"q" \\ \n\t\x00\x1f “curly” é', ""])


@settings(max_examples=200, deadline=None)
@given(_field, _field, _field, st.lists(_field, max_size=3), st.booleans())
def test_content_hash_is_of_the_canonical_json_then_the_text(
    title: str, heading: str, text: str, terms: list[str], dated: bool
) -> None:
    # The hash writes the JSON out by hand (faster): it must stay byte-equal to json.dumps.
    post = Post(
        url="https://cssamerica.com/x/",
        wp_id=None,
        heading=heading,
        title=title,
        date=dt.date(2025, 1, 7) if dated else None,
        date_raw=None,
        date_source=None,
        published_at=dt.datetime(2025, 1, 7, 14, 15, tzinfo=dt.UTC) if dated else None,
        categories=tuple(terms),
        tags=tuple(reversed(terms)),
        text=text,
        html="",
    )
    content = {name: to_json(getattr(post, name)) for name in CONTENT_FIELDS}
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    stamp = post.published_at.isoformat() if post.published_at else None
    head = json.dumps(
        {k: v for k, v in content.items() if k != "text"} | {"published_at": stamp},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip
    digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
    v2 = hashlib.blake2b(head.encode() + b"\n" + digest, digest_size=16).hexdigest()
    assert content_hash(post) == v2
    # Version 1, which stored hashes of 64 digits were made with.
    v1 = hash_fields_v1(title, heading, post.date, post.published_at, text, terms, terms[::-1])
    assert v1 == hashlib.sha256(blob.encode("utf-8")).hexdigest()
