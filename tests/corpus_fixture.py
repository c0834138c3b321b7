"""A small corpus on disk for the analysis tests: the expected snapshot-2 records as Parquet.

The tables are built from `expected/snapshot-2/{posts,teasers}.json` with the loader's own
schemas (etl/load/tables.py), its derived tables (etl/load/derive.py) and its writer
(etl/load/store.py), plus two run reports, so the report, the API and the notebook are tested
on the tables the loader writes, without running the crawler.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from etl.load import derive, tables
from etl.load.merge import content_hash
from etl.load.store import Corpus
from etl.load.store import write_corpus as write_tables
from tests.expected_records import post_from_json

EXPECTED = Path(__file__).parent / "fixtures" / "site" / "expected" / "snapshot-2"
SEEN_AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
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
    record = post_from_json(post)
    return {
        **post,
        "date": _date(post["date"]),
        "published_at": _ts(post["published_at"]),
        "html": record.html,
        "word_count": derive.word_count(post["text"]),
        "content_hash": content_hash(record),
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


def _table(spec: tables.Table, rows: list[dict[str, Any]]) -> Any:
    return derive.from_rows(spec, [{name: r.get(name) for name in spec.names} for r in rows])


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
    posts_table = _table(tables.POSTS, sorted(post_rows, key=lambda r: r["url"]))
    teasers_table = _table(tables.TEASERS, sorted(teaser_rows, key=lambda r: r["url"]))
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
    rejects = [
        {"run_id": RUN_IDS[0], "source_url": "https://cssamerica.com/a/", "record_kind": "post",
         "reason": "no_url", "detail": "an article without a URL", "drift": True,
         "excerpt": "<b>Untitled</b>", "seen_at": SEEN_AT},
        {"run_id": RUN_IDS[0], "source_url": "https://cssamerica.com/b/", "record_kind": "teaser",
         "reason": "no_url", "detail": "a teaser without a URL", "drift": True, "excerpt": "",
         "seen_at": SEEN_AT},
        {"run_id": RUN_IDS[1], "source_url": "https://cssamerica.com/c/", "record_kind": "post",
         "reason": "off_origin", "detail": "a link off the origin", "drift": False,
         "excerpt": "x", "seen_at": SEEN_AT},
    ]  # fmt: skip
    corpus = Corpus(
        posts=posts_table,
        teasers=teasers_table,
        documents=derive.documents(posts_table, teasers_table),
        post_terms=derive.post_terms(posts_table),
        pages=_table(tables.PAGES, pages),
        rejects=_table(tables.REJECTS, rejects),
        boilerplate=_table(tables.BOILERPLATE, []),
    )
    site = "https://cssamerica.com"
    write_tables(
        corpus, data_dir / "processed", run_id=RUN_IDS[-1], site=site, generated_at=SEEN_AT
    )
    runs = data_dir / "runs"
    runs.mkdir(exist_ok=True)
    for run_id, mode in zip(RUN_IDS, ("full", "incremental"), strict=True):
        report = _run_report(run_id, mode, len(post_rows), len(teaser_rows))
        (runs / f"{run_id}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return data_dir
