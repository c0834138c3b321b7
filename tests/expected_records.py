"""Test helper: the contract's expected JSON turned back into records and observations."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from etl.load.merge import Observation
from etl.records import Page, Post, Teaser

EXPECTED = Path(__file__).parent / "fixtures" / "site" / "expected"
RUN_AT = dt.datetime(2025, 1, 28, 6, 0, tzinfo=dt.UTC)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def post_from_json(d: dict[str, Any]) -> Post:
    published = d["published_at"]
    return Post(
        url=d["url"],
        wp_id=d["wp_id"],
        heading=d["heading"],
        title=d["title"],
        date=_date(d["date"]),
        date_raw=d["date_raw"],
        date_source=d["date_source"],
        published_at=dt.datetime.fromisoformat(published) if published else None,
        categories=tuple(d["categories"]),
        tags=tuple(d["tags"]),
        text=d["text"],
        # The JSON carries no html; a stand-in derived from the text keeps the column honest.
        html="".join(f"<p>{p}</p>" for p in d["text"].split("\n\n")),
    )


def teaser_from_json(d: dict[str, Any]) -> Teaser:
    return Teaser(
        url=d["url"],
        heading=d["heading"],
        title=d["title"],
        date=_date(d["date"]),
        date_raw=d["date_raw"],
        excerpt=d["excerpt"],
    )


def load_json(snapshot: str, name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((EXPECTED / snapshot / f"{name}.json").read_text())
    return data


def snapshot_observations(
    snapshot: str = "snapshot-2", at: dt.datetime = RUN_AT, run_id: str = "run-1"
) -> list[Observation]:
    """One archive page per three posts, each carrying the latest-tips block, as a crawl would."""
    posts = [post_from_json(d) for d in load_json(snapshot, "posts")]
    teasers = tuple(teaser_from_json(d) for d in load_json(snapshot, "teasers"))
    out = []
    for n, i in enumerate(range(0, len(posts), 3)):
        page = Page(
            url=f"https://cssamerica.com/category/all/page/{n + 1}/",
            kind="archive",
            term_kind="category",
            term="All",
            term_slug="all",
            page=n + 1,
            next_url=None,
            teasers=teasers,
            posts=tuple(posts[i : i + 3]),
        )
        out.append(Observation(page, at + dt.timedelta(seconds=n), run_id))
    return out
