"""The audit table: the corpus compared with the site's sitemaps, one row per post URL.

Written beside the corpus after every `etl corpus` run and by `etl audit`; not part of the
merged set (`manifest.json` does not name it). The comparison comes from `etl.crawl.audit`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.load import tables
from etl.load.store import write_table
from etl.runlog import add_audit

if TYPE_CHECKING:
    from etl.crawl.audit import Audit, Checked, HealResult
    from etl.runlog import RunReport
    from etl.settings import Settings


def corpus_times(processed_dir: Path) -> dict[str, dt.datetime | None]:
    """The corpus's posts as the audit compares them: URL -> last_seen_at (empty: no corpus)."""
    import pyarrow.parquet as pq

    path = Path(processed_dir) / "posts.parquet"
    if not path.exists():
        return {}
    table = pq.read_table(path, columns=["url", "last_seen_at"])
    return dict(zip(table["url"].to_pylist(), table["last_seen_at"].to_pylist(), strict=True))


def audit_rows(audit: Audit, heal: HealResult | None = None) -> list[dict[str, Any]]:
    """One row per URL of the sitemaps or the corpus, sorted: the `audit` table."""
    r, lastmod = audit.result, audit.sitemap.posts
    healed = {h.url: h.fetch.fetched_at for h in heal.healed} if heal else {}
    status = {
        **dict.fromkeys(r.extra, "extra"),
        **dict.fromkeys(r.stale, "stale"),
        **dict.fromkeys(r.missing, "missing"),
        **dict.fromkeys(healed, "healed"),
    }
    urls = sorted(lastmod.keys() | audit.corpus.keys())
    return [
        {
            "url": url,
            "status": status.get(url, "ok"),
            "lastmod": lastmod.get(url),
            "seen_at": healed.get(url) or audit.corpus.get(url),
        }
        for url in urls
    ]


def write_audit(
    audit: Audit, processed_dir: Path, *, site: str, run_id: str, heal: HealResult | None = None
) -> Path:
    """`processed/audit.parquet`, written atomically by the store's writer."""
    import pyarrow as pa

    schema = tables.arrow_schema(tables.AUDIT)
    table = pa.Table.from_pylist(audit_rows(audit, heal), schema=schema)
    now = dt.datetime.now(dt.UTC)
    return write_table(
        tables.AUDIT,
        table,
        processed_dir,
        run_id=run_id,
        site=site,
        generated_at=now,
    )


def write_checked(
    checked: Checked | None, settings: Settings, run_id: str, report: RunReport, posts: Any
) -> None:
    """A run's audit (None: it made none): its table, and its recall in `report` as the
    published `posts` stand."""
    if checked is None:
        return
    found, healed = checked.found, checked.healed
    write_audit(found, settings.processed_dir, site=settings.site, run_id=run_id, heal=healed)
    urls = posts.column("url").to_pylist()
    add_audit(report, found, healed, checked.requests, urls, settings.min_recall)
