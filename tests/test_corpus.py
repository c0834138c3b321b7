import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.analysis import corpus
from tests.corpus_fixture import expected_posts, write_corpus


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "data")


def test_dates_are_dates_timestamps_utc_lists_are_lists(data_dir: Path) -> None:
    posts = corpus.posts(data_dir)
    assert posts.date.dtype == pd.ArrowDtype(pa.date32())
    assert all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in posts.date)
    assert str(posts.published_at.dt.tz) == "UTC"
    assert posts.published_at.dtype == "datetime64[us, UTC]"
    assert all(isinstance(v, list) for v in posts.categories)
    assert all(isinstance(v, list) for v in posts.tags)
    assert posts.wp_id.dtype == "Int64"
    assert posts.gone_at.isna().all() and str(posts.gone_at.dt.tz) == "UTC"
    by_url = {p["url"]: p for p in expected_posts()}
    row = posts.iloc[0]
    assert row.date == dt.date.fromisoformat(by_url[row.url]["date"])
    assert row.tags == by_url[row.url]["tags"]


def test_year_group_by_is_one_line(data_dir: Path) -> None:
    docs = corpus.documents(data_dir)
    per_year = docs.groupby(docs.date.dt.year).size()
    expected = pd.Series([p["date"][:4] for p in expected_posts()]).astype(int).value_counts()
    assert per_year.to_dict() == expected.to_dict()
    assert docs.year.dtype == "Int64"
    assert (docs.year == docs.date.dt.year).all()


def test_data_folder_from_environment(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no etl.toml here
    monkeypatch.setenv("ETL_DATA_DIR", str(data_dir))
    assert len(corpus.teasers()) == 10
    assert corpus.resolve_data_dir() == data_dir


def test_missing_corpus_names_folder_and_make_demo(tmp_path: Path) -> None:
    with pytest.raises(corpus.CorpusNotFoundError) as err:
        corpus.documents(tmp_path / "empty")
    message = str(err.value)
    assert str(tmp_path / "empty" / "processed") in message
    assert "make demo" in message
    with pytest.raises(ValueError, match="unknown table"):
        corpus.read_table("nope", tmp_path)


def test_terms_are_long_form(data_dir: Path) -> None:
    terms = corpus.terms(data_dir)
    assert list(terms.columns) == ["url", "kind", "term"]
    assert set(terms.kind) == {"category", "tag"}
    expected = sum(len(p["categories"]) + len(p["tags"]) for p in expected_posts())
    assert len(terms) == expected
    tags = terms[terms.kind == "tag"].term.value_counts()
    assert tags["service recovery"] == 6


def test_read_table_only_asked_columns_and_skips_absent(data_dir: Path) -> None:
    frame = corpus.read_table("posts", data_dir, columns=["url", "date", "no_such_column"])
    assert list(frame.columns) == ["url", "date"]
    assert frame.date.dtype == pd.ArrowDtype(pa.date32())


def test_naive_timestamps_are_read_as_utc() -> None:
    naive = pa.table({"seen_at": pa.array([dt.datetime(2024, 1, 2, 3, 4)], pa.timestamp("us"))})
    frame = corpus.to_pandas(naive)
    assert frame.seen_at[0] == pd.Timestamp("2024-01-02T03:04", tz="UTC")


def test_pages_and_rejects(data_dir: Path) -> None:
    pages = corpus.pages(data_dir)
    assert pages.problems.tolist() == [[], ["date.impossible"], []]
    assert str(pages.fetched_at.dt.tz) == "UTC"
    assert corpus.rejects(data_dir).reason.value_counts().to_dict() == {
        "no_url": 2,
        "off_origin": 1,
    }


def test_runs_flattened_oldest_first(data_dir: Path) -> None:
    runs = corpus.runs(data_dir)
    assert runs.run_id.tolist() == sorted(runs.run_id)
    assert runs["mode"].tolist() == ["full", "incremental"]
    assert str(runs.started_at.dt.tz) == "UTC"
    assert runs.pages_not_modified.tolist() == [0, 670]
    assert runs.retries.tolist() == [4, 2]
    assert runs.drift.tolist() == [0, 1]
    assert runs.report[1]["requests"]["304"] == 670


def test_runs_empty_without_reports(tmp_path: Path) -> None:
    runs = corpus.runs(tmp_path)
    assert runs.empty and "pages_fetched" in runs.columns


def test_duckdb_has_a_view_per_table(data_dir: Path) -> None:
    con = corpus.duckdb(data_dir)
    views = {
        row[0]
        for row in con.sql("select view_name from duckdb_views() where not internal").fetchall()
    }
    assert views == set(corpus.TABLES)
    posts = corpus.posts(data_dir)
    per_year = dict(con.sql("select year(date), count(*) from posts group by 1").fetchall())
    assert per_year == posts.groupby(posts.date.dt.year).size().to_dict()
    (tagged,) = con.execute("select count(*) from post_terms where kind = 'tag'").fetchall()[0]
    assert tagged == sum(len(p["tags"]) for p in expected_posts())


def test_duckdb_skips_absent_tables(data_dir: Path) -> None:
    # A corpus written before the rejects table existed: its run's set does not hold one.
    manifest_path = data_dir / "processed" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["tables"]["rejects"]
    manifest_path.write_text(json.dumps(manifest))
    (data_dir / "processed" / manifest["set"] / "rejects.parquet").unlink()
    (data_dir / "processed" / "rejects.parquet").unlink()
    con = corpus.duckdb(data_dir)
    views = {
        row[0]
        for row in con.sql("select view_name from duckdb_views() where not internal").fetchall()
    }
    assert "rejects" not in views and "posts" in views


def test_tables_written_with_declared_types_read_back(data_dir: Path) -> None:
    # Guard on the fixture itself: the API is tested against the loader's column types.
    schema = pq.read_schema(data_dir / "processed" / "posts.parquet")
    assert schema.field("date").type == pa.date32()
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
