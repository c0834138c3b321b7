"""The benchmark harness runs end to end on a tiny site and writes figures of the right shape.

No timing is asserted here: figures depend on the machine (see BENCHMARKS.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.__main__ import main
from bench.cases import heavy_imports
from bench.harness import Context, Result, cached_site, run, table


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
        assert r["status"] in ("pass", "FAIL", "-") and r["skipped"] is None
    assert by_name["parse.ratio"]["details"]["pages"] > 50
    assert by_name["headings"]["details"]["dateparser_calls_warm"] == 0


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
