import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.load import tables
from etl.load.hashing import CONTENT_HASH_VERSION
from etl.load.merge import merge
from etl.load.store import file_metadata, write_corpus
from etl.settings import Settings
from tests.expected_records import snapshot_observations

DICTIONARY = Path(__file__).parent.parent / "docs" / "data-dictionary.md"


def test_committed_data_dictionary_is_the_rendered_one() -> None:
    assert DICTIONARY.read_text(encoding="utf-8") == tables.render_data_dictionary()


def test_every_column_is_documented_once() -> None:
    for t in tables.TABLES:
        assert len(set(t.names)) == len(t.names), t.name
        assert all(c.doc.strip() for c in t.columns), t.name


@pytest.mark.parametrize(
    ("table", "column", "arrow_type"),
    [
        ("posts", "date", pa.date32()),
        ("posts", "published_at", pa.timestamp("us", tz="UTC")),
        ("posts", "first_seen_at", pa.timestamp("us", tz="UTC")),
        ("posts", "gone_at", pa.timestamp("us", tz="UTC")),
        ("posts", "categories", pa.list_(pa.string())),
        ("posts", "tags", pa.list_(pa.string())),
        ("posts", "wp_id", pa.int64()),
        ("posts", "word_count", pa.int64()),
        ("posts", "url", pa.string()),
        ("documents", "year", pa.int64()),
        ("documents", "has_full_text", pa.bool_()),
        ("pages", "problems", pa.list_(pa.string())),
        ("rejects", "seen_at", pa.timestamp("us", tz="UTC")),
    ],
)
def test_declared_types(table: str, column: str, arrow_type: pa.DataType) -> None:
    spec = next(t for t in tables.TABLES if t.name == table)
    assert tables.arrow_schema(spec).field(column).type == arrow_type


def test_files_read_back_with_exactly_the_declared_schema(tmp_path: Path) -> None:
    corpus = merge(None, snapshot_observations(), full=True, settings=Settings()).corpus
    at = dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC)
    write_corpus(corpus, tmp_path, run_id="run-7", site="https://cssamerica.com", generated_at=at)
    for spec in tables.TABLES:
        path = tmp_path / f"{spec.name}.parquet"
        schema = pq.read_schema(path)
        assert schema.remove_metadata().equals(tables.arrow_schema(spec)), spec.name
        assert file_metadata(path) == {
            "schema_version": tables.SCHEMA_VERSION,
            "content_hash_version": CONTENT_HASH_VERSION,
            "site": "https://cssamerica.com",
            "run_id": "run-7",
            "generated_at": "2025-02-01T12:00:00+00:00",
        }
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
