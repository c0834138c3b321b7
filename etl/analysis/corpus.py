"""The corpus for notebooks: each table as a typed pandas DataFrame, or all of them in DuckDB.

    >>> from etl import corpus
    >>> docs = corpus.documents()                   # data folder from settings, else `data`
    >>> docs.groupby(docs.date.dt.year).size()      # posts per year

Dtypes are chosen so the obvious code works:
- `date` columns are `date32[pyarrow]`: each value is a `datetime.date` (dates as dates, no
  invented midnight), missing is `pd.NA`, and `.dt.year` / `.dt.day_of_week` work;
- `_at` columns are tz-aware `datetime64[us, UTC]`;
- list columns (`categories`, `tags`, `problems`) hold plain Python lists;
- integer columns that may be missing (`wp_id`, `word_count`, `year`) are nullable `Int64`.

The data folder comes from the argument, else the `ETL_DATA_DIR` variable, else `etl.toml`,
else `data` (the same rule as the command line); its tables live in `processed/` and the run
reports in `runs/`. Tables are read from the run `processed/manifest.json` names, so reading
while a run publishes gives the previous run's tables or the new run's, never some of each
(`read_tables` reads several from one run).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import duckdb as duckdb_module
    import pandas as pd
    import pyarrow as pa

TABLES = ("posts", "teasers", "documents", "post_terms", "pages", "rejects")


class CorpusNotFoundError(FileNotFoundError):
    """A table the caller asked for is not in the data folder (yet)."""


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """The data folder: the argument, else settings (`ETL_DATA_DIR`, `etl.toml`, `data`)."""
    if data_dir is not None:
        return Path(data_dir)
    from etl.settings import load_settings

    return load_settings().data_dir


def _processed(data_dir: str | Path | None) -> Path:
    return resolve_data_dir(data_dir) / "processed"


def _missing(name: str, folder: Path) -> CorpusNotFoundError:
    return CorpusNotFoundError(
        f"no {name} table in {folder} ({name}.parquet is missing): build the corpus first, "
        "with `make demo` (offline, from the bundled snapshot) or `make corpus` (live site), "
        "or pass data_dir= / set ETL_DATA_DIR to the folder that holds processed/"
    )


def table_path(name: str, data_dir: str | Path | None = None) -> Path:
    """Where table `name` of the published run is (the file `manifest.json` names), raising a
    message that names the folder when it is missing."""
    from etl.load.store import published

    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; the tables are {', '.join(TABLES)}")
    folder = _processed(data_dir)
    current = published(folder)
    if current is None or not current.has(name):
        raise _missing(name, folder)
    return current.path(name)


def read_table(
    name: str, data_dir: str | Path | None = None, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Table `name` as a typed DataFrame; `columns` limits the read (absent ones are skipped)."""
    frame = read_tables([name], data_dir, columns)[name]
    assert frame is not None
    return frame


def read_tables(
    names: Sequence[str],
    data_dir: str | Path | None = None,
    columns: Sequence[str] | None = None,
    *,
    optional: Sequence[str] = (),
) -> dict[str, pd.DataFrame | None]:
    """Several tables, all of the same published run, even while a run publishes (each a
    typed DataFrame; an `optional` table the run did not write is None)."""
    from etl.load.store import TableSet, read_set

    for name in names:
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; the tables are {', '.join(TABLES)}")
    folder = _processed(data_dir)

    def read(current: TableSet) -> dict[str, pd.DataFrame | None]:
        found: dict[str, pd.DataFrame | None] = {}
        with current.opened(names) as files:
            for name in names:
                if name not in files:
                    if name not in optional:
                        raise _missing(name, folder)
                    found[name] = None
                    continue
                found[name] = _read(files[name], columns)
        return found

    tables: dict[str, pd.DataFrame | None] | None = read_set(folder, read)
    if tables is None:
        raise _missing(names[0], folder)
    return tables


def _read(f: BinaryIO, columns: Sequence[str] | None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if columns is not None:
        present = set(pq.read_schema(f).names)
        columns = [c for c in columns if c in present]
    return to_pandas(pq.read_table(f, columns=columns))


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow -> pandas with the dtypes documented above (dates, UTC timestamps, lists)."""
    import pandas as pd
    import pyarrow as pa

    def mapper(kind: pa.DataType) -> Any:
        if pa.types.is_date(kind):
            return pd.ArrowDtype(pa.date32())
        if pa.types.is_integer(kind):
            return pd.Int64Dtype()
        return None

    frame: pd.DataFrame = table.to_pandas(types_mapper=mapper)
    for field in table.schema:
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            # pyarrow hands back numpy arrays; analysts expect lists (`"x" in row.tags`).
            frame[field.name] = pd.Series(
                table.column(field.name).to_pylist(), index=frame.index, dtype=object
            )
        elif pa.types.is_timestamp(field.type):
            column = pd.to_datetime(frame[field.name])
            # A naive timestamp in this corpus is UTC by convention (`_at` columns).
            frame[field.name] = (
                column.dt.tz_localize("UTC")
                if column.dt.tz is None
                else column.dt.tz_convert("UTC")
            )
    return frame


def posts(data_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per post seen in full: text, html, dates, categories, tags, provenance."""
    return read_table("posts", data_dir)


def teasers(data_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per post seen in a latest-tips block: title, date, 55-word excerpt."""
    return read_table("teasers", data_dir)


def documents(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The one-stop table: one row per distinct post, full text where known else the excerpt."""
    return read_table("documents", data_dir)


def terms(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Categories and tags in long form (`url`, `kind` = category|tag, `term`) for group-bys."""
    return read_table("post_terms", data_dir)


def pages(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The crawl log: one row per fetched archive page and run."""
    return read_table("pages", data_dir)


def rejects(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Records the loader refused, with the reason and an excerpt."""
    return read_table("rejects", data_dir)


RUN_COLUMNS = (
    "run_id",
    "mode",
    "exit_status",
    "reason",
    "started_at",
    "finished_at",
    "duration_s",
    "pages_fetched",
    "pages_not_modified",
    "pages_failed",
    "retries",
    "drift",
    "rejects",
    "posts_total",
    "posts_new",
    "teasers_total",
    "recall",
    "report",
)
COUNT_COLUMNS = (
    "exit_status",
    *RUN_COLUMNS[RUN_COLUMNS.index("pages_fetched") : RUN_COLUMNS.index("recall")],
)


def run_reports(data_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """The run reports (`runs/*.json`), oldest first: run ids sort by time."""
    folder = resolve_data_dir(data_dir) / "runs"
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def run_row(report: dict[str, Any]) -> dict[str, Any]:
    """One run report flattened to the columns an analyst plots; the whole report is kept too."""

    def part(key: str) -> dict[str, Any]:
        value = report.get(key)
        return value if isinstance(value, dict) else {}

    retries, drift = part("retries"), report.get("drift")
    return {
        "run_id": report.get("run_id"),
        "mode": report.get("mode"),
        "exit_status": report.get("exit_status"),
        "reason": report.get("reason"),
        "started_at": report.get("started_at"),
        "finished_at": report.get("finished_at"),
        "duration_s": report.get("duration_s"),
        "pages_fetched": part("pages").get("fetched"),
        "pages_not_modified": part("pages").get("not_modified"),
        "pages_failed": part("pages").get("failed"),
        "retries": sum(int(v) for v in retries.values()),
        "drift": len(drift) if isinstance(drift, list) else 0,
        "rejects": report.get("rejects"),
        "posts_total": part("posts").get("total"),
        "posts_new": part("posts").get("new"),
        "teasers_total": part("teasers").get("total"),
        "recall": part("audit").get("recall"),  # None: no audit (or no sitemap) that run
        "report": report,
    }


def runs(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The run reports as a DataFrame, oldest first (empty when no run has been recorded)."""
    import pandas as pd

    frame = pd.DataFrame([run_row(r) for r in run_reports(data_dir)], columns=list(RUN_COLUMNS))
    for name in ("started_at", "finished_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    for name in COUNT_COLUMNS:
        frame[name] = frame[name].astype("Int64")
    frame["duration_s"] = frame["duration_s"].astype("float64")
    frame["recall"] = frame["recall"].astype("float64")
    return frame


def duckdb(data_dir: str | Path | None = None) -> duckdb_module.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table (`posts`, `documents`, ...).

    Views read the Parquet files of the run published when the connection was made, without
    copying them. Needs the `analysis` extra (`pip install -e '.[analysis]'`).
    """
    try:
        import duckdb as duckdb_module
    except ImportError:
        raise ImportError(
            "corpus.duckdb() needs DuckDB: pip install -e '.[analysis]' (or pip install duckdb)"
        ) from None

    from etl.load.store import published

    # Raises with the helpful message when even the main table is absent.
    table_path("documents", data_dir)
    # Every view on the same run's files: the set the manifest names now (kept until the
    # second run after this one publishes).
    current = published(_processed(data_dir))
    assert current is not None
    con = duckdb_module.connect()
    for name in TABLES:
        if not current.has(name):
            continue  # an older corpus may lack a table; the others are still useful
        quoted = str(current.path(name).resolve()).replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{quoted}')")
    return con
