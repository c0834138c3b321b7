"""Load: merge a run's parsed pages into the corpus on the canonical post URL.

Each merge rule lives in one function here:
- the key is `canonical_url` (`_key`);
- within a run, the later fetch (by `fetched_at`, then input order) wins for a record's
  fields, and a second *different* full version of a URL is a counted conflict
  (`_Seen.observe`); categories and tags are unioned over every page showing the post;
- `content_hash` fingerprints a post's content as parsed (before learned boilerplate);
- across runs (`derive.combine_posts`): new rows added, changed ones updated, nothing deleted;
  `first_seen_at` is the earliest sighting, `last_seen_at` the latest; a FULL run marks posts it
  did not see at all with `gone_at` (cleared whenever the URL is seen again);
- learned boilerplate (`derive.learn_boilerplate`).
Whole-table work is vectorised in pyarrow (`etl.derive`); Python only loops over this run's
records. Identical inputs give identical tables: every table is sorted (see the dictionary).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _quote  # C: ensure_ascii=False
from pathlib import Path
from typing import Any

from etl import derive, tables
from etl.records import Page, Post, Teaser, to_json
from etl.settings import Settings
from etl.store import SOURCE_TABLES, Corpus, read_corpus, write_corpus
from etl.urls import canonical_url

__all__ = [
    "CONTENT_FIELDS",
    "Collected",
    "Corpus",
    "MergeCounts",
    "MergeResult",
    "Observation",
    "collect",
    "content_hash",
    "load_run",
    "merge",
    "merge_collected",
    "read_corpus",
    "write_corpus",
]

# The fields whose change means the site changed the post (html, ids and dates' raw text
# are presentation: a theme change must not mark every post as updated).
CONTENT_FIELDS = ("title", "heading", "date", "text", "categories", "tags", "published_at")


@dataclass(frozen=True, slots=True)
class Observation:
    """One parsed page as a run saw it."""

    page: Page
    fetched_at: dt.datetime  # UTC, tz-aware
    run_id: str
    status: int | None = 200

    def __post_init__(self) -> None:
        if self.fetched_at.tzinfo is None:
            raise ValueError("Observation.fetched_at must be timezone-aware (UTC)")


@dataclass(frozen=True, slots=True)
class MergeCounts:
    posts_new: int = 0
    posts_updated: int = 0  # content_hash changed
    posts_unchanged: int = 0
    posts_gone: int = 0  # newly marked gone by this full run
    posts_returned: int = 0  # had gone_at, seen again
    conflicts: int = 0  # URLs with two different full versions in this run
    teasers_new: int = 0
    teasers_seen: int = 0
    boilerplate_learned: int = 0  # paragraphs learned by this run
    boilerplate_removed: int = 0  # paragraph occurrences dropped from texts
    pages: int = 0
    rejects: int = 0


@dataclass(frozen=True)
class MergeResult:
    corpus: Corpus
    counts: MergeCounts


def content_hash(
    post: Post, categories: Iterable[str] | None = None, tags: Iterable[str] | None = None
) -> str:
    """sha256 hex of the canonical JSON of the post's content fields.

    `categories` and `tags` default to the post's own; the stored hash uses the union over
    every archive that showed the post (pass it to compare a new sighting with the corpus).
    """
    cats = post.categories if categories is None else categories
    return _hash(post, cats, post.tags if tags is None else tags)


def _hash(post: Post, categories: Iterable[str], tags: Iterable[str]) -> str:
    # The bytes of json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",",
    # ":")), written out key by key: json.dumps' per-call set-up cost more than the hashing.
    # A test pins both this equality and the digest.
    blob = (
        f'{{"categories":[{",".join(map(_quote, categories))}],'
        f'"date":{_json(to_json(post.date))},"heading":{_json(post.heading)},'
        f'"published_at":{_json(to_json(post.published_at))},'
        f'"tags":[{",".join(map(_quote, tags))}],"text":{_json(post.text)},'
        f'"title":{_json(post.title)}}}'
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _json(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _content(post: Post) -> tuple[Any, ...]:
    return tuple(getattr(post, name) for name in CONTENT_FIELDS)


# A URL of this shape is already canonical (https, lower-case host, no port, query or
# fragment, trailing slash): the common case, checked without parsing. Pinned by a test.
_CANONICAL = re.compile(r"https://[a-z0-9.-]+/[^?#\s]*/")


def _key(url: str) -> str:
    """The merge key: `canonical_url`, with a fast path for URLs already in that form."""
    return url if _CANONICAL.fullmatch(url) else canonical_url(url)


@dataclass(slots=True)
class _Seen:
    """Everything one run learned about one URL (mutable, local to one merge)."""

    record: Any  # Post | Teaser: the winning version
    order: tuple[dt.datetime, int]
    first: dt.datetime
    last: dt.datetime
    source: str
    categories: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    conflict: bool = False  # two different full versions in this run

    def observe(self, record: Any, order: tuple[dt.datetime, int], source: str) -> None:
        at = order[0]
        self.first, self.last = min(self.first, at), max(self.last, at)
        if isinstance(record, Post):
            self.categories.update(record.categories)
            self.tags.update(record.tags)
            # Comparing each version with the current winner finds any two that differ.
            if not self.conflict and _content(record) != _content(self.record):
                self.conflict = True
        # The later fetch wins; at equal fetch times, the later input.
        if order > self.order:
            self.record, self.order, self.source = record, order, source


def _see(acc: dict[str, _Seen], rec: Any, order: tuple[dt.datetime, int], source: str) -> None:
    key = _key(rec.url)
    seen = acc.get(key)
    if seen is not None:
        seen.observe(rec, order, source)
    elif isinstance(rec, Post):
        acc[key] = _Seen(rec, order, order[0], order[0], source, set(rec.categories), set(rec.tags))
    else:
        acc[key] = _Seen(rec, order, order[0], order[0], source)


@dataclass
class Collected:
    posts: dict[str, _Seen] = field(default_factory=dict)
    teasers: dict[str, _Seen] = field(default_factory=dict)
    page_rows: list[dict[str, Any]] = field(default_factory=list)
    reject_rows: list[dict[str, Any]] = field(default_factory=list)
    run_ids: set[str] = field(default_factory=set)
    run_at: dt.datetime | None = None  # the run's last fetch: stamps gone_at and learned_at


def _collect(observations: Iterable[Observation]) -> Collected:
    run = Collected()
    for i, obs in enumerate(observations):
        page, order = obs.page, (obs.fetched_at, i)
        run.run_ids.add(obs.run_id)
        run.run_at = obs.fetched_at if run.run_at is None else max(run.run_at, obs.fetched_at)
        source = "post_page" if page.kind == "post" else "archive"
        for post in page.posts:
            _see(run.posts, post, order, source)
        for teaser in page.teasers:
            _see(run.teasers, teaser, order, source)
        run.page_rows.append(_page_row(obs))
        run.reject_rows += [
            {
                "run_id": obs.run_id,
                "source_url": p.url,
                "record_kind": p.record_kind,
                "reason": p.code,
                "detail": p.detail,
                "drift": p.drift,
                "excerpt": p.excerpt,
                "seen_at": obs.fetched_at,
            }
            for p in page.problems
        ]
    return run


def _page_row(obs: Observation) -> dict[str, Any]:
    p = obs.page
    return {
        "run_id": obs.run_id,
        "url": p.url,
        "term_kind": p.term_kind,
        "term": p.term,
        "page": p.page,
        "status": obs.status,
        "fetched_at": obs.fetched_at,
        "teasers": len(p.teasers),
        "posts": len(p.posts),
        "problems": [pr.code for pr in p.problems],
    }


def _post_columns(run: dict[str, _Seen]) -> dict[str, list[Any]]:
    """The run's posts as columns (sorted by URL): one list per field, no row dicts."""
    keys = sorted(run)
    seen = [run[k] for k in keys]
    posts: list[Post] = [s.record for s in seen]
    categories = [sorted(s.categories) for s in seen]
    tags = [sorted(s.tags) for s in seen]
    texts = [p.text for p in posts]
    return {
        "url": keys,
        "wp_id": [p.wp_id for p in posts],
        "title": [p.title for p in posts],
        "heading": [p.heading for p in posts],
        "date": [p.date for p in posts],
        "date_raw": [p.date_raw for p in posts],
        "date_source": [p.date_source for p in posts],
        "published_at": [p.published_at for p in posts],
        "categories": categories,
        "tags": tags,
        "text": texts,
        "html": [p.html for p in posts],
        "word_count": [len(t.split()) for t in texts],  # derive.word_count, inlined
        "content_hash": list(map(_hash, posts, categories, tags)),
        "source": [s.source for s in seen],
        "first_seen_at": [s.first for s in seen],
        "last_seen_at": [s.last for s in seen],
        "gone_at": [None] * len(keys),
    }


def _teaser_columns(run: dict[str, _Seen]) -> dict[str, list[Any]]:
    """The run's teasers as columns (sorted by URL)."""
    keys = sorted(run)
    seen = [run[k] for k in keys]
    teasers: list[Teaser] = [s.record for s in seen]
    return {
        "url": keys,
        "title": [t.title for t in teasers],
        "heading": [t.heading for t in teasers],
        "date": [t.date for t in teasers],
        "date_raw": [t.date_raw for t in teasers],
        "excerpt": [t.excerpt for t in teasers],
        "first_seen_at": [s.first for s in seen],
        "last_seen_at": [s.last for s in seen],
    }


def merge(
    existing: Corpus | None,
    observations: Iterable[Observation],
    *,
    full: bool,
    settings: Settings,
) -> MergeResult:
    """Merge one run's observations into `existing` (None: no corpus yet)."""
    return merge_collected(existing, collect(observations), full=full, settings=settings)


def collect(observations: Iterable[Observation]) -> Collected:
    """Consume a run's observations as they come, keeping one winner per URL.

    Split from `merge_collected` so a pipeline can stream pages in while the crawl runs and
    decide only at the end whether the run counts as full (a run with failures does not).
    """
    return _collect(observations)


def merge_collected(
    existing: Corpus | None, run: Collected, *, full: bool, settings: Settings
) -> MergeResult:
    """Merge what `collect` kept into `existing`; `full` lets unseen posts be marked gone."""
    with _gc_paused():
        return _merge_collected(existing, run, full=full, settings=settings)


@contextmanager
def _gc_paused() -> Iterator[None]:
    # The merge allocates ~10 acyclic objects per post; the collector's full passes over the
    # growing heap cost ~10% of it for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _merge_collected(
    existing: Corpus | None, run: Collected, *, full: bool, settings: Settings
) -> MergeResult:
    old = existing or Corpus.empty()
    conflicts = sum(s.conflict for s in run.posts.values())
    seen_any = sorted(run.posts.keys() | run.teasers.keys())
    run_posts = derive.from_columns(tables.POSTS, _post_columns(run.posts))
    run_teasers = derive.from_columns(tables.TEASERS, _teaser_columns(run.teasers))
    teasers_seen = len(run.teasers)
    # Hold each run post's html once, in Arrow: drop the records now.
    run.posts.clear()
    run.teasers.clear()
    posts, pc_counts, fresh = derive.combine_posts(
        old.posts,
        run_posts,
        seen_any=seen_any,
        gone_at=run.run_at if full and run_posts.num_rows else None,
    )
    teasers, teasers_new = derive.combine_teasers(old.teasers, run_teasers)
    posts, boilerplate, learned, removed = derive.learn_boilerplate(
        posts, old.boilerplate, settings.boilerplate_min_posts, run.run_at, fresh
    )
    corpus = Corpus(
        posts=posts,
        teasers=teasers,
        documents=derive.documents(posts, teasers),
        post_terms=derive.post_terms(posts),
        pages=derive.replace_runs(old.pages, tables.PAGES, run.page_rows, run.run_ids),
        rejects=derive.replace_runs(old.rejects, tables.REJECTS, run.reject_rows, run.run_ids),
        boilerplate=boilerplate,
    )
    counts = MergeCounts(
        **pc_counts,
        conflicts=conflicts,
        teasers_new=teasers_new,
        teasers_seen=teasers_seen,
        boilerplate_learned=learned,
        boilerplate_removed=removed,
        pages=len(run.page_rows),
        rejects=len(run.reject_rows),
    )
    return MergeResult(corpus, counts)


def load_run(
    observations: Iterable[Observation],
    settings: Settings,
    *,
    run_id: str,
    generated_at: dt.datetime,
    full: bool,
) -> MergeCounts:
    """Read the corpus in `settings.processed_dir`, merge the run into it, write it back."""
    folder = Path(settings.processed_dir)
    existing = read_corpus(folder, only=SOURCE_TABLES)
    result = merge(existing, observations, full=full, settings=settings)
    write_corpus(
        result.corpus, folder, run_id=run_id, site=settings.site, generated_at=generated_at
    )
    return result.counts
