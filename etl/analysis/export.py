"""`etl export`: the Parquet tables for spreadsheets, R and SQLite users.

- **CSV** (`<table>.csv`): UTF-8 with a byte-order mark, so Excel reads the curly quotes and
  dashes right; a header row; lists (categories, tags, problems) as JSON arrays in one cell;
  timestamps ISO 8601 UTC (`2025-01-21T11:45:00Z`, microseconds when there are any), dates
  ISO (`2025-01-21`), booleans `true`/`false`, nulls as empty cells.
- **JSON lines** (`<table>.jsonl`): one object per row in column order, native JSON types
  (lists as arrays, null as null, booleans and integers as such); dates and timestamps as the
  same ISO strings.
- **SQLite** (`corpus.sqlite`): every table with its column types (INTEGER, TEXT; booleans
  0/1, lists as JSON text, dates and timestamps as ISO text, which SQLite's date functions
  read), NOT NULL where the data dictionary says so, and the dictionary itself twice: as
  comments in each `CREATE TABLE` (so `.schema documents` explains every column) and as the
  tables `_tables` and `_columns` (to query it).

Every file is written to a temporary name in the output folder, fsynced and renamed into
place, so a reader never sees half a file. Tables are read in record batches, not whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from etl.files import atomic, fsync_dir, temp_path
from etl.load import tables
from etl.load.store import file_metadata

FORMATS = ("csv", "jsonl", "sqlite")
SQLITE_NAME = "corpus.sqlite"
DEFAULT_TABLES = ("documents",)
BATCH_ROWS = 1000
SQLITE_TYPES = {
    "string": "TEXT",
    "int": "INTEGER",
    "bool": "INTEGER",
    "date": "TEXT",
    "timestamp": "TEXT",
    "list": "TEXT",
}
_TABLES = {t.name: t for t in tables.DOCUMENTED}


def timestamp(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a `Z`; microseconds only when there are any."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if utc.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def _json_value(kind: str, value: Any) -> Any:
    """A Parquet value as JSON: lists stay lists; dates and timestamps become ISO text."""
    if value is None:
        return None
    if kind == "timestamp":
        return timestamp(value)
    if kind == "date":
        return value.isoformat()
    return value


def _csv_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "list":
        return json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return "true" if value else "false"
    return str(_json_value(kind, value))


def _sqlite_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "list":
        return json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return int(value)
    return _json_value(kind, value)


def resolve_tables(names: Sequence[str], processed_dir: Path) -> list[tables.Table]:
    """The tables asked for (`all`: every table present), each checked to exist."""
    folder = Path(processed_dir)
    if "all" in names:
        found = [t for t in tables.DOCUMENTED if (folder / f"{t.name}.parquet").exists()]
        names = [t.name for t in found] or list(DEFAULT_TABLES)  # none: say what is missing
    chosen = []
    for name in dict.fromkeys(names):  # each once, in the order given
        if name not in _TABLES:
            known = ", ".join(_TABLES)
            raise ValueError(f"unknown table {name!r}; the tables are {known} (or all)")
        if not (folder / f"{name}.parquet").exists():
            raise FileNotFoundError(
                f"no {name} table in {folder}: build the corpus first (`make demo` offline, "
                "`make corpus` for the live site) or pass --data-dir"
            )
        chosen.append(_TABLES[name])
    return chosen


def rows(spec: tables.Table, processed_dir: Path) -> Iterator[dict[str, Any]]:
    """The rows of one table as Python values of its declared types, batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(processed_dir) / f"{spec.name}.parquet"
    schema = tables.arrow_schema(spec)
    parquet = pq.ParquetFile(path)
    missing = [n for n in spec.names if n not in parquet.schema_arrow.names]
    if missing:
        raise ValueError(f"{path} lacks column(s) {', '.join(missing)}: rebuild it with etl load")
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=spec.names):
        yield from pa.Table.from_batches([batch]).cast(schema).to_pylist()


def write_csv(spec: tables.Table, processed_dir: Path, out_dir: Path) -> tuple[Path, int]:
    path, count = out_dir / f"{spec.name}.csv", 0
    kinds = [c.type for c in spec.columns]
    # utf-8-sig writes the BOM Excel needs; newline="" lets csv end rows with CRLF (RFC 4180).
    with atomic(path, encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(spec.names)
        for row in rows(spec, processed_dir):
            writer.writerow(_csv_value(k, v) for k, v in zip(kinds, row.values(), strict=True))
            count += 1
    return path, count


def write_jsonl(spec: tables.Table, processed_dir: Path, out_dir: Path) -> tuple[Path, int]:
    path, count = out_dir / f"{spec.name}.jsonl", 0
    kinds = {c.name: c.type for c in spec.columns}
    with atomic(path, encoding="utf-8", newline="\n") as stream:
        for row in rows(spec, processed_dir):
            line = {k: _json_value(kinds[k], v) for k, v in row.items()}
            stream.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return path, count


def create_table_sql(spec: tables.Table) -> str:
    """`CREATE TABLE` with the dictionary as comments: SQLite keeps them for `.schema`."""
    lines = [f"CREATE TABLE {spec.name} ( -- {_line(spec.doc)} Rows sorted by {spec.order}."]
    for i, c in enumerate(spec.columns):
        sql = f"  {c.name} {SQLITE_TYPES[c.type]}"
        sql += "" if c.nullable else " NOT NULL"
        sql += f" CHECK ({c.name} IN (0, 1))" if c.type == "bool" else ""
        sql += "," if i < len(spec.columns) - 1 else ""
        lines.append(f"{sql} -- {c.type}: {_line(c.doc)}")
    return "\n".join([*lines, ")"])


def _line(text: str) -> str:
    return " ".join(text.split())  # a `--` comment ends at the line's end


_DICTIONARY = """
CREATE TABLE _tables ( -- The data dictionary: one row per table (etl/load/tables.py).
  table_name TEXT NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  row_order TEXT NOT NULL, -- how the rows are sorted (also the rowid order here)
  rows INTEGER NOT NULL,
  run_id TEXT, -- the run that wrote the Parquet file
  generated_at TEXT -- when that run wrote it, ISO 8601 UTC
);
CREATE TABLE _columns ( -- The data dictionary: one row per column, in table order.
  table_name TEXT NOT NULL REFERENCES _tables (table_name),
  column_name TEXT NOT NULL,
  position INTEGER NOT NULL, -- 1 for the first column
  type TEXT NOT NULL, -- the dictionary's type: string, int, bool, date, timestamp, list
  sqlite_type TEXT NOT NULL, -- INTEGER or TEXT (bool as 0/1, date/timestamp ISO, list JSON)
  parquet_type TEXT NOT NULL,
  nullable INTEGER NOT NULL CHECK (nullable IN (0, 1)),
  description TEXT NOT NULL
);
"""


def write_sqlite(processed_dir: Path, out_dir: Path) -> tuple[Path, int]:
    """Every table present into one SQLite file, with the data dictionary."""
    path, total = out_dir / SQLITE_NAME, 0
    specs = resolve_tables(["all"], processed_dir)
    tmp = temp_path(out_dir, SQLITE_NAME)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode = OFF")  # a fresh file renamed into place
            con.executescript(_DICTIONARY)
            for spec in specs:
                total += _sqlite_table(con, spec, processed_dir)
            con.commit()
        finally:
            con.close()
        with open(tmp, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(tmp, path)
        fsync_dir(out_dir)
    finally:
        tmp.unlink(missing_ok=True)
    return path, total


def _sqlite_table(con: sqlite3.Connection, spec: tables.Table, processed_dir: Path) -> int:
    con.execute(create_table_sql(spec))
    kinds = [c.type for c in spec.columns]
    insert = f"INSERT INTO {spec.name} VALUES ({', '.join('?' * len(kinds))})"
    before = con.total_changes
    con.executemany(
        insert,
        ([_sqlite_value(k, v) for k, v in zip(kinds, row.values(), strict=True)]
         for row in rows(spec, processed_dir)),
    )  # fmt: skip
    count = con.total_changes - before
    meta = file_metadata(Path(processed_dir) / f"{spec.name}.parquet")
    con.execute(
        "INSERT INTO _tables VALUES (?, ?, ?, ?, ?, ?)",
        (spec.name, spec.doc, spec.order, count, meta.get("run_id"), meta.get("generated_at")),
    )
    schema = tables.arrow_schema(spec)
    con.executemany(
        "INSERT INTO _columns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (spec.name, c.name, i, c.type, SQLITE_TYPES[c.type], str(schema.field(c.name).type),
             int(c.nullable), c.doc)
            for i, c in enumerate(spec.columns, start=1)
        ],
    )  # fmt: skip
    return count


Writer = Callable[[tables.Table, Path, Path], tuple[Path, int]]
_WRITERS: dict[str, Writer] = {"csv": write_csv, "jsonl": write_jsonl}


def export(
    processed_dir: Path, out_dir: Path, fmt: str, names: Sequence[str] = DEFAULT_TABLES
) -> list[tuple[Path, int]]:
    """Write the tables in `fmt` into `out_dir`; (path, rows) of each file written.

    `names` (csv and jsonl): table names or `all`; SQLite always holds every table.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    if fmt == "sqlite":
        resolve_tables(DEFAULT_TABLES, processed_dir)  # no corpus: say so before creating out/
        out.mkdir(parents=True, exist_ok=True)
        return [write_sqlite(processed_dir, out)]
    specs = resolve_tables(names, processed_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [_WRITERS[fmt](spec, processed_dir, out) for spec in specs]
