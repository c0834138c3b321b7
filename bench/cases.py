"""Benchmarks of the parts that exist on their own: the parser, the headings, the start-up."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from selectolax.lexbor import LexborHTMLParser

from bench.harness import ROOT, Context, Result, measured, timed
from etl.parse import dates
from etl.parse.page import parse_page
from etl.parse.profile import learn_profile

HEAVY = ("pandas", "pyarrow", "httpx", "dateparser", "warcio")  # never imported by --help
SNAPSHOTS = ROOT / "tests" / "fixtures" / "site" / "expected"


def _archive_pages(ctx: Context) -> list[tuple[str, str]]:
    site = ctx.site(60 if ctx.quick else 1000)
    return [(url, path.read_text(encoding="utf-8")) for url, path in site.archive_files()]


def bench_parse(ctx: Context) -> list[Result]:
    """parse_page over every archive page vs a bare lexbor parse of the same pages (the floor).

    Each repeat times the whole loop of both, back to back, so a noisy neighbour hits both;
    the figure is the median of the per-repeat ratios. Post bodies (text, html) are made on
    first read: the details also give the ratio when every body is read (what a loader that
    reads them all pays) and with a site profile learned from a few pages (a crawl's steady
    state once the pipeline keeps one).
    """
    pages = _archive_pages(ctx)
    profile = learn_profile(pages[:: max(1, len(pages) // 8)][:8])

    def floor() -> None:
        for _, html in pages:
            LexborHTMLParser(html)

    def parse() -> None:
        for url, html in pages:
            parse_page(html, url)

    def parse_bodies() -> None:
        for url, html in pages:
            for post in parse_page(html, url).posts:
                post.text  # noqa: B018 - read to be made

    def parse_profiled() -> None:
        for url, html in pages:
            parse_page(html, url, profile)

    parse()  # warm-up: imports, regex and lru caches, as in the steady state of a crawl
    floor_s, parse_s, bodies_s, profiled_s = [], [], [], []
    for _ in range(ctx.repeat):
        floor_s.append(timed(floor))
        parse_s.append(timed(parse))
        bodies_s.append(timed(parse_bodies))
        profiled_s.append(timed(parse_profiled))
    ratios = [p / f for p, f in zip(parse_s, floor_s, strict=True)]
    n = len(pages)
    with_bodies = statistics.median(b / f for b, f in zip(bodies_s, floor_s, strict=True))
    profiled = statistics.median(p / f for p, f in zip(profiled_s, floor_s, strict=True))
    return [
        measured(
            "parse.ratio",
            ratios,
            "x floor",
            "<= 2.0",
            lambda v: v <= 2.0,
            pages=n,
            ratio_bodies_read=round(with_bodies, 2),
            ratio_with_profile=round(profiled, 2),
        ),
        measured("parse.pages_per_s", [n / s for s in parse_s], "pages/s", "", None, pages=n),
        measured("parse.floor_pages_per_s", [n / s for s in floor_s], "pages/s", "", None),
    ]


def _headings(ctx: Context) -> tuple[list[str], list[str]]:
    """(the generated site's headings, the real ones from the snapshots' expected records)."""
    site = ctx.site(60 if ctx.quick else 1000)
    generated = [p["heading"] for p in site.facts["posts"]]
    real = []
    for path in sorted(SNAPSHOTS.glob("snapshot-*/*.json")):
        real += [r["heading"] for r in json.loads(path.read_text(encoding="utf-8"))]
    return generated, real


def bench_headings(ctx: Context) -> Result:
    """split_heading over the site's own shapes; dateparser must not run once warm."""
    generated, real = _headings(ctx)
    headings = generated + real
    cache = dates._parse_written
    cache.cache_clear()
    for h in generated:
        dates.split_heading(h)
    cold_generated = cache.cache_info().misses  # dateparser calls for the generator's shapes
    for h in real:
        dates.split_heading(h)
    cold_all = cache.cache_info().misses
    loops = max(1, (20_000 if ctx.quick else 300_000) // len(headings))

    def split_all() -> None:
        split = dates.split_heading
        for _ in range(loops):
            for h in headings:
                split(h)

    samples = [loops * len(headings) / timed(split_all) for _ in range(ctx.repeat)]
    hot_calls = cache.cache_info().misses - cold_all
    return measured(
        "headings",
        samples,
        "headings/s",
        ">= 300,000; 0 dateparser calls warm",
        lambda v: v >= 300_000 and hot_calls == 0,
        headings=len(headings),
        distinct=len(set(headings)),
        dateparser_calls_warm=hot_calls,
        dateparser_calls_cold_generated=cold_generated,
        dateparser_calls_cold_all=cold_all,
    )


def _etl(*args: str) -> subprocess.CompletedProcess[str]:
    # cwd=ROOT: `-m` puts the working directory first on sys.path, so this checkout's etl runs.
    cmd = [sys.executable, *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)


def heavy_imports(importtime_log: str) -> list[str]:
    """The heavy packages a `python -X importtime` log shows as imported."""
    found = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            if module.split(".")[0] in HEAVY:
                found.add(module.split(".")[0])
    return sorted(found)


def bench_startup(ctx: Context) -> Result:
    """Wall time of `python -m etl --help` in a fresh process; no heavy import on the way."""
    _etl("-m", "etl", "--help")  # warm the OS file cache and the bytecode
    samples = []
    for _ in range(max(ctx.repeat, 3)):
        start = time.perf_counter()
        _etl("-m", "etl", "--help")
        samples.append(time.perf_counter() - start)
    heavy = heavy_imports(_etl("-X", "importtime", "-m", "etl", "--help").stderr)
    return measured(
        "startup",
        samples,
        "s",
        "<= 0.5; no heavy import",
        lambda v: v <= 0.5 and not heavy,
        heavy_imports=heavy,
    )
