"""A run's winning posts as Arrow rows: held compactly as they win, handed to the merge.

`PostRows` appends each winning version's fields (UTF-8, `_BATCH_ROWS` rows at a time) to
Arrow record batches, so that Python never holds every winner's text and html until the crawl
ends (etl.load.collect says why). At the merge, `post_table` takes each URL's winner from
them; `lite_columns` (posts that keep no row: the stored one stands) and `teaser_columns` give
the merge the rest of what the collector kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from etl.load import tables, versions
from etl.load.hashing import hash_fields, hash_head

if TYPE_CHECKING:
    from etl.load.collect import Collected, TeaserSeen
    from etl.records import Post

# Posts a record batch holds: bounds the Python strs waiting to become Arrow (~10 MB).
_BATCH_ROWS = 1_000

# A post's own fields, stored per winning version; the run adds the rest (`post_table`).
_ROW_FIELDS = ("wp_id", "title", "heading", "date", "date_raw", "date_source", "published_at")
_ROW_COLUMNS = (*_ROW_FIELDS, "text", "html", "content_hash")
# The row (etl.load.collect's `_PostSeen.row`) of a post seen unchanged: the stored row stands
# (its terms may grow); and of a post seen only as an excerpt while the corpus holds it in
# full: the stored row stands whole.
STORED, STANDS = -1, -2


class PostRows:
    """The winning versions of the run's posts, appended row by row into Arrow batches."""

    def __init__(self) -> None:
        self.batches: list[Any] = []
        self.pending: dict[str, list[Any]] = {name: [] for name in _ROW_COLUMNS}
        self.count = 0

    def add(self, post: Post, content_hash: str) -> int:
        """Store `post` and its hash (with its own terms); its row number."""
        for name in _ROW_FIELDS:
            self.pending[name].append(getattr(post, name))
        self.pending["text"].append(post.text)
        self.pending["html"].append(post.html)
        self.pending["content_hash"].append(content_hash)
        self.count += 1
        if len(self.pending["text"]) >= _BATCH_ROWS:
            self.flush()
        return self.count - 1

    def flush(self) -> None:
        import pyarrow as pa

        if self.pending["text"]:
            schema = _row_schema()
            arrays = [pa.array(self.pending[f.name], f.type) for f in schema]
            self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
            self.pending = {name: [] for name in _ROW_COLUMNS}

    def table(self) -> Any:
        import pyarrow as pa

        self.flush()
        return pa.Table.from_batches(self.batches, schema=_row_schema())


def _row_schema() -> Any:
    import pyarrow as pa

    posts = tables.arrow_schema(tables.POSTS)
    return pa.schema([posts.field(name) for name in _ROW_COLUMNS])


def post_table(run: Collected) -> Any:
    """The run's posts that keep a row (sorted by URL) in the posts schema; `word_count` is
    left null for `derive.combine_posts`, which counts only new or changed texts. Posts seen
    unchanged are `lite_columns`' instead. Empties `run.rows`."""
    import pyarrow as pa

    keys = sorted(k for k, s in run.posts.items() if s.row >= 0)
    seen = [run.posts[k] for k in keys]
    stored, run.rows = run.rows.table(), PostRows()
    # Column by column (`take` on one contiguous array is many times faster than on batches,
    # and only one column is ever in memory three times over); the losing versions go with
    # `stored`. A column's batches are freed once it is combined, before it is taken.
    winners = pa.array([s.row for s in seen], pa.int64())
    taken = {}
    for name in stored.column_names:
        combined = stored[name].combine_chunks()
        stored = stored.drop_columns([name])
        taken[name] = combined.take(winners)
        del combined
        pa.default_memory_pool().release_unused()  # Arrow keeps freed blocks otherwise
    # A winner's gaps, filled from the run's other versions of the post (etl.load.versions).
    fills = {i: versions.filled(s.values, s.fills) for i, s in enumerate(seen) if s.fills}
    rows = versions.patch(pa.table(taken), fills)
    categories = [sorted(s.categories) for s in seen]
    tags = [sorted(s.tags) for s in seen]
    hashes = [s.hash for s in seen]
    # The stored hash covers the winner's own terms and fields; where other pages added
    # terms, or filled a field, redo it.
    redo = [
        i for i, s in enumerate(seen)
        if i in fills or categories[i] != s.own[0] or tags[i] != s.own[1]
    ]  # fmt: skip
    for start in range(0, len(redo), _BATCH_ROWS):
        part = redo[start : start + _BATCH_ROWS]
        fields = rows.select(["title", "heading", "date", "published_at", "text"])
        for i, r in zip(part, fields.take(pa.array(part, pa.int64())).to_pylist(), strict=True):
            hashes[i] = hash_fields(
                r["title"], r["heading"], r["date"], r["published_at"], r["text"],
                categories[i], tags[i],
            )  # fmt: skip
    schema = tables.arrow_schema(tables.POSTS)
    columns = {
        "url": pa.array(keys, pa.string()),
        "categories": pa.array(categories, schema.field("categories").type),
        "tags": pa.array(tags, schema.field("tags").type),
        "content_hash": pa.array(hashes, pa.string()),
        "word_count": pa.nulls(len(keys), pa.int64()),
        "source": pa.array([s.source for s in seen], pa.string()),
        "first_seen_at": pa.array([s.first for s in seen], schema.field("first_seen_at").type),
        "last_seen_at": pa.array([s.last for s in seen], schema.field("last_seen_at").type),
        "gone_at": pa.nulls(len(keys), schema.field("gone_at").type),
    }
    arrays = [columns[f.name] if f.name in columns else rows[f.name] for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def lite_columns(run: Collected) -> dict[str, list[Any]]:
    """The posts whose winner is the stored copy as is (no row kept), sorted by URL: their
    sighting times, terms and hash (redone where other pages added terms, which makes the
    post `grown`, i.e. updated; a version 1 hash is replaced by version 2). A stored full
    post the run saw only as an excerpt moves its sighting times only (None: stored stands)."""
    keys = sorted(k for k, s in run.posts.items() if s.row < 0)
    seen = [run.posts[k] for k in keys]
    stands = [s.row == STANDS for s in seen]
    categories = [None if st else sorted(s.categories) for s, st in zip(seen, stands, strict=True)]
    tags = [None if st else sorted(s.tags) for s, st in zip(seen, stands, strict=True)]
    terms = zip(seen, categories, tags, strict=True)
    grown = [c is not None and (c != s.own[0] or t != s.own[1]) for s, c, t in terms]
    hashes: list[str | None] = [None if st else s.hash for s, st in zip(seen, stands, strict=True)]
    for i in (i for i, g in enumerate(grown) if g):
        head, cats, more = seen[i].head, categories[i], tags[i]
        assert head is not None and cats is not None and more is not None
        hashes[i] = hash_head(*head, cats, more)
    return {
        "url": keys,
        "first_seen_at": [s.first for s in seen],
        "last_seen_at": [s.last for s in seen],
        "categories": categories,
        "tags": tags,
        "content_hash": hashes,
        "grown": grown,
    }


def teaser_columns(run: dict[str, TeaserSeen]) -> dict[str, list[Any]]:
    """The run's teasers as columns (sorted by URL)."""
    keys = sorted(run)
    seen = [run[k] for k in keys]
    teasers = [s.record for s in seen]
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
