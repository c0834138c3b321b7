"""A small corpus on disk for the analysis tests: the expected snapshot-2 records as Parquet.

The tables carry the column names and Arrow types of the loader's tables (issue 4), built
here from `expected/snapshot-2/{posts,teasers}.json` plus two run reports, so the report,
the API and the notebook are tested on real records without running the crawler.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

EXPECTED = Path(__file__).parent / "fixtures" / "site" / "expected" / "snapshot-2"
SEEN_AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TS = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())

POSTS = pa.schema(
    [
        ("url", pa.string()),
        ("wp_id", pa.int64()),
        ("title", pa.string()),
        ("heading", pa.string()),
        ("date", pa.date32()),
        ("date_raw", pa.string()),
        ("date_source", pa.string()),
        ("published_at", TS),
        ("categories", STRINGS),
        ("tags", STRINGS),
        ("text", pa.string()),
        ("html", pa.string()),
        ("word_count", pa.int64()),
        ("content_hash", pa.string()),
        ("source", pa.string()),
        ("first_seen_at", TS),
        ("last_seen_at", TS),
        ("gone_at", TS),
    ]
)
TEASERS = pa.schema(
    [
        ("url", pa.string()),
        ("title", pa.string()),
        ("heading", pa.string()),
        ("date", pa.date32()),
        ("date_raw", pa.string()),
        ("excerpt", pa.string()),
        ("first_seen_at", TS),
        ("last_seen_at", TS),
    ]
)
DOCUMENTS = pa.schema(
    [
        *[f for f in POSTS if f.name not in ("html", "text")],
        ("has_full_text", pa.bool_()),
        ("text", pa.string()),
        ("year", pa.int32()),
    ]
)
TERMS = pa.schema([("url", pa.string()), ("kind", pa.string()), ("term", pa.string())])
PAGES = pa.schema(
    [
        ("run_id", pa.string()),
        ("url", pa.string()),
        ("term_kind", pa.string()),
        ("term", pa.string()),
        ("page", pa.int32()),
        ("status", pa.int32()),
        ("fetched_at", TS),
        ("teasers", pa.int32()),
        ("posts", pa.int32()),
        ("problems", STRINGS),
    ]
)
REJECTS = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_url", pa.string()),
        ("record_kind", pa.string()),
        ("reason", pa.string()),
        ("excerpt", pa.string()),
        ("seen_at", TS),
    ]
)
RUN_IDS = ("20261122T090000Z-a1b2c3", "20261123T090000Z-d4e5f6")


def expected_posts() -> list[dict[str, Any]]:
    return list(json.loads((EXPECTED / "posts.json").read_text(encoding="utf-8")))


def expected_teasers() -> list[dict[str, Any]]:
    return list(json.loads((EXPECTED / "teasers.json").read_text(encoding="utf-8")))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _post_row(post: dict[str, Any]) -> dict[str, Any]:
    text = post["text"]
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    return {
        **post,
        "date": _date(post["date"]),
        "published_at": _ts(post["published_at"]),
        "html": paragraphs,
        "word_count": len(text.split()),
        "content_hash": hashlib.sha256(text.encode()).hexdigest(),
        "source": "archive",
        "first_seen_at": SEEN_AT,
        "last_seen_at": SEEN_AT,
        "gone_at": None,
    }


def _teaser_row(teaser: dict[str, Any]) -> dict[str, Any]:
    return {
        **teaser,
        "date": _date(teaser["date"]),
        "first_seen_at": SEEN_AT,
        "last_seen_at": SEEN_AT,
    }


def _documents(posts: list[dict[str, Any]], teasers: list[dict[str, Any]]) -> list[dict]:
    """Full posts where known, else the teaser's fields with its excerpt as text."""
    full = {p["url"] for p in posts}
    rows = [{**p, "has_full_text": True} for p in posts]
    for t in teasers:
        if t["url"] not in full:
            rows.append({**t, "text": t["excerpt"], "has_full_text": False})
    for row in rows:
        row["year"] = row["date"].year if row.get("date") else None
    return sorted(rows, key=lambda r: r["url"])


def _write(path: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    pq.write_table(pa.table(columns, schema=schema), path)


def _run_report(run_id: str, mode: str, posts: int, teasers: int) -> dict[str, Any]:
    started = dt.datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    full = mode == "full"
    return {
        "run_id": run_id,
        "mode": mode,
        "site": "https://cssamerica.com",
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "finished_at": (started + dt.timedelta(minutes=12)).isoformat().replace("+00:00", "Z"),
        "duration_s": 720.4 if full else 95.0,
        "exit_status": 0 if full else 1,
        "reason": None if full else "1 page failed",
        "requests": {"200": 690, "404": 2} if full else {"200": 12, "304": 670, "error": 1},
        "pages": {"fetched": 690, "not_modified": 0, "failed": 0}
        if full
        else {"fetched": 12, "not_modified": 670, "failed": 1},
        "retries": {"429": 3, "503": 1} if full else {"ReadTimeout": 2},
        "failures": [] if full else [{"url": "https://cssamerica.com/x/", "status": None}],
        "posts": {"new": posts if full else 0, "updated": 0, "unchanged": 0, "total": posts},
        "teasers": {"new": teasers if full else 0, "total": teasers},
        "drift": [] if full else [{"code": "drift.no_teasers", "url": "u", "detail": "d"}],
        "problems": {},
        "rejects": 2 if full else 1,
    }


def write_corpus(
    data_dir: Path,
    posts: list[dict[str, Any]] | None = None,
    teasers: list[dict[str, Any]] | None = None,
) -> Path:
    """Write every table under `data_dir/processed` and two run reports; return `data_dir`."""
    post_rows = [_post_row(p) for p in (expected_posts() if posts is None else posts)]
    teaser_rows = [_teaser_row(t) for t in (expected_teasers() if teasers is None else teasers)]
    processed = data_dir / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    _write(processed / "posts.parquet", sorted(post_rows, key=lambda r: r["url"]), POSTS)
    _write(processed / "teasers.parquet", sorted(teaser_rows, key=lambda r: r["url"]), TEASERS)
    _write(processed / "documents.parquet", _documents(post_rows, teaser_rows), DOCUMENTS)
    terms = [
        {"url": p["url"], "kind": kind, "term": term}
        for p in post_rows
        for kind, key in (("category", "categories"), ("tag", "tags"))
        for term in p[key]
    ]
    _write(processed / "post_terms.parquet", terms, TERMS)
    pages = [
        {
            "run_id": RUN_IDS[-1],
            "url": f"https://cssamerica.com/category/tips/page/{n}/",
            "term_kind": "category",
            "term": "tips",
            "page": n,
            "status": 200,
            "fetched_at": SEEN_AT,
            "teasers": 10,
            "posts": 10,
            "problems": ["date.impossible"] if n == 2 else [],
        }
        for n in (1, 2, 3)
    ]
    _write(processed / "pages.parquet", pages, PAGES)
    rejects = [
        {"run_id": RUN_IDS[0], "source_url": "https://cssamerica.com/a/", "record_kind": "post",
         "reason": "no_url", "excerpt": "<b>Untitled</b>", "seen_at": SEEN_AT},
        {"run_id": RUN_IDS[0], "source_url": "https://cssamerica.com/b/", "record_kind": "teaser",
         "reason": "no_url", "excerpt": "", "seen_at": SEEN_AT},
        {"run_id": RUN_IDS[1], "source_url": "https://cssamerica.com/c/", "record_kind": "post",
         "reason": "off_origin", "excerpt": "x", "seen_at": SEEN_AT},
    ]  # fmt: skip
    _write(processed / "rejects.parquet", rejects, REJECTS)
    runs = data_dir / "runs"
    runs.mkdir(exist_ok=True)
    for run_id, mode in zip(RUN_IDS, ("full", "incremental"), strict=True):
        report = _run_report(run_id, mode, len(post_rows), len(teaser_rows))
        (runs / f"{run_id}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return data_dir
