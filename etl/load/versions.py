"""Which of a run's versions of one post wins, and what the others still give it.

- **Rank**: a full version beats an excerpt-only one (`Post.excerpt_only`: an archive that
  shows excerpts, whose text is not the post's), whatever the order they arrive in; between
  two of a kind the later fetch wins, then the later input.
- **Fields filled, never blanked**: a post's own page may lack a field its archive shows (a
  single template without a date, without `post-N`): the winner's missing `wp_id`, date (with
  its raw text and source) or `published_at` is taken from the best-ranked other version of
  the run that has it. So a None never overwrites a value the run saw.

`Collected.see_post` (etl.load.collect) keeps per URL the winner's `Fillable` and, for its
gaps only, the best value seen so far (`Fills`); `patch` applies them to the run's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from etl.records import Post

Rank = tuple[bool, dt.datetime, int]  # (a full version, fetched_at, input order): max wins
Day = tuple[dt.date, str | None, str | None]  # date, date_raw, date_source: they travel together
Fillable = tuple[int | None, Day | None, dt.datetime | None]  # wp_id, the date, published_at
Fills = dict[int, tuple[Rank, Any]]  # index into Fillable -> (rank of the version, value)
PATCHED = ("wp_id", "date", "date_raw", "date_source", "published_at")


def rank(post: Post, order: tuple[dt.datetime, int]) -> Rank:
    return (not post.excerpt_only, *order)


def fillable(post: Post) -> Fillable:
    """The fields of `post` a version that lacks them may take from another one."""
    day = (post.date, post.date_raw, post.date_source) if post.date is not None else None
    return post.wp_id, day, post.published_at


def carried(new: Fillable, old: Fillable, old_rank: Rank, old_fills: Fills | None) -> Fills | None:
    """A new winner's gaps, filled from the winner it replaces (the best-ranked version so
    far) or, where that one lacked them too, from what filled its gaps."""
    fills: Fills = {}
    for i, value in enumerate(new):
        if value is None:
            if old[i] is not None:
                fills[i] = (old_rank, old[i])
            elif old_fills and i in old_fills:
                fills[i] = old_fills[i]
    return fills or None


def offered(winner: Fillable, fills: Fills | None, loser: Fillable, at: Rank) -> Fills | None:
    """The winner's gaps after a losing version (ranked `at`) offered its values."""
    for i, value in enumerate(winner):
        if value is None and loser[i] is not None:
            fills = fills if fills is not None else {}
            if i not in fills or at > fills[i][0]:
                fills[i] = (at, loser[i])
    return fills


def filled(values: Fillable, fills: Fills | None) -> Fillable:
    """The winner's values, its gaps filled."""
    if not fills:
        return values
    wp_id, day, stamp = values
    got = {i: value for i, (_, value) in fills.items()}
    return (
        wp_id if wp_id is not None else got.get(0),
        day if day is not None else got.get(1),
        stamp if stamp is not None else got.get(2),
    )


def patch(rows: Any, values: dict[int, Fillable]) -> Any:
    """The run's rows (a posts-schema table) with row i's fillable fields set to values[i]."""
    import pyarrow as pa

    if not values:
        return rows
    columns = {name: rows[name].to_pylist() for name in PATCHED}
    for i, (wp_id, day, stamp) in values.items():
        columns["wp_id"][i], columns["published_at"][i] = wp_id, stamp
        if day is not None:
            columns["date"][i], columns["date_raw"][i], columns["date_source"][i] = day
    for name, column in columns.items():
        at = rows.schema.get_field_index(name)
        field = rows.schema.field(at)
        rows = rows.set_column(at, field, pa.array(column, field.type))
    return rows
