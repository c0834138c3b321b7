"""etl against two baselines, on one generated site, one server, in one run.

- Scrapy: the spider a Scrapy user would write for this blog (bench/scrapy_spider.py);
- the floor: a bare httpx fetch of every archive page etl fetches, nothing parsed or stored
  (bench/floor.py): what this client cannot go below at this concurrency on this machine.

The site is the `deep` shape (bench.siteplan.SHAPES: 3,000 posts, 54 archives, 3,193
archive pages, the tips archive 1,000 pages deep), served by one replay server in a process
of its own. Each repeat runs `etl corpus --full --rate 0` (a fresh data dir), the spider and
the floor back to back, each in a fresh process, the order rotating from one repeat to the
next so that a busy neighbour's burst falls on each in turn. Times are wall times of the
whole process (start-up included for all three); the ratios are taken within each repeat and
their median is the figure. CPU time and memory are summed over each command's processes
(bench.proctree); the CPU ratios stay put where the wall ratios move with the machine's load.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.harness import ROOT, Context, Result, Site, measured, skip
from bench.pipeline_cases import replay, replay_process
from bench.proctree import TreeRun, run_tree
from bench.siteplan import Shape

SHAPE, QUICK_SHAPE = "deep", "deep-quick"
CONCURRENCY = 8  # requests at once, for all three
TARGET = ">= 3.0"  # Scrapy's time over etl's
NO_SCRAPY = "Scrapy is not installed (the bench extra: make bench installs it)"
_SITE = "https://cssamerica.com"
_FIELDS = ("title", "date", "published_at", "categories", "tags")  # compared with etl's


def has_scrapy() -> bool:
    return importlib.util.find_spec("scrapy") is not None


def _commands(url: str, scratch: Path) -> dict[str, Callable[[int], list[str]]]:
    """Each contender's command line for repeat i."""
    py, c = sys.executable, str(CONCURRENCY)
    etl = ["-m", "etl", "corpus", "--site", url, "--full", "--rate", "0", "--concurrency", c]
    etl += ["--max-pages", "100000", "--quiet"]  # the deepest archive has 1,000 pages
    return {
        "etl": lambda i: [py, *etl, "--data-dir", str(_fresh(scratch / f"etl-{i}"))],
        "scrapy": lambda i: [
            *(py, "-m", "bench.scrapy_spider", url, str(scratch / f"scrapy-{i}.jsonl")),
            *("--concurrency", c),
        ],
        "floor": lambda i: [py, "-m", "bench.floor", str(scratch / "urls.txt"), "--concurrency", c],
    }


def _fresh(path: Path) -> Path:
    if path.exists():
        raise FileExistsError(f"{path} exists: every etl run needs a fresh data dir")
    return path


def bench_baselines(ctx: Context, shape: Shape | None = None) -> list[Result]:
    """etl, the Scrapy spider and the bare fetch, alternating over the repeats.

    On the `deep` site (`deep-quick` with --quick), or on the shape given (tests).
    """
    serve = replay()
    if isinstance(serve, str):
        return [skip("baselines.scrapy_over_etl", "x", TARGET, serve)]
    site = ctx.shaped_site(shape or (QUICK_SHAPE if ctx.quick else SHAPE))
    scratch = ctx.scratch("baselines")
    names = ["etl", "scrapy", "floor"] if has_scrapy() else ["etl", "floor"]
    runs: dict[str, list[TreeRun]] = {name: [] for name in names}
    load = {"before": os.getloadavg()}  # the neighbours' share of the 2 cores, for the record
    with replay_process(site.root) as url:
        urls = [u.replace(_SITE, url, 1) for u, _ in site.archive_files()]
        (scratch / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
        commands = _commands(url, scratch)
        run_tree(commands["floor"](-1), ROOT)  # warm-up: the served files into the page cache
        for i in range(ctx.repeat):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                print(f"  baselines: {name} run {i + 1}", file=sys.stderr, flush=True)
                runs[name].append(run_tree(commands[name](i), ROOT))
    load["after"] = os.getloadavg()
    last = ctx.repeat - 1
    etl_data = scratch / f"etl-{last}"
    coverage = (
        _coverage(site, scratch / f"scrapy-{last}.jsonl", etl_data) if "scrapy" in runs else {}
    )
    return _results(site, runs, scratch, coverage, load)


def _seconds(runs: list[TreeRun]) -> list[float]:
    return [r.seconds for r in runs]


def _median(runs: list[TreeRun]) -> float:
    return statistics.median(_seconds(runs))


def _ratios(top: list[TreeRun], bottom: list[TreeRun], cpu: bool = False) -> list[float]:
    """The ratio within each repeat, of wall (or CPU) seconds."""
    if cpu:
        return [t.cpu_seconds / b.cpu_seconds for t, b in zip(top, bottom, strict=True)]
    return [t.seconds / b.seconds for t, b in zip(top, bottom, strict=True)]


def _results(
    site: Site,
    runs: dict[str, list[TreeRun]],
    scratch: Path,
    coverage: dict[str, Any],
    load: dict[str, tuple[float, float, float]],
) -> list[Result]:
    pages = int(site.facts["archive_pages"])
    common = {"site": site.root.name, "archive_pages": pages, "concurrency": CONCURRENCY}
    etl = runs["etl"]
    said: dict[str, list[Any]] = {  # etl's run reports, the others' one-line summaries
        name: [json.loads(r.stdout) for r in rs] for name, rs in runs.items() if name != "etl"
    }
    said["etl"] = [_report(scratch / f"etl-{i}") for i in range(len(etl))]
    results = [
        measured(
            f"baselines.{name}",
            _seconds(rs),
            "s",
            "",
            None,
            **common,
            pages_per_s=[round(pages / r.seconds, 1) for r in rs],
            cpu_s=[round(r.cpu_seconds, 2) for r in rs],
            runs=said[name],
            load_average=load,
        )
        for name, rs in runs.items()
    ]
    if "scrapy" in runs:
        scrapy = runs["scrapy"]
        results += [
            measured(
                "baselines.scrapy_over_etl",
                _ratios(scrapy, etl),
                "x",
                TARGET,
                lambda v: v >= 3.0,
                ratio_of_medians=_median(scrapy) / _median(etl),
                coverage=coverage,
            ),
            measured(
                "baselines.scrapy_over_etl.cpu", _ratios(scrapy, etl, cpu=True), "x", "", None
            ),
            # What Scrapy/etl would be if etl took no longer than a bare fetch of its pages.
            measured("baselines.scrapy_over_floor", _ratios(scrapy, runs["floor"]), "x", "", None),
        ]
    else:
        results.append(skip("baselines.scrapy_over_etl", "x", TARGET, NO_SCRAPY))
    over_floor = _ratios(etl, runs["floor"])
    ratio = _median(etl) / _median(runs["floor"])
    results += [
        measured("baselines.etl_over_floor", over_floor, "x", "", None, ratio_of_medians=ratio),
        measured(
            "baselines.etl_over_floor.cpu", _ratios(etl, runs["floor"], cpu=True), "x", "", None
        ),
        _memory(runs),
    ]
    return results


def _memory(runs: dict[str, list[TreeRun]]) -> Result:
    """etl's peak summed over its processes; the others' for comparison."""
    others = {
        f"{name}_peak_mb": [round(r.peak_mb, 1) for r in rs]
        for name, rs in runs.items()
        if name != "etl"
    }
    etl = runs["etl"]
    return measured(
        "baselines.etl_peak_rss",
        [r.peak_mb for r in etl],
        "MB",
        "",
        None,
        rss_sum_peak_mb=[round(r.peak_rss_sum_mb, 1) for r in etl],
        processes=[r.processes for r in etl],
        **others,
    )


def _report(data_dir: Path) -> dict[str, Any]:
    """What etl's run report says of one run: pages fetched and the stage timings."""
    found = sorted((data_dir / "runs").glob("*.json"))
    if not found:
        return {}
    report = json.loads(found[-1].read_text(encoding="utf-8"))
    return {"pages": report.get("pages"), "timings": report.get("timings")}


def _coverage(site: Site, items: Path, etl_data: Path) -> dict[str, Any]:
    """Do the spider's items hold the posts etl's corpus holds, with the same fields?

    A sanity check that the baseline does the same work: a difference is printed as a
    warning and kept with the figures, never a failure of the benchmark.
    """
    import pyarrow.parquet as pq

    scrapy: dict[str, dict[str, Any]] = {}
    with items.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item["type"] == "post":
                scrapy.setdefault(urlsplit(item["url"]).path, item)
    table = pq.read_table(etl_data / "processed" / "posts.parquet", columns=["url", *_FIELDS])
    etl = {urlsplit(row["url"]).path: row for row in table.to_pylist()}
    expected = {urlsplit(p["url"]).path for p in site.facts["posts"]}
    differ = {
        field: sum(
            1
            for path in etl.keys() & scrapy.keys()
            if _etl_value(etl[path], field) != scrapy[path][field]
        )
        for field in _FIELDS
    }
    only_etl, only_scrapy = sorted(etl.keys() - scrapy.keys()), sorted(scrapy.keys() - etl.keys())
    found = {
        "expected_posts": len(expected),
        "etl_posts": len(etl),
        "scrapy_posts": len(scrapy),
        "only_etl": only_etl[:5],
        "only_scrapy": only_scrapy[:5],
        "fields_differ": {k: v for k, v in differ.items() if v},
    }
    if only_etl or only_scrapy or found["fields_differ"]:
        print(
            f"warning: the Scrapy baseline and etl disagree: {len(only_etl)} posts only in "
            f"etl {only_etl[:3]}, {len(only_scrapy)} only in Scrapy {only_scrapy[:3]}, "
            f"fields that differ (posts): {found['fields_differ']}",
            file=sys.stderr,
        )
    return found


def _etl_value(row: dict[str, Any], field: str) -> Any:
    """A posts-table value in the spider's spelling (ISO date, UTC stamp with Z, lists)."""
    value = row[field]
    if field == "date":
        return value.isoformat() if value is not None else None
    if field == "published_at":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None
    return value
