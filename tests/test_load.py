import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from etl.load import tables
from etl.load.hashing import hash_fields_v1
from etl.load.merge import KnownPosts, MergeResult, Observation, content_hash, load_run, merge
from etl.load.store import Corpus, read_corpus, write_corpus
from etl.records import Page, Post, Problem, Teaser, to_json
from etl.settings import Settings
from tests.expected_records import RUN_AT, load_json, snapshot_observations

T0 = dt.datetime(2025, 1, 7, 6, 0, tzinfo=dt.UTC)
SETTINGS = Settings()


def post(slug: str, **kw: Any) -> Post:
    fields: dict[str, Any] = {
        "url": f"https://cssamerica.com/{slug}/",
        "wp_id": 7,
        "heading": f"{slug.title()} – 1/7/25",
        "title": slug.title(),
        "date": dt.date(2025, 1, 7),
        "date_raw": "1/7/25",
        "date_source": "heading",
        "published_at": dt.datetime(2025, 1, 7, 14, 15, tzinfo=dt.UTC),
        "categories": ("Customer Service Tip of the Week",),
        "tags": (),
        "text": f"About {slug}.\n\nMore about {slug}.",
        "html": f"<p>About {slug}.</p>",
    }
    return Post(**(fields | kw))


def teaser(slug: str, excerpt: str = "An excerpt of five words") -> Teaser:
    return Teaser(
        f"https://cssamerica.com/{slug}/",
        f"{slug} - 1/7/25",
        slug,
        dt.date(2025, 1, 7),
        "1/7/25",
        excerpt,
    )


def obs(
    posts: tuple[Post, ...] = (),
    teasers: tuple[Teaser, ...] = (),
    at: dt.datetime = T0,
    run_id: str = "r1",
    problems: tuple[Problem, ...] = (),
    kind: Any = "archive",
) -> Observation:
    page = Page(
        "https://cssamerica.com/tag/x/", kind, "tag", "x", "x", 1, None, teasers, posts, problems
    )
    return Observation(page, at, run_id)


def rows(result: MergeResult, table: str = "posts") -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in getattr(result.corpus, table).to_pylist()}


def test_content_hash_is_pinned() -> None:
    p = Post(
        url="https://cssamerica.com/x/",
        wp_id=7,
        heading="Be Kind – 1/7/25",
        title="Be Kind",
        date=dt.date(2025, 1, 7),
        date_raw="1/7/25",
        date_source="heading",
        published_at=dt.datetime(2025, 1, 7, 14, 15, tzinfo=dt.UTC),
        categories=("Customer Service Tip of the Week",),
        tags=("empathy", "kindness"),
        text="Be kind.\n\nAlways.",
        html="<p>Be kind.</p>",
    )
    assert content_hash(p) == "f89cbc787a97c4fa71862eacaca264db"
    v1 = hash_fields_v1(p.title, p.heading, p.date, p.published_at, p.text, p.categories, p.tags)
    assert v1 == "092a135c164a5cedc0477b15f92e3e0acf8aa8d231eb918dfdef2685fcbb6e49"
    # html, ids and the raw date text are presentation, not content.
    assert content_hash(replace(p, html="<div>x</div>", wp_id=8, url="http://x/")) == content_hash(
        p
    )
    assert content_hash(replace(p, text="Be kind.")) != content_hash(p)


# --- the expected snapshot, end to end through the files ----------------------------------


def _as_json(row: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {k: to_json(row[k]) for k in keys}


@pytest.mark.parametrize("name", ["posts", "teasers"])
def test_snapshot_round_trips_through_the_files(tmp_path: Path, name: str) -> None:
    counts = load_run(
        snapshot_observations(),
        Settings(data_dir=tmp_path),
        run_id="run-1",
        generated_at=RUN_AT,
        full=True,
    )
    assert counts.posts_new == 65 and counts.teasers_new == 10 and counts.conflicts == 0
    expected = load_json("snapshot-2", name)
    got = pq.read_table(tmp_path / "processed" / f"{name}.parquet").to_pylist()
    assert [r["url"] for r in got] == sorted(d["url"] for d in expected)
    by_url = {d["url"]: d for d in expected}
    for row in got:
        want = by_url[row["url"]]
        assert _as_json(row, list(want)) == want, row["url"]


def test_no_url_twice_and_documents_cover_both_tables(tmp_path: Path) -> None:
    extra = obs(teasers=(teaser("only-a-teaser"),), at=RUN_AT)
    result = merge(None, [*snapshot_observations(), extra], full=True, settings=SETTINGS)
    c = result.corpus
    for t in (c.posts, c.teasers, c.documents):
        urls = t["url"].to_pylist()
        assert len(urls) == len(set(urls)) and urls == sorted(urls)
    docs = rows(result, "documents")
    assert set(docs) == set(c.posts["url"].to_pylist()) | set(c.teasers["url"].to_pylist())
    only = docs["https://cssamerica.com/only-a-teaser/"]
    assert only["has_full_text"] is False and only["text"] == "An excerpt of five words"
    assert only["word_count"] == 5 and only["categories"] == [] and only["year"] == 2025
    assert sum(d["has_full_text"] for d in docs.values()) == 65


def test_second_run_on_same_inputs_writes_identical_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b, b):  # b is written twice: the second merges into the first
        load_run(
            snapshot_observations(),
            Settings(data_dir=folder),
            run_id="run-1",
            generated_at=RUN_AT,
            full=True,
        )
    for spec in tables.TABLES:
        name = f"{spec.name}.parquet"
        assert (a / "processed" / name).read_bytes() == (b / "processed" / name).read_bytes()


# --- merge rules -------------------------------------------------------------------------


def test_every_spelling_of_a_url_is_one_row() -> None:
    spellings = ("http://CSSAmerica.com/be-kind", "https://cssamerica.com/be-kind/#respond")
    result = merge(
        None,
        [obs(posts=(post("be-kind", url=u),), teasers=(teaser("be-kind"),)) for u in spellings],
        full=False,
        settings=SETTINGS,
    )
    assert list(rows(result)) == ["https://cssamerica.com/be-kind/"]
    assert list(rows(result, "teasers")) == ["https://cssamerica.com/be-kind/"]


def test_terms_are_unioned_over_pages_and_sorted() -> None:
    pages = [
        obs(posts=(post("a", tags=("retention",), categories=("B",)),)),
        obs(posts=(post("a", tags=("empathy",), categories=("A",)),), at=T0),
    ]
    result = merge(None, pages, full=False, settings=SETTINGS)
    row = rows(result)["https://cssamerica.com/a/"]
    assert row["tags"] == ["empathy", "retention"] and row["categories"] == ["A", "B"]
    terms = result.corpus.post_terms.to_pylist()
    assert [(t["kind"], t["term"]) for t in terms] == [
        ("category", "A"),
        ("category", "B"),
        ("tag", "empathy"),
        ("tag", "retention"),
    ]


def test_later_fetch_wins_and_the_conflict_is_counted() -> None:
    late = obs(posts=(post("a", text="Second version."),), at=T0 + dt.timedelta(minutes=5))
    early = obs(posts=(post("a", text="First version."),), at=T0)
    for order in ([late, early], [early, late]):
        result = merge(None, order, full=False, settings=SETTINGS)
        assert rows(result)["https://cssamerica.com/a/"]["text"] == "Second version."
        assert result.counts.conflicts == 1
    tie = [obs(posts=(post("a", text=t),)) for t in ("One.", "Two.")]
    result = merge(None, tie, full=False, settings=SETTINGS)
    assert rows(result)["https://cssamerica.com/a/"]["text"] == "Two."  # then input order
    same = merge(None, [early, early], full=False, settings=SETTINGS)
    assert same.counts.conflicts == 0


def test_full_post_beats_teaser_in_documents() -> None:
    result = merge(
        None,
        [obs(posts=(post("a", title="Full Title"),), teasers=(teaser("a"),))],
        full=False,
        settings=SETTINGS,
    )
    doc = rows(result, "documents")["https://cssamerica.com/a/"]
    assert doc["has_full_text"] is True and doc["title"] == "Full Title"
    assert doc["text"] == "About a.\n\nMore about a." and doc["word_count"] == 5
    assert doc["year"] == 2025 and doc["wp_id"] == 7


def test_source_says_where_the_full_text_was_read() -> None:
    result = merge(
        None,
        [obs(posts=(post("a"),)), obs(posts=(post("b"),), kind="post")],
        full=False,
        settings=SETTINGS,
    )
    assert {u: r["source"] for u, r in rows(result).items()} == {
        "https://cssamerica.com/a/": "archive",
        "https://cssamerica.com/b/": "post_page",
    }


def test_learned_boilerplate_leaves_text_but_stays_in_html() -> None:
    promo = "Signup for our brand new webinar series today!"
    settings = Settings(boilerplate_min_posts=3)
    posts = tuple(
        post(s, text=f"Body of {s}.\n\n{promo}", html=f"<p>Body</p><p>{promo}</p>")
        for s in ("a", "b", "c")
    )
    result = merge(None, [obs(posts=posts)], full=False, settings=settings)
    for row in rows(result).values():
        assert promo not in row["text"] and promo in row["html"]
        assert row["word_count"] == 3
    assert result.counts.boilerplate_learned == 1 and result.counts.boilerplate_removed == 3
    assert result.corpus.boilerplate.to_pylist() == [
        {"paragraph": promo, "posts": 3, "learned_at": T0}
    ]
    # Below the threshold nothing is learned; once learned, a paragraph stays learned.
    assert (
        merge(
            None, [obs(posts=posts[:2])], full=False, settings=settings
        ).counts.boilerplate_learned
        == 0
    )
    later = obs(posts=(post("d", text=f"New.\n\n{promo}"),), at=T0 + dt.timedelta(days=1))
    again = merge(result.corpus, [later], full=False, settings=settings)
    assert rows(again)["https://cssamerica.com/d/"]["text"] == "New."
    assert again.counts.boilerplate_learned == 0


def test_pages_and_rejects_are_logged_per_run() -> None:
    bad = Problem(
        code="date.impossible",
        url="https://cssamerica.com/tag/x/",
        detail="2/30/19 is no date",
        record_kind="post",
        excerpt="2/30/19",
    )
    first = merge(None, [obs(posts=(post("a"),), problems=(bad,))], full=False, settings=SETTINGS)
    assert first.corpus.rejects.to_pylist() == [
        {
            "run_id": "r1",
            "source_url": "https://cssamerica.com/tag/x/",
            "record_kind": "post",
            "reason": "date.impossible",
            "detail": "2/30/19 is no date",
            "drift": False,
            "excerpt": "2/30/19",
            "seen_at": T0,
        }
    ]
    page = first.corpus.pages.to_pylist()[0]
    assert (page["posts"], page["teasers"], page["problems"], page["status"]) == (
        1,
        0,
        ["date.impossible"],
        200,
    )
    rerun = merge(
        first.corpus, [obs(posts=(post("a"),), problems=(bad,))], full=False, settings=SETTINGS
    )
    assert rerun.corpus.pages.num_rows == 1 and rerun.corpus.rejects.num_rows == 1
    other = merge(
        first.corpus, [obs(posts=(post("a"),), run_id="r2")], full=False, settings=SETTINGS
    )
    assert other.corpus.pages["run_id"].to_pylist() == ["r1", "r2"]


def test_naive_fetch_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        obs(at=dt.datetime(2025, 1, 7))


# --- incremental runs ----------------------------------------------------------------------


def test_refresh_from_snapshot_1_to_snapshot_2() -> None:
    later = RUN_AT + dt.timedelta(days=1)
    one = merge(None, snapshot_observations("snapshot-1"), full=True, settings=SETTINGS)
    two = merge(
        one.corpus,
        snapshot_observations("snapshot-2", later, "run-2"),
        full=False,
        settings=SETTINGS,
    )
    assert (two.counts.posts_new, two.counts.posts_updated) == (3, 0)
    assert two.counts.posts_unchanged == 62
    before, after = rows(one), rows(two)
    for url, row in after.items():
        if url in before:
            assert row["first_seen_at"] == before[url]["first_seen_at"]
            assert row["last_seen_at"] > before[url]["last_seen_at"]
        else:
            assert row["first_seen_at"] >= later
    assert two.corpus.pages["run_id"].unique().to_pylist() == ["run-1", "run-2"]


def test_changed_post_is_updated_and_unseen_posts_are_kept() -> None:
    first = merge(None, [obs(posts=(post("a"), post("b")))], full=False, settings=SETTINGS)
    later = T0 + dt.timedelta(days=1)
    changed = obs(posts=(post("a", text="Rewritten."),), at=later, run_id="r2")
    second = merge(first.corpus, [changed], full=False, settings=SETTINGS)
    assert (second.counts.posts_updated, second.counts.posts_new, second.counts.posts_gone) == (
        1,
        0,
        0,
    )
    got = rows(second)
    assert (
        got["https://cssamerica.com/a/"]["content_hash"]
        != rows(first)["https://cssamerica.com/a/"]["content_hash"]
    )
    assert got["https://cssamerica.com/b/"]["last_seen_at"] == T0
    assert got["https://cssamerica.com/b/"]["gone_at"] is None  # incremental: never gone


def test_full_run_marks_gone_and_a_sighting_clears_it() -> None:
    first = merge(
        None, [obs(posts=(post("a"), post("b"), post("c")))], full=True, settings=SETTINGS
    )
    day2 = T0 + dt.timedelta(days=1)
    only_a = obs(posts=(post("a"),), teasers=(teaser("c"),), at=day2, run_id="r2")
    second = merge(first.corpus, [only_a], full=True, settings=SETTINGS)
    assert second.counts.posts_gone == 1
    got = rows(second)
    assert got["https://cssamerica.com/b/"]["gone_at"] == day2
    assert got["https://cssamerica.com/c/"]["gone_at"] is None  # its teaser was seen
    assert rows(second, "documents")["https://cssamerica.com/b/"]["gone_at"] == day2
    day3 = day2 + dt.timedelta(days=1)
    third = merge(
        second.corpus, [obs(posts=(post("a"),), at=day3, run_id="r3")], full=True, settings=SETTINGS
    )
    assert rows(third)["https://cssamerica.com/b/"]["gone_at"] == day2  # gone since day 2
    assert third.counts.posts_gone == 1  # c is newly gone; b already was
    back = merge(
        third.corpus, [obs(posts=(post("b"),), at=day3, run_id="r4")], full=False, settings=SETTINGS
    )
    assert rows(back)["https://cssamerica.com/b/"]["gone_at"] is None
    assert back.counts.posts_returned == 1


def test_a_full_run_that_saw_nothing_marks_nothing_gone() -> None:
    first = merge(None, [obs(posts=(post("a"),))], full=True, settings=SETTINGS)
    empty = merge(first.corpus, [], full=True, settings=SETTINGS)
    assert (
        empty.counts.posts_gone == 0 and rows(empty)["https://cssamerica.com/a/"]["gone_at"] is None
    )


def test_teasers_accumulate_across_runs() -> None:
    first = merge(None, [obs(teasers=(teaser("a"),))], full=False, settings=SETTINGS)
    day2 = T0 + dt.timedelta(days=1)
    second = merge(
        first.corpus,
        [obs(teasers=(teaser("b"),), at=day2, run_id="r2")],
        full=False,
        settings=SETTINGS,
    )
    got = rows(second, "teasers")
    assert list(got) == ["https://cssamerica.com/a/", "https://cssamerica.com/b/"]
    assert got["https://cssamerica.com/a/"]["last_seen_at"] == T0
    assert second.counts.teasers_new == 1


def test_read_corpus_of_an_empty_folder_is_none(tmp_path: Path) -> None:
    assert read_corpus(tmp_path) is None
    assert merge(None, [], full=False, settings=SETTINGS).corpus.posts.num_rows == 0


def test_empty_corpus_round_trips(tmp_path: Path) -> None:
    write_corpus(Corpus.empty(), tmp_path, run_id="r0", site="s", generated_at=T0)
    back = read_corpus(tmp_path)
    assert back is not None
    for (spec, table), (_, empty) in zip(back.items(), Corpus.empty().items(), strict=True):
        assert table.equals(empty), spec.name


def test_boilerplate_removal_touches_only_the_texts_that_hold_it() -> None:
    promo = "Share this tip with a colleague today."
    settings = Settings(boilerplate_min_posts=2)
    posts = (
        post("a", text=promo),  # nothing but boilerplate: empty text, zero words
        post("b", text=f"Keep this.\n\n{promo}\n\nAnd this."),
        post("c", text="Untouched text here."),
    )
    got = rows(merge(None, [obs(posts=posts)], full=False, settings=settings))
    assert got["https://cssamerica.com/a/"]["text"] == ""
    assert got["https://cssamerica.com/a/"]["word_count"] == 0
    assert got["https://cssamerica.com/b/"]["text"] == "Keep this.\n\nAnd this."
    assert got["https://cssamerica.com/b/"]["word_count"] == 4
    assert got["https://cssamerica.com/c/"]["text"] == "Untouched text here."
    assert got["https://cssamerica.com/c/"]["word_count"] == 3


@pytest.mark.parametrize(
    ("text", "words"),
    [("", 0), ("one", 1), ("  padded   words  ", 2), ("a\n\nb c", 3), ("non\u00a0breaking", 2)],
)
def test_word_count(text: str, words: int) -> None:
    import pyarrow as pa

    from etl.load.derive import word_counts

    assert word_counts(pa.array([text])).to_pylist() == [words]


def test_boilerplate_counts_stored_posts_and_strips_them_too() -> None:
    promo = "Read our New Book today."
    settings = Settings(boilerplate_min_posts=3)
    two = tuple(post(s, text=f"Body {s}.\n\n{promo}") for s in ("a", "b"))
    first = merge(None, [obs(posts=two)], full=False, settings=settings)
    assert first.corpus.boilerplate.num_rows == 0
    third = obs(posts=(post("c", text=f"Body c.\n\n{promo}"),), at=T0 + dt.timedelta(days=1))
    second = merge(first.corpus, [third], full=False, settings=settings)
    assert second.counts.boilerplate_learned == 1
    assert [r["text"] for r in rows(second).values()] == ["Body a.", "Body b.", "Body c."]
    assert second.corpus.boilerplate["posts"].to_pylist() == [3]


def as_version_1(corpus: Corpus) -> Corpus:
    """A corpus as the version before content_hash version 2 wrote it: 64-digit hashes."""
    rows = corpus.posts.to_pylist()
    v1 = [
        hash_fields_v1(r["title"], r["heading"], r["date"], r["published_at"], r["text"],
                       r["categories"], r["tags"])
        for r in rows
    ]  # fmt: skip
    i = corpus.posts.schema.get_field_index("content_hash")
    posts = corpus.posts.set_column(i, corpus.posts.schema.field(i), [v1])
    return replace(corpus, posts=posts)


def test_hashes_of_the_version_before_are_migrated_never_reported_as_updated() -> None:
    posts = (post("a"), post("b", tags=("kindness",)))
    first = merge(None, [obs(posts=posts)], full=True, settings=SETTINGS).corpus
    old = as_version_1(first)
    assert all(len(h) == 64 for h in old.posts["content_hash"].to_pylist())
    # The stop rule compares by the stored hash's own definition.
    known = KnownPosts(old)
    assert all(known.unchanged(p) for p in posts)
    assert not known.unchanged(replace(posts[0], text="Changed."))
    later = T0 + dt.timedelta(days=1)
    again = merge(old, [obs(posts=posts, at=later, run_id="r2")], full=False, settings=SETTINGS)
    assert again.counts.posts_unchanged == 2 and again.counts.posts_updated == 0
    assert rows(again) .keys() == rows(merge(None, [obs(posts=posts)], full=True,
                                              settings=SETTINGS)).keys()  # fmt: skip
    assert again.corpus.posts["content_hash"].to_pylist() == first.posts["content_hash"].to_pylist()
    assert {r["last_seen_at"] for r in rows(again).values()} == {later}
    edited = merge(old, [obs(posts=(replace(posts[0], text="Edited."),), at=later)],
                   full=False, settings=SETTINGS)  # fmt: skip
    assert edited.counts.posts_updated == 1


def test_a_post_seen_unchanged_keeps_its_stored_row() -> None:
    first = merge(None, [obs(posts=(post("a"),))], full=True, settings=SETTINGS).corpus
    # Same content, other presentation (html, id): the stored row stands, the times move.
    later = T0 + dt.timedelta(days=1)
    seen = replace(post("a"), html="<div>new theme</div>", wp_id=8)
    again = merge(first, [obs(posts=(seen,), at=later, run_id="r2")], full=False,
                  settings=SETTINGS)  # fmt: skip
    row = rows(again)["https://cssamerica.com/a/"]
    assert again.counts.posts_unchanged == 1 and row["html"] == "<p>About a.</p>"
    assert row["first_seen_at"] == T0 and row["last_seen_at"] == later and row["wp_id"] == 7


def test_trimming_the_c_heap_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader hands freed memory back with glibc's malloc_trim, found among the symbols
    the process has: never through a child process (ctypes.util.find_library runs ldconfig),
    which would fork the loader at its largest."""
    import subprocess

    from etl.load import merge

    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a child process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_child)
    merge._malloc_trim.cache_clear()
    trim = merge._malloc_trim()
    if sys.platform.startswith("linux"):
        assert trim is not None and trim(0) in (0, 1)
