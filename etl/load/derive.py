"""Whole-table steps of the load, vectorised in pyarrow (no Python loop over stored rows).

Every function takes and returns `pyarrow.Table`s of the schemas in `etl.load.tables`, sorted as
the data dictionary says, so identical inputs give identical tables.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from etl.load import tables


def from_rows(spec: tables.Table, rows: list[dict[str, Any]]) -> Any:
    """A table of `spec`'s schema from row dicts (this run's records only)."""
    return from_columns(spec, {name: [r[name] for r in rows] for name in spec.names})


def from_columns(spec: tables.Table, columns: dict[str, list[Any]]) -> Any:
    """A table of `spec`'s schema from one list of values per column."""
    import pyarrow as pa

    schema = tables.arrow_schema(spec)
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def word_count(text: str) -> int:
    """`word_count`: the number of runs of non-white-space characters (Unicode white space)."""
    return len(text.split())


def word_counts(texts: Any) -> Any:
    """`word_count` of each text of an Arrow array (Python's split beats Arrow's utf8 split)."""
    import pyarrow as pa

    # In slices: the Python strs of a slice are freed before the next one is made.
    step = 2_000
    return pa.array(
        [
            word_count(t or "")
            for s in range(0, len(texts), step)
            for t in texts[s : s + step].to_pylist()
        ],
        pa.int64(),
    )


def _extreme(fn: str, a: Any, b: Any) -> Any:
    # min/max_element_wise have no kernel for tz-aware timestamps: compare the int64 micros.
    import pyarrow as pa
    import pyarrow.compute as pc

    out = pc.call_function(
        fn,
        [a.cast(pa.int64()), b.cast(pa.int64())],
        pc.ElementWiseAggregateOptions(skip_nulls=True),
    )
    return out.cast(a.type)


def _set(table: Any, name: str, values: Any) -> Any:
    # Keeps the declared field (type and nullability), so tables still concatenate.
    i = table.schema.get_field_index(name)
    return table.set_column(i, table.schema.field(i), values)


def _stamp(run: Any, prior: Any) -> Any:
    # first_seen_at is the earliest sighting ever, last_seen_at the latest.

    first = _extreme("min_element_wise", run["first_seen_at"], prior["first_seen_at"])
    last = _extreme("max_element_wise", run["last_seen_at"], prior["last_seen_at"])
    return _set(_set(run, "first_seen_at", first), "last_seen_at", last)


def _take(table: Any, indices: Any) -> Any:
    # `take` on a chunked column is many times slower than on one contiguous array.
    return table.combine_chunks().take(indices)


def _prior(existing: Any, run: Any, columns: list[str]) -> Any:
    """The stored values of `columns` for each run row (nulls where the URL is new)."""
    import pyarrow.compute as pc

    urls = existing["url"].combine_chunks()
    return _take(existing.select(columns), pc.index_in(run["url"], value_set=urls))


def _union(existing: Any, run: Any, *, combine: bool = True) -> Any:
    """Stored rows the run did not replace, plus the run's rows, sorted by url.

    Both inputs are sorted by url, so the result is slices of the two, interleaved (found by
    binary search per run row): the big columns (text, html) are copied once, when the
    slices are joined into one contiguous table (or never, `combine=False`: a few chunks).
    """
    import bisect

    import pyarrow as pa

    stored = existing["url"].to_pylist()
    if any(a >= b for a, b in itertools.pairwise(stored)):  # not written by us
        existing = existing.sort_by("url")
        stored = existing["url"].to_pylist()
    pieces, start, pending = [], 0, 0  # pending: run rows [pending, j) not yet placed
    for j, url in enumerate(run["url"].to_pylist()):
        at = bisect.bisect_left(stored, url, lo=start)
        if at > start:  # stored rows come before this run row: flush what is pending
            pieces += [run.slice(pending, j - pending), existing.slice(start, at - start)]
            pending = j
        start = at + (at < len(stored) and stored[at] == url)  # a replaced row is skipped
    pieces += [run.slice(pending), existing.slice(start)]
    pieces = [p for p in pieces if p.num_rows]
    if not pieces:
        return existing.schema.empty_table()
    joined = pa.concat_tables(pieces)
    return joined.combine_chunks() if combine else joined


def restamp(existing: Any, lite: dict[str, list[Any]]) -> tuple[Any, dict[str, int]]:
    """Stored posts whose winner this run was the stored copy as is (`rows.lite_columns`):
    sighting times moved, terms and hash as the run has them; counts of them unchanged,
    updated (more terms) and returned (had been marked gone: `combine_posts`, told that the
    run saw them, clears `gone_at`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    counts = {"posts_unchanged": 0, "posts_updated": 0, "posts_returned": 0}
    if not lite["url"]:
        return existing, counts
    schema = tables.arrow_schema(tables.POSTS)
    grown = sum(lite["grown"])
    counts |= {"posts_unchanged": len(lite["url"]) - grown, "posts_updated": grown}
    run = {n: pa.array(lite[n], schema.field(n).type) for n in lite if n != "grown"}
    at = pc.index_in(existing["url"], value_set=run["url"])  # each stored row's run row
    first = _extreme("min_element_wise", existing["first_seen_at"], run["first_seen_at"].take(at))
    last = _extreme("max_element_wise", existing["last_seen_at"], run["last_seen_at"].take(at))
    back = pc.and_(pc.is_valid(at), pc.is_valid(existing["gone_at"]))
    counts["posts_returned"] = int(pc.sum(back).as_py() or 0)
    out = _set(_set(existing, "first_seen_at", first), "last_seen_at", last)
    for name in ("categories", "tags", "content_hash"):
        out = _set(out, name, pc.coalesce(run[name].take(at), existing[name]))
    return out, counts


def combine_posts(
    existing: Any, run: Any, *, seen_any: list[str], gone_at: dt.datetime | None
) -> tuple[Any, dict[str, int], Any]:
    """(stored posts + this run's posts, counts, URLs of the run's new or changed posts).

    The run's version replaces the stored one.

    `gone_at` is this full run's time (None for incremental runs): stored posts whose URL the
    run saw neither as post nor teaser get it, unless already gone; a URL seen again is back.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = ["first_seen_at", "last_seen_at", "content_hash", "gone_at", "text", "word_count"]
    prior = _prior(existing, run, columns)
    known = int(pc.sum(pc.is_valid(prior["content_hash"])).as_py() or 0)
    same = pc.fill_null(pc.equal(prior["content_hash"], run["content_hash"]), False)
    run = _texts(run, prior, same)
    unchanged = int(pc.sum(same).as_py() or 0)
    counts = {
        "posts_new": run.num_rows - known,
        "posts_unchanged": unchanged,
        "posts_updated": known - unchanged,
        "posts_returned": int(pc.sum(pc.is_valid(prior["gone_at"])).as_py() or 0),
        "posts_gone": 0,
    }
    run = _stamp(run, prior)
    old_gone = existing["gone_at"]
    seen = pc.is_in(existing["url"], value_set=pa.array(seen_any, pa.string()))
    stamp_type = existing.schema.field("gone_at").type
    gone = old_gone
    if gone_at is not None:
        gone = pc.coalesce(old_gone, pa.scalar(gone_at, stamp_type))
        newly = pc.and_not(pc.invert(seen), pc.is_valid(old_gone))
        counts["posts_gone"] = int(pc.sum(newly).as_py() or 0)
    gone = pc.if_else(seen, pa.scalar(None, stamp_type), gone)
    fresh = run["url"].filter(pc.invert(same))
    return _union(_set(existing, "gone_at", gone), run), counts, fresh


def _texts(run: Any, prior: Any, same: Any) -> Any:
    """The run's posts with `text` and `word_count` final.

    An unchanged post (same content_hash) keeps its stored text and count: the hash covers the
    text as parsed, and the stored one is that text without every learned boilerplate
    paragraph, as stripping would make it again. Only new or changed texts are counted.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    changed = pc.invert(same)
    counts = word_counts(run["text"].filter(changed))
    words = pc.replace_with_mask(
        prior["word_count"].combine_chunks(), changed.combine_chunks(), counts
    )
    n_changed = len(counts)
    # The common refresh keeps every text: no copy of them through if_else.
    text = (
        prior["text"] if n_changed == 0 else
        run["text"] if n_changed == run.num_rows else
        pc.if_else(same, prior["text"], run["text"])
    )  # fmt: skip
    return _set(_set(run, "text", text), "word_count", words.cast(pa.int64()))


def combine_teasers(existing: Any, run: Any) -> tuple[Any, int]:
    """Stored teasers + this run's; the run's version replaces the stored one."""
    prior = _prior(existing, run, ["first_seen_at", "last_seen_at"])
    new = prior["first_seen_at"].null_count
    return _union(existing, _stamp(run, prior)), new


def documents(posts: Any, teasers: Any) -> Any:
    """One row per URL across posts and teasers; the post's fields win where there is one.

    The posts' rows are the posts table's own columns (no copy of the texts); the rows of URLs
    known only as teasers are slotted in between (both are sorted by url).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = tables.arrow_schema(tables.DOCUMENTS)
    both = pc.index_in(posts["url"], value_set=teasers["url"].combine_chunks())
    seen = teasers.select(["first_seen_at", "last_seen_at"]).combine_chunks().take(both)
    full = {name: posts[name] for name in schema.names if name in posts.column_names}
    full |= {
        "year": pc.year(posts["date"]),
        # A post known only by its excerpt (its own page failed) is no full text either.
        "has_full_text": pc.not_equal(posts["source"], "excerpt"),
        "first_seen_at": _extreme("min_element_wise", full["first_seen_at"], seen[0]),
        "last_seen_at": _extreme("max_element_wise", full["last_seen_at"], seen[1]),
    }
    post_urls = posts["url"].combine_chunks()
    only = teasers.filter(pc.invert(pc.is_in(teasers["url"], value_set=post_urls)))
    n, dated = only.num_rows, pc.is_valid(only["date"])
    empty = pa.array([[]] * n, pa.list_(pa.string()))
    teaser = {name: only[name] for name in ("url", "title", "heading", "date", "date_raw")}
    teaser |= {
        "wp_id": pa.nulls(n, pa.int64()),
        "year": pc.year(only["date"]),
        "date_source": pc.if_else(dated, "heading", pa.scalar(None, pa.string())),
        "published_at": pa.nulls(n, schema.field("published_at").type),
        "categories": empty,
        "tags": empty,
        "has_full_text": pa.array([False] * n, pa.bool_()),
        "text": only["excerpt"],
        "word_count": word_counts(only["excerpt"].combine_chunks()),
        "first_seen_at": only["first_seen_at"],
        "last_seen_at": only["last_seen_at"],
        "gone_at": pa.nulls(n, schema.field("gone_at").type),
    }

    def typed(cols: dict[str, Any]) -> Any:
        return pa.table({f.name: pc.cast(cols[f.name], f.type) for f in schema}, schema=schema)

    return _union(typed(full), typed(teaser), combine=False)


def post_terms(posts: Any) -> Any:
    """Long form of the posts' categories and tags."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for kind, column in (("category", "categories"), ("tag", "tags")):
        lists = posts[column].combine_chunks()
        terms = pc.list_flatten(lists)
        urls = posts["url"].combine_chunks().take(pc.list_parent_indices(lists))
        kinds = pa.array([kind] * len(terms), pa.string())
        parts.append(pa.table({"url": urls, "kind": kinds, "term": terms}))
    schema = tables.arrow_schema(tables.POST_TERMS)
    table = pa.concat_tables([t.cast(schema) for t in parts])
    return table.sort_by([("url", "ascending"), ("kind", "ascending"), ("term", "ascending")])


def replace_runs(
    existing: Any, spec: tables.Table, rows: list[dict[str, Any]], run_ids: Iterable[str]
) -> Any:
    """Log tables: this run's rows replace any stored rows of the same run ids (re-runs)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = pa.array(sorted(run_ids), pa.string())
    kept = existing.filter(pc.invert(pc.is_in(existing["run_id"], value_set=ids)))
    table = pa.concat_tables([kept, from_rows(spec, rows)])
    keys = [k.strip() for k in spec.order.split(",")]
    return table.sort_by([(k, "ascending") for k in keys])
