import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from etl.analysis import corpus
from etl.analysis.report import render, write_report
from etl.analysis.summary import format_glance, format_rows, summarize
from etl.cli import main
from tests.corpus_fixture import expected_posts, expected_teasers, write_corpus

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
HOSTILE = '<script>alert("x")</script> & <img src="http://evil.example/x.png">'


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot-2 records with the quirks the report must catch, one of each."""
    posts = expected_posts()
    by_url = {p["url"]: p for p in posts}
    undated = by_url["https://cssamerica.com/a-letter-of-apology-11-25-14-customer-service-tip/"]
    undated.update(date=None, date_source=None, title=HOSTILE)
    off_day = posts[1]  # a heading date moved from Tuesday to Wednesday
    assert off_day["date_source"] == "heading"
    off_day["date"] = str(dt.date.fromisoformat(off_day["date"]) + dt.timedelta(days=1))
    late = posts[3]  # published a week after its heading date
    late["published_at"] = late["published_at"].replace(late["published_at"][:10], "2022-02-15")
    teasers = [
        *expected_teasers(),
        {**expected_teasers()[0], "url": "https://cssamerica.com/only/"},
    ]
    return write_corpus(tmp_path_factory.mktemp("quirky") / "data", posts, teasers)


@pytest.fixture(scope="module")
def page(data_dir: Path) -> HTMLParser:
    return HTMLParser(write_report(data_dir, now=NOW).read_text(encoding="utf-8"))


def _table(page: HTMLParser, table_id: str) -> list[list[str]]:
    rows = page.css(f"table#{table_id} tbody tr")
    return [[td.text(strip=True) for td in row.css("td")] for row in rows]


def _count(page: HTMLParser, node_id: str) -> int:
    node = page.css_first(f"#{node_id}")
    assert node is not None, node_id
    return int(node.text(strip=True))


def test_report_is_written_beside_the_tables(data_dir: Path) -> None:
    path = write_report(data_dir, now=NOW)
    assert path == data_dir / "processed" / "report.html"
    assert not list(path.parent.glob(".*.tmp"))


def test_posts_per_year_equal_a_group_by(page: HTMLParser, data_dir: Path) -> None:
    posts = corpus.posts(data_dir)
    counts = posts.groupby(posts.date.dt.year).size()
    every_year = range(int(counts.index.min()), int(counts.index.max()) + 1)
    expected = counts.reindex(every_year, fill_value=0)
    assert [(int(y), int(n)) for y, n in _table(page, "posts-per-year")] == list(expected.items())
    assert page.css_first("svg#chart-years") is not None


def test_posts_per_year_shows_empty_years_as_zero(page: HTMLParser) -> None:
    # No post in 2015, 2021 or 2023 (and the fixture's only 2014 post is made undated).
    rows = {int(y): int(n) for y, n in _table(page, "posts-per-year")}
    assert rows[2013] == 1 and rows[2014] == rows[2015] == 0 and rows[2016] == 1
    assert rows[2021] == rows[2023] == 0
    assert list(rows) == list(range(2012, 2026))
    chart = page.css_first("svg#chart-years")
    assert chart is not None
    labels = {t.text(strip=True) for t in chart.css("text")}
    assert {str(year) for year in range(2012, 2026)} <= labels


def test_posts_per_year_of_an_empty_or_single_year_corpus() -> None:
    empty = pd.DataFrame({"url": [], "date": []})
    assert summarize(empty, empty).posts_per_year == ()
    one = pd.DataFrame({"url": ["a", "b"], "date": [dt.date(2019, 1, 1), dt.date(2019, 6, 4)]})
    assert summarize(one, empty).posts_per_year == ((2019, 2),)


def test_glance_numbers(page: HTMLParser, data_dir: Path) -> None:
    posts, teasers = corpus.posts(data_dir), corpus.teasers(data_dir)
    glance = dict(_table(page, "glance"))
    assert glance["posts"] == str(len(posts)) == "65"
    assert glance["teasers"] == str(len(teasers))
    assert glance["distinct URLs"] == str(len(set(posts.url) | set(teasers.url))) == "66"
    dates = pd.concat([posts.date, teasers.date]).dropna()
    assert glance["date range"] == f"{min(dates)} .. {max(dates)}"
    assert glance["last run"].startswith("20261123T090000Z-d4e5f6 (incremental, exit 1")


def test_date_quality(page: HTMLParser, data_dir: Path) -> None:
    posts = corpus.posts(data_dir)
    assert _count(page, "undated-count") == int(posts.date.isna().sum()) == 1
    heading = posts[(posts.date_source == "heading") & posts.date.notna()]
    off_day = heading[heading.date.dt.day_of_week != 1]
    assert _count(page, "not-tuesday-count") == len(off_day) == 1
    assert [row[0] for row in _table(page, "not-tuesday")] == off_day.title.tolist()
    published_on = heading.published_at.dt.date.astype("date32[pyarrow]")
    gap = (published_on - heading.date).abs()
    assert _count(page, "conflicts-count") == int((gap > pd.Timedelta(days=2)).sum()) == 1
    sources = posts.date_source.fillna("(none)").value_counts().to_dict()
    assert {k: int(v) for k, v in _table(page, "date-sources")} == sources


def test_terms_words_and_excerpts(page: HTMLParser, data_dir: Path) -> None:
    terms = corpus.terms(data_dir)
    categories = terms[terms.kind == "category"].term.value_counts().to_dict()
    assert {k: int(v) for k, v in _table(page, "posts-per-category")} == categories
    assert _table(page, "top-tags")[0] == ["service recovery", "6"]
    stats = dict(_table(page, "word-stats"))
    posts = corpus.posts(data_dir)
    assert int(stats["max"]) == posts.word_count.max()
    assert int(stats["min"]) == posts.word_count.min()
    docs = corpus.documents(data_dir)
    assert _count(page, "excerpt-only-count") == int((~docs.has_full_text).sum()) == 1


def test_crawl_health(page: HTMLParser, data_dir: Path) -> None:
    runs = _table(page, "runs")
    assert [row[0] for row in runs] == corpus.runs(data_dir).run_id.tolist()
    assert runs[1][4:10] == ["12", "670", "1", "2", "1", "1"]
    rejects = corpus.rejects(data_dir).reason.value_counts().to_dict()
    assert {k: int(v) for k, v in _table(page, "rejects-by-reason")} == rejects


def test_no_external_resource_and_corpus_text_escaped(data_dir: Path) -> None:
    html = write_report(data_dir, now=NOW).read_text(encoding="utf-8")
    assert not re.search(r"""\ssrc\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "<script" not in html.lower()
    assert "<!DOCTYPE svg" not in html and "<?xml" not in html
    assert html.count("<svg") == 5
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    for href in re.findall(r'href="([^"]*)"', html):  # links to posts, or within an SVG
        assert href.startswith(("https://cssamerica.com/", "#")), href


def test_report_is_reproducible(data_dir: Path) -> None:
    first = write_report(data_dir, now=NOW).read_bytes()
    assert write_report(data_dir, now=NOW).read_bytes() == first


def test_render_without_runs_or_rejects(data_dir: Path) -> None:
    summary = summarize(corpus.posts(data_dir), corpus.teasers(data_dir))
    html = render(summary, generated_at=NOW)
    assert "No run reports" in html and summary.glance.last_run_id is None
    assert summary.excerpt_only[0].url == "https://cssamerica.com/only/"


def test_cli_report_and_stats(data_dir: Path, capsys) -> None:
    assert main(["report", "--data-dir", str(data_dir)]) == 0
    assert (data_dir / "processed" / "report.html").exists()
    capsys.readouterr()
    assert main(["stats", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    docs = corpus.documents(data_dir)
    summary = summarize(
        corpus.posts(data_dir), corpus.teasers(data_dir), docs, corpus.runs(data_dir)
    )
    figures, checks = out.strip().split("\n\n")
    assert figures == format_glance(summary.glance)
    assert checks == format_rows(summary.checks.rows())  # the REST API, rules, profile
    lines = figures.splitlines()
    assert lines[0].split() == ["posts", "65"]
    assert len({line.index(line.split("  ")[-1].strip()) for line in lines}) == 1  # aligned


def test_cli_without_corpus_says_make_demo(tmp_path: Path, capsys) -> None:
    assert main(["stats", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "make demo" in err and str(tmp_path) in err


def test_cli_help_imports_no_heavy_library() -> None:
    code = (
        "import sys, etl.cli; etl.cli.build_parser(); "
        "heavy = ('pandas', 'pyarrow', 'matplotlib', 'duckdb'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_demo_corpus_report_and_stats_show_recall(
    demo_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etl.cli import main

    assert main(["stats", "--data-dir", str(demo_corpus)]) == 0
    out = capsys.readouterr().out
    assert "posts          65" in out and "100.0% of the sitemap's posts" in out
    # The last run's rule counts per field, each rule named with the records it read.
    last = corpus.run_reports(demo_corpus)[-1]
    rules = out.split("\n\n")[1].splitlines()
    start = rules.index(f"rules           (run {last['run_id']})")
    assert last["rules"]["page.teasers"] == {"latest_tips": 31}  # each archive page's block
    assert "  teaser block  latest_tips 31" in rules[start:]
    assert "  title         entry_title 85" in rules[start:]
    html = write_report(demo_corpus).read_text(encoding="utf-8")
    assert "100.0% of the sitemap&#x27;s posts" in html or "100.0% of the sitemap's posts" in html
