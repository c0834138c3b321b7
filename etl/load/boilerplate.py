"""Learned boilerplate: a paragraph found verbatim in at least `boilerplate_min_posts` distinct
posts is site furniture, not the post's words; it is dropped from `text` (kept in `html`).

Texts are read a chunk of posts at a time, so the work space is a chunk's strings plus one
64-bit hash per distinct paragraph of each post: every paragraph is first counted by its hash,
and only the few whose hash reaches the threshold are counted again exactly, by their text
(a hash collision can only make a paragraph a candidate, never a miss). Before, the whole
corpus's text was split into one Arrow list array and counted in pairs: ~240 MB on top of
the posts at 12,000 posts.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

from etl.load import tables
from etl.load.derive import from_rows, word_count

_PARAGRAPH = "\n\n"
_CHUNK = 500  # posts whose texts are Python strings at once (~2 MB)


def _set(table: Any, name: str, values: Any) -> Any:
    i = table.schema.get_field_index(name)  # keeps the declared field: tables still concatenate
    return table.set_column(i, table.schema.field(i), values)


def _chunks(texts: Any) -> Iterator[tuple[int, list[str]]]:
    for start in range(0, len(texts), _CHUNK):
        yield start, [t or "" for t in texts[start : start + _CHUNK].to_pylist()]


def _hashes(texts: Any) -> set[int]:
    """The hash of every paragraph of these texts."""
    return {hash(p) for _, chunk in _chunks(texts) for t in chunk for p in t.split(_PARAGRAPH)}


def _common(texts: Any, candidates: set[int] | None, min_posts: int) -> dict[str, int]:
    """Paragraphs (of `candidates`' hashes; None: any) in at least `min_posts` distinct texts,
    with that number."""
    import numpy as np

    hashes = array("q")
    for _, chunk in _chunks(texts):
        for text in chunk:
            distinct = {hash(p) for p in text.split(_PARAGRAPH) if p}
            hashes.extend(distinct if candidates is None else distinct & candidates)
    values, counts = np.unique(np.frombuffer(hashes, np.int64), return_counts=True)
    common = set(values[counts >= min_posts].tolist())
    exact: Counter[str] = Counter()
    if common:
        for _, chunk in _chunks(texts):
            for text in chunk:
                exact.update({p for p in text.split(_PARAGRAPH) if p and hash(p) in common})
    return {p: n for p, n in exact.items() if n >= min_posts}


def learn(
    posts: Any, known: Any, min_posts: int, run_at: dt.datetime | None, fresh: Any
) -> tuple[Any, Any, int, int]:
    """(posts without boilerplate paragraphs, boilerplate table, learned now, removed).

    Once learned a paragraph stays learned (stored texts no longer hold it, so it could not be
    recounted). Only paragraphs of this run's new or changed posts (URLs in `fresh`) are
    candidates: any other paragraph was counted by an earlier run (an unchanged post's
    content_hash covers its text as parsed) and fell short then, and its count cannot have
    grown since (lowering `boilerplate_min_posts` therefore takes effect on a rebuild from
    data/raw).
    """
    import pyarrow.compute as pc

    if len(fresh) == 0:  # no candidates, and every stored text is stripped already
        return posts, known, 0, 0
    candidates = None  # a run holding most posts: count every paragraph
    if 2 * len(fresh) < posts.num_rows:
        candidates = _hashes(posts["text"].filter(pc.is_in(posts["url"], value_set=fresh)))
    found = _common(posts["text"], candidates, min_posts)
    out: dict[str, tuple[int, Any]] = {}
    columns = (known[c].to_pylist() for c in ("paragraph", "posts", "learned_at"))
    for p, n, at in zip(*columns, strict=True):
        out[p] = (max(n, found.pop(p, 0)), at)
    learned = len(found) if run_at is not None else 0
    if run_at is not None:  # a run with no fetch learns nothing (it has no time to stamp)
        out |= {p: (n, run_at) for p, n in found.items()}
    rows_out = [
        {"paragraph": p, "posts": n, "learned_at": at} for p, (n, at) in sorted(out.items())
    ]
    posts, removed = _strip(posts, set(out))
    return posts, from_rows(tables.BOILERPLATE, rows_out), learned, removed


def _strip(posts: Any, drop: set[str]) -> tuple[Any, int]:
    """Posts without the paragraphs in `drop` (word counts redone where text changed); a
    chunk of texts where nothing changes is kept as it is."""
    import pyarrow as pa

    if not drop:
        return posts, 0
    texts, counts = posts["text"], posts["word_count"]
    text_parts, count_parts, removed = [], [], 0
    for start, chunk in _chunks(texts):
        kept = [[p for p in t.split(_PARAGRAPH) if p not in drop] for t in chunk]
        lost = sum(t.count(_PARAGRAPH) + 1 - len(k) for t, k in zip(chunk, kept, strict=True))
        if lost == 0:
            text_parts.append(texts.slice(start, len(chunk)))
            count_parts.append(counts.slice(start, len(chunk)))
            continue
        removed += lost
        new = [_PARAGRAPH.join(k) for k in kept]
        text_parts.append(pa.chunked_array([pa.array(new, pa.string())]))
        count_parts.append(pa.chunked_array([pa.array([word_count(t) for t in new], pa.int64())]))
    if removed == 0:
        return posts, 0
    text = pa.chunked_array([c for part in text_parts for c in part.chunks], pa.string())
    words = pa.chunked_array([c for part in count_parts for c in part.chunks], pa.int64())
    return _set(_set(posts, "text", text), "word_count", words), removed
