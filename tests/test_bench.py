"""The benchmark harness runs end to end on a tiny site and writes figures of the right shape.

No timing is asserted here: figures depend on the machine (see BENCHMARKS.md).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.__main__ import main
from bench.baselines import CONCURRENCY, _coverage, bench_baselines
from bench.cases import heavy_imports
from bench.harness import Context, Result, cached_site, run, table, write_json
from bench.proctree import run_tree
from bench.siteplan import Mix, Shape


def test_quick_run_writes_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    argv = ["--quick", "--only", "parse", "--only", "headings", "--out-dir", str(tmp_path)]
    assert main([*argv, "--json", str(out)]) == 0  # figures are reported, not enforced
    doc = json.loads(out.read_text())
    assert set(doc) == {"when", "machine", "options", "results"}
    assert doc["machine"]["cores"] >= 1 and doc["machine"]["python"].startswith("3.")
    assert set(doc["machine"]["libraries"]) >= {"selectolax", "pyarrow", "pandas", "dateparser"}
    assert doc["options"] == {"repeat": 2, "quick": True, "full_scale": False}
    by_name = {r["name"]: r for r in doc["results"]}
    assert set(by_name) == {
        "parse.ratio",
        "parse.pages_per_s",
        "parse.floor_pages_per_s",
        "headings",
    }
    for r in by_name.values():
        assert r["min"] <= r["value"] <= r["max"] and len(r["samples"]) == 2
        assert r["value"] == statistics.median(r["samples"]) and r["skipped"] is None
        assert r["status"] == {True: "pass", False: "FAIL", None: "-"}[r["ok"]]
        assert r["measured_at"] == doc["when"]
    ratio, headings = by_name["parse.ratio"], by_name["headings"]
    # The verdicts follow from the figures and the targets, whatever this machine's figures.
    assert ratio["target"] == "<= 2.0" and ratio["ok"] is (ratio["value"] <= 2.0)
    assert headings["details"]["dateparser_calls_warm"] == 0
    assert headings["ok"] is (headings["value"] >= 300_000)
    assert (
        by_name["parse.pages_per_s"]["ok"] is None and by_name["parse.pages_per_s"]["target"] == ""
    )
    assert ratio["details"]["pages"] > 50


def test_the_site_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = cached_site(tmp_path, 20, seed=1)
    stamp = first.root.stat().st_mtime_ns
    again = cached_site(tmp_path, 20, seed=1)
    assert again == first and again.root.stat().st_mtime_ns == stamp
    files = first.archive_files()
    assert len(files) == first.facts["archive_pages"] and all(p.exists() for _, p in files)
    assert cached_site(tmp_path, 20, seed=2).root != first.root


def test_heavy_imports_are_read_from_an_importtime_log() -> None:
    log = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   argparse\n"
        "import time:        80 |       9000 | pandas.core\n"
        "import time:        80 |       9000 | httpx\n"
    )
    assert heavy_imports(log) == ["httpx", "pandas"]
    assert heavy_imports("import time:  1 |  1 | etl.cli\n") == []


def test_the_table_shows_skips_and_their_reason() -> None:
    ctx = Context()
    assert ctx.repeat == 5
    ok = Result("parse.ratio", 1.5, "x floor", "<= 2.0", True, 1.4, 1.7, (1.4, 1.5, 1.7))
    skipped = Result("load", None, "s", "<= 5", None, skipped="the loader is not merged yet")
    text = table([ok, skipped])
    assert "parse.ratio" in text and "pass" in text and "1.4-1.7" in text
    assert "load: skipped: the loader is not merged yet" in text


def test_a_benchmark_that_raises_is_reported_and_the_others_still_run() -> None:
    def broken(ctx: Context) -> Result:
        raise RuntimeError("etl corpus exited with 1")

    def fine(ctx: Context) -> Result:
        return Result("fine", 1.0, "s", "", None, 1.0, 1.0, (1.0,))

    results = run({"broken": broken, "fine": fine}, Context(repeat=1), None)
    assert [(r.name, r.status) for r in results] == [("broken", "FAIL"), ("fine", "-")]
    assert "broken: error: RuntimeError('etl corpus exited with 1')" in table(results)


def test_a_run_of_some_benchmarks_keeps_the_other_figures(tmp_path: Path) -> None:
    out, ctx = tmp_path / "results.json", Context(repeat=1)
    old = Result("load", 6.0, "s", "<= 5", False, 6.0, 6.0, (6.0,))
    write_json(out, [old, Result("parse.ratio", 5.0, "x floor", "<= 2.0", False)], ctx)
    stamp = json.loads(out.read_text())["when"]
    write_json(out, [Result("parse.ratio", 1.5, "x floor", "<= 2.0", True)], ctx, merge=True)
    results = {r["name"]: r for r in json.loads(out.read_text())["results"]}
    assert results["load"]["value"] == 6.0 and results["load"]["measured_at"] == stamp
    assert results["parse.ratio"]["value"] == 1.5 and results["parse.ratio"]["status"] == "pass"
    quick = Context(repeat=1, quick=True)  # a smoke run never mixes with real figures
    write_json(out, [Result("headings", 1.0, "headings/s", "", None)], quick, merge=True)
    assert [r["name"] for r in json.loads(out.read_text())["results"]] == ["headings"]


def test_memory_is_summed_over_the_command_and_the_processes_it_starts(tmp_path: Path) -> None:
    # A child that starts a worker holding ~80 MB while the child itself stays small.
    worker = "b = bytearray(80 * 2**20); import time; time.sleep(0.4)"
    parent = (
        f"import subprocess, sys; subprocess.run([sys.executable, '-c', {worker!r}]); print('ok')"
    )
    run = run_tree([sys.executable, "-c", parent], tmp_path)
    assert run.stdout == "ok\n" and run.processes == 2 and run.cpu_seconds > 0
    assert 80 < run.peak_mb < 200 and 80 < run.peak_rss_sum_mb <= run.peak_mb
    with pytest.raises(RuntimeError, match="exited with 3"):
        run_tree([sys.executable, "-c", "raise SystemExit(3)"], tmp_path)


def test_the_baselines_run_etl_scrapy_and_the_floor_on_one_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("scrapy", reason="the Scrapy baseline needs the bench extra")
    tiny = Shape("tiny", posts=24, tags=3, mix=Mix(all_tips=True, most_tags=4))
    ctx = Context(repeat=1, out_dir=tmp_path)
    by_name = {r.name: r for r in bench_baselines(ctx, tiny)}
    assert set(by_name) == {
        "baselines.etl",
        "baselines.scrapy",
        "baselines.floor",
        "baselines.scrapy_over_etl",
        "baselines.scrapy_over_etl.cpu",
        "baselines.scrapy_over_floor",
        "baselines.etl_over_floor",
        "baselines.etl_over_floor.cpu",
        "baselines.etl_peak_rss",
    }
    etl, scrapy, floor = (by_name[f"baselines.{n}"] for n in ("etl", "scrapy", "floor"))
    site = ctx.shaped_site(tiny)
    pages = site.facts["archive_pages"]
    assert etl.details["archive_pages"] == pages and etl.details["concurrency"] == CONCURRENCY
    assert etl.details["runs"][0]["pages"]["fetched"] == pages
    assert floor.details["runs"][0]["urls"] == pages
    # The spider fetched every archive page too, plus robots.txt and the sitemaps.
    spider = scrapy.details["runs"][0]
    assert spider["statuses"] == {"200": spider["downloader/response_count"]}
    assert spider["downloader/response_count"] >= pages + 4
    ratio = by_name["baselines.scrapy_over_etl"]
    assert ratio.samples == (scrapy.samples[0] / etl.samples[0],)
    cpu = [r.details["cpu_s"][0] for r in (etl, scrapy, floor)]
    assert all(s > 0.1 for s in cpu)
    assert by_name["baselines.etl_over_floor.cpu"].value == pytest.approx(cpu[0] / cpu[2], rel=0.1)
    assert ratio.status == ("pass" if ratio.samples[0] >= 3.0 else "FAIL")
    coverage = ratio.details["coverage"]
    assert coverage["expected_posts"] == coverage["etl_posts"] == coverage["scrapy_posts"] == 24
    assert coverage["only_etl"] == coverage["only_scrapy"] == [] and coverage["fields_differ"] == {}
    memory = by_name["baselines.etl_peak_rss"]
    assert memory.value is not None and memory.value > 20 and memory.details["processes"] == [1]
    assert memory.details["scrapy_peak_mb"][0] > 20 and memory.details["floor_peak_mb"][0] > 10

    # The coverage check: a post the spider missed and a field it misread are reported.
    scratch = tmp_path / "scratch" / "baselines"
    lines = (scratch / "scrapy-0.jsonl").read_text(encoding="utf-8").splitlines()
    posts = [item for line in lines if (item := json.loads(line))["type"] == "post"]
    dropped = posts[0]["url"]
    kept = [p for p in posts if p["url"] != dropped]
    kept[0]["title"] = "Misread"
    doctored = tmp_path / "doctored.jsonl"
    doctored.write_text("".join(json.dumps(p) + "\n" for p in kept), encoding="utf-8")
    capsys.readouterr()
    found = _coverage(site, doctored, scratch / "etl-0")
    assert found["only_etl"] == [urlsplit(dropped).path] and found["only_scrapy"] == []
    assert found["fields_differ"] == {"title": 1}
    warning = capsys.readouterr().err
    assert "warning: the Scrapy baseline and etl disagree: 1 posts only in etl" in warning
