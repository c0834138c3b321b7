"""`etl export`: every format read back with csv, json and sqlite3, value for value against the
Parquet rows of the demo corpus."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from etl.analysis.export import SQLITE_NAME, export, timestamp
from etl.cli import main
from etl.load.tables import DOCUMENTED, Column, Table

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


def parquet_rows(data_dir: Path, table: Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(
        data_dir / "processed" / f"{table.name}.parquet"
    ).to_pylist()
    return rows


def expected(column: Column, value: Any, *, empty_is_null: bool = False) -> Any:
    """What a reader should get back: the Parquet value, '' read as null where a CSV can't
    tell the two apart."""
    if empty_is_null and value == "" and column.nullable:
        return None
    return value


def parse(column: Column, value: Any) -> Any:
    """A text or JSON value back to the Parquet value's Python type."""
    if value is None:
        return None
    if column.type == "date":
        return dt.date.fromisoformat(value)
    if column.type == "timestamp":
        assert ISO_UTC.match(value), value
        return dt.datetime.fromisoformat(value)
    if column.type == "list" and isinstance(value, str):
        return json.loads(value)
    if column.type == "bool" and isinstance(value, int):
        assert value in (0, 1)
        return bool(value)
    return value


def parse_csv(column: Column, text: str) -> Any:
    if text == "" and column.nullable:
        return None
    if column.type == "int":
        return int(text)
    if column.type == "bool":
        return {"true": True, "false": False}[text]
    return parse(column, text)


def test_timestamps_are_iso_8601_utc_with_a_z() -> None:
    assert timestamp(dt.datetime(2025, 1, 21, 11, 45, tzinfo=dt.UTC)) == "2025-01-21T11:45:00Z"
    eastern = dt.timezone(dt.timedelta(hours=-5))
    moment = dt.datetime(2025, 1, 21, 6, 45, 0, 120, tzinfo=eastern)
    assert timestamp(moment) == "2025-01-21T11:45:00.000120Z"


def test_csv_reads_back_value_for_value(demo_corpus: Path, tmp_path: Path) -> None:
    written = export(demo_corpus / "processed", tmp_path, "csv", ["all"])
    assert [p.name for p, _ in written] == [f"{t.name}.csv" for t in DOCUMENTED]
    for table in DOCUMENTED:
        path = tmp_path / f"{table.name}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf" + table.names[0].encode())  # BOM
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header, *lines = list(csv.reader(stream))
        assert header == table.names
        rows = parquet_rows(demo_corpus, table)
        assert len(lines) == len(rows) == dict((p.name, n) for p, n in written)[path.name]
        for line, row in zip(lines, rows, strict=True):
            for column, text in zip(table.columns, line, strict=True):
                want = expected(column, row[column.name], empty_is_null=True)
                assert parse_csv(column, text) == want, (table.name, column.name)
    documents = (tmp_path / "documents.csv").read_text(encoding="utf-8-sig")
    assert '"[""Customer Service Tip of the Week""]"' in documents  # a list, as a JSON string


def test_json_lines_keep_native_types(demo_corpus: Path, tmp_path: Path) -> None:
    export(demo_corpus / "processed", tmp_path, "jsonl", ["all"])
    for table in DOCUMENTED:
        lines = (tmp_path / f"{table.name}.jsonl").read_text(encoding="utf-8").splitlines()
        rows = parquet_rows(demo_corpus, table)
        assert len(lines) == len(rows)
        for line, row in zip(lines, rows, strict=True):
            record = json.loads(line)
            assert list(record) == table.names
            for column in table.columns:
                value = record[column.name]
                if column.type == "list":
                    assert isinstance(value, list)
                if column.type in ("int", "bool") and value is not None:
                    assert type(value) is (int if column.type == "int" else bool)
                assert parse(column, value) == row[column.name], (table.name, column.name)
    first = json.loads((tmp_path / "documents.jsonl").read_text().splitlines()[0])
    assert first["gone_at"] is None and first["has_full_text"] is True


def test_sqlite_holds_every_table_typed_and_documented(demo_corpus: Path, tmp_path: Path) -> None:
    [(path, total)] = export(demo_corpus / "processed", tmp_path, "sqlite")
    assert path == tmp_path / SQLITE_NAME and not list(tmp_path.glob(".*"))
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == {t.name for t in DOCUMENTED} | {"_tables", "_columns"}
    assert total == sum(len(parquet_rows(demo_corpus, t)) for t in DOCUMENTED)
    sqlite_types = {"string": "TEXT", "date": "TEXT", "timestamp": "TEXT", "list": "TEXT"}
    for table in DOCUMENTED:
        info = con.execute(f"PRAGMA table_info({table.name})").fetchall()
        assert [(r[1], r[2], bool(r[3])) for r in info] == [
            (c.name, sqlite_types.get(c.type, "INTEGER"), not c.nullable) for c in table.columns
        ]
        schema = con.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (table.name,)
        ).fetchone()[0]
        assert all(" ".join(c.doc.split()) in schema for c in table.columns)  # for `.schema`
        rows = parquet_rows(demo_corpus, table)
        stored = con.execute(f"SELECT * FROM {table.name} ORDER BY rowid").fetchall()
        assert len(stored) == len(rows)
        for values, row in zip(stored, rows, strict=True):
            for column, value in zip(table.columns, values, strict=True):
                assert parse(column, value) == row[column.name], (table.name, column.name)
        documented = con.execute(
            "SELECT column_name, type, nullable, description FROM _columns "
            "WHERE table_name = ? ORDER BY position",
            (table.name,),
        ).fetchall()
        assert documented == [(c.name, c.type, int(c.nullable), c.doc) for c in table.columns]
        assert con.execute(
            "SELECT description, rows FROM _tables WHERE table_name = ?", (table.name,)
        ).fetchone() == (table.doc, len(rows))
    # SQLite's own date functions read the ISO text.
    year = con.execute("SELECT strftime('%Y', published_at) FROM documents LIMIT 1").fetchone()
    assert year[0] is not None and year[0].isdigit()
    con.close()


def test_cli_defaults_repeatable_tables_and_atomic_replacement(
    demo_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_corpus / "processed", data / "processed")
    assert main(["export", "--data-dir", str(data)]) == 0
    assert sorted(p.name for p in (data / "export").iterdir()) == ["documents.csv"]
    assert "documents.csv  (65 rows)" in capsys.readouterr().out
    out = tmp_path / "out"
    args = ["export", "--data-dir", str(data), "--format", "jsonl", "--out", str(out)]
    assert main([*args, "--table", "posts", "--table", "post_terms"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["post_terms.jsonl", "posts.jsonl"]
    (out / "posts.jsonl").write_text("stale\n")
    assert main([*args, "--table", "posts"]) == 0
    assert not (out / "posts.jsonl").read_text().startswith("stale")
    assert not list(out.glob(".*"))  # no temporary file left behind
    assert main([*args[:-4], "--format", "sqlite", "--table", "posts"]) == 2
    assert "--table is for csv and jsonl" in capsys.readouterr().err


def test_missing_corpus_or_unknown_table_names_the_problem(
    tmp_path: Path, demo_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--data-dir", str(tmp_path / "none"), "--format", "sqlite"]) == 1
    assert "no documents table in" in capsys.readouterr().err
    assert not (tmp_path / "none" / "export").exists()
    assert main(["export", "--data-dir", str(demo_corpus), "--table", "postz"]) == 1
    assert "unknown table 'postz'" in capsys.readouterr().err
