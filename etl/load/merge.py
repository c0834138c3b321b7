"""Load: merge a run's parsed pages into the corpus on the canonical post URL.

Each merge rule lives in one function here:
- the key is `canonical_url` (`etl.load.collect.key`);
- within a run, the later fetch (by `fetched_at`, then input order) wins for a record's
  fields, and a second *different* full version of a URL is a counted conflict
  (`etl.load.collect.Collected.see_post`); categories and tags are unioned over every page
  showing the post;
- a full version of a post beats an excerpt-only one (archives that show excerpts), and a
  post page's missing field is filled from the run's other versions (`etl.load.versions`);
- `content_hash` fingerprints a post's content as parsed (before learned boilerplate);
- across runs (`derive.combine_posts`): new rows added, changed ones updated, nothing deleted;
  `first_seen_at` is the earliest sighting, `last_seen_at` the latest; a FULL run marks posts it
  did not see at all with `gone_at` (cleared whenever the URL is seen again); a run that saw a
  stored full post only as an excerpt moves its sighting times, nothing else; a post known
  only by its excerpt keeps it as its text, `source = "excerpt"`;
- learned boilerplate (`etl.load.boilerplate`).
Whole-table work is vectorised in pyarrow (`etl.load.derive`); Python only loops over this run's
records. Identical inputs give identical tables: every table is sorted (see the dictionary).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.load import derive, tables
from etl.load.boilerplate import learn as learn_boilerplate
from etl.load.collect import EXCERPT, Collected, key
from etl.load.hashing import CONTENT_FIELDS, post_hash, same_content
from etl.load.rows import lite_columns, post_table, teaser_columns
from etl.load.store import SOURCE_TABLES, Corpus, read_corpus, write_corpus
from etl.records import Page, Post
from etl.settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "CONTENT_FIELDS",
    "Collected",
    "Corpus",
    "KnownPosts",
    "MergeCounts",
    "MergeResult",
    "Observation",
    "collect",
    "collector",
    "content_hash",
    "load_run",
    "merge",
    "merge_collected",
    "read_corpus",
    "write_corpus",
]


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
    excerpt_only: tuple[str, ...] = ()  # the run's posts known only by their excerpt


def content_hash(
    post: Post, categories: Iterable[str] | None = None, tags: Iterable[str] | None = None
) -> str:
    """The fingerprint of the post's content fields (`etl.load.hashing`, version 2).

    `categories` and `tags` default to the post's own; the stored hash uses the union over
    every archive that showed the post (pass it to compare a new sighting with the corpus).
    """
    cats = post.categories if categories is None else categories
    return post_hash(post, cats, post.tags if tags is None else tags)


def stored_hashes(existing: Corpus | None) -> dict[str, str]:
    """Stored post URL -> content_hash: a post seen with the same content keeps its row."""
    if existing is None or existing.posts.num_rows == 0:
        return {}
    cols = existing.posts.select(["url", "content_hash"]).to_pydict()
    return dict(zip(cols["url"], cols["content_hash"], strict=True))


def collector(existing: Corpus | None) -> Collected:
    """A run's collector, told the stored posts: their hashes (a post seen with the same
    content keeps its row) and which the corpus holds only as an excerpt."""
    return Collected(stored=stored_hashes(existing), partial=partial(existing))


def partial(existing: Corpus | None) -> frozenset[str]:
    """Stored post URLs known only by their excerpt (`source = "excerpt"`)."""
    if existing is None or existing.posts.num_rows == 0:
        return frozenset()
    cols = existing.posts.select(["url", "source"]).to_pydict()
    return frozenset(url for url, src in zip(*cols.values(), strict=True) if src == EXCERPT)


def last_seen(existing: Corpus | None) -> dict[str, dt.datetime | None]:
    """Stored post URL -> when a run last saw it (what the audit compares with the sitemaps);
    None for a post known only by its excerpt: never seen in full, its page is read again."""
    if existing is None or existing.posts.num_rows == 0:
        return {}
    cols = existing.posts.select(["url", "last_seen_at", "source"]).to_pydict()
    return {
        url: None if source == EXCERPT else seen
        for url, seen, source in zip(*cols.values(), strict=True)
    }


# What an excerpt-only record shows of its post besides the text: title, heading, date,
# published_at (then the terms).
_Shown = tuple[str, str, dt.date | None, dt.datetime | None]


class KnownPosts:
    """The corpus's posts as an incremental crawl's stop rule sees them."""

    def __init__(self, existing: Corpus | None) -> None:
        # URL -> (content_hash, categories, tags, shown) of every stored post.
        self._known: dict[str, tuple[str, list[str], list[str], _Shown]] = {}
        self.partial: frozenset[str] = frozenset()  # known only by their excerpt
        if existing is not None and existing.posts.num_rows:
            names = ["url", "content_hash", "categories", "tags", "title", "heading", "date",
                     "published_at"]  # fmt: skip
            cols = existing.posts.select(names).to_pydict()
            for url, h, c, t, *shown in zip(*cols.values(), strict=True):
                self._known[url] = (h, c or [], t or [], tuple(shown))
            self.partial = partial(existing)

    def __len__(self) -> int:
        return len(self._known)

    def unchanged(self, post: Post) -> bool:
        """The corpus holds this post with the same content (its terms unioned as stored).
        An excerpt-only record is compared on what it shows besides its text (its date and
        time where it shows them, terms it shows among the stored ones): its text never
        equals the stored full text."""
        known = self._known.get(key(post.url))
        if known is None:
            return False
        stored, categories, tags, shown = known
        if post.excerpt_only:
            title, heading, date, stamp = shown
            return (
                (post.title, post.heading) == (title, heading)
                and post.date in (None, date)
                and post.published_at in (None, stamp)
                and {*post.categories} <= {*categories}
                and {*post.tags} <= {*tags}
            )
        union = sorted({*categories, *post.categories}), sorted({*tags, *post.tags})
        return same_content(stored, post, *union)

    def has_in_full(self, post: Post) -> bool:
        """The corpus holds this post's full text, and the post as it is shown unchanged: its
        page need not be read again for an excerpt."""
        return key(post.url) not in self.partial and self.unchanged(post)

    def all_unchanged(self, posts: Sequence[Post]) -> bool:
        return all(map(self.unchanged, posts))


def merge(
    existing: Corpus | None,
    observations: Iterable[Observation],
    *,
    full: bool,
    settings: Settings,
) -> MergeResult:
    """Merge one run's observations into `existing` (None: no corpus yet)."""
    run = collect(observations, collector(existing))
    return merge_collected(existing, run, full=full, settings=settings)


def collect(observations: Iterable[Observation], into: Collected | None = None) -> Collected:
    """Consume a run's observations as they come, keeping one winner per URL (compactly:
    see `etl.load.collect`); `into`: a collector told the stored posts (`collector`).

    Split from `merge_collected` so a pipeline can stream pages in while the crawl runs and
    decide only at the end whether the run counts as full (a run with failures does not).
    """
    run = into if into is not None else Collected()
    for o in observations:
        run.add(o.page, o.fetched_at, o.run_id, o.status)
    return run.finish()


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


def _release() -> None:
    # Arrow's allocator keeps freed blocks for reuse, and so does the C heap under Python's
    # objects (a crawl frees ~10,000 pages' strings in between live ones): between whole-table
    # steps hand both back, or each step's scratch space adds to the run's peak memory
    # (~150 MB and ~30 MB at 12,000 posts).
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if trim := _malloc_trim():
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, where the C library has it (None elsewhere).

    Looked up among the symbols the process already has (`CDLL(None)`), never with
    `ctypes.util.find_library`, which runs `ldconfig -p` in a child process: a fork of the
    loader at its largest, just to find a library that is loaded anyway.
    """
    import ctypes

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # no such symbol: not glibc
        return None
    return trim


def _combine_posts(
    stored: Any, run: Collected, seen_any: list[str], full: bool
) -> tuple[Any, dict[str, int], Any]:
    # A function of its own so that no reference to the run's rows outlives the union, which
    # copies them: they would double the posts' share of the peak memory (~10 KB a post).
    run_posts, lite = post_table(run), lite_columns(run)
    run.posts.clear()
    _release()
    # Posts seen unchanged keep their stored row; only their sighting times move.
    stored, lite_counts = derive.restamp(stored, lite)
    gone_at = run.run_at if full and (run_posts.num_rows or lite["url"]) else None
    posts, counts, fresh = derive.combine_posts(
        stored, run_posts, seen_any=seen_any, gone_at=gone_at
    )
    return posts, {k: v + lite_counts.get(k, 0) for k, v in counts.items()}, fresh


def _merge_collected(
    existing: Corpus | None, run: Collected, *, full: bool, settings: Settings
) -> MergeResult:
    _release()  # what the crawl freed
    old = existing or Corpus.empty()
    excerpt_only = tuple(run.excerpts())
    for url in excerpt_only:  # never silently presented as the post's text
        log.warning("%s: known only by its excerpt (its own page could not be read)", url)
    conflicts = sum(s.conflict for s in run.posts.values())
    seen_any = sorted(run.posts.keys() | run.teasers.keys())
    posts, pc_counts, fresh = _combine_posts(old.posts, run, seen_any, full)
    run_teasers = derive.from_columns(tables.TEASERS, teaser_columns(run.teasers))
    teasers_seen = len(run.teasers)
    run.teasers.clear()
    teasers, teasers_new = derive.combine_teasers(old.teasers, run_teasers)
    _release()
    posts, boilerplate, learned, removed = learn_boilerplate(
        posts, old.boilerplate, settings.boilerplate_min_posts, run.run_at, fresh
    )
    _release()
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
    return MergeResult(corpus, counts, excerpt_only)


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
