"""Benchmarks of the whole pipeline: end to end, politeness, refresh, memory, load.

They run the real thing: `etl corpus` against the replay server (etl.replay.server) and the loader
(etl.load.merge). Until those stages are merged each benchmark reports `skip` with the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import importlib
import io
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

from bench import sitetext
from bench.harness import ROOT, Context, Result, measured, skip, wall
from bench.proctree import run_tree
from etl.records import Page, Post
from etl.settings import Settings

Serve = Callable[[Path], AbstractContextManager[Any]]


def replay(pipeline: bool = True) -> Serve | str:
    """`etl.replay.server.serve`, or why it cannot be used (`pipeline`: etl corpus is needed)."""
    try:  # by name: this module must type-check before the stages are merged
        if pipeline:
            importlib.import_module("etl.pipeline")  # the corpus command runs it
        serve: Serve = importlib.import_module("etl.replay.server").serve
    except ImportError as err:
        return f"not merged yet ({err})"
    return serve


def _corpus_args(url: str, data_dir: Path, rate: float, full: bool) -> list[str]:
    args = ["corpus", "--site", url, "--data-dir", str(data_dir), "--rate", f"{rate:g}"]
    return [*args, "--full", "--quiet"] if full else [*args, "--quiet"]


def _corpus(url: str, data_dir: Path, rate: float = 0, full: bool = True) -> None:
    """One `etl corpus` run in this process."""
    from etl.cli import main

    code = main(_corpus_args(url, data_dir, rate, full))
    if code != 0:
        raise RuntimeError(f"etl corpus exited with {code}")


@contextlib.contextmanager
def replay_process(root: Path) -> Iterator[str]:
    """The replay server in a process of its own (in ours it would share our GIL): its URL."""
    cmd = [sys.executable, "-m", "etl.replay.server", str(root)]
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as server:
        try:  # leaving the with closes the pipe and waits for the server
            assert server.stdout is not None
            yield server.stdout.readline().strip()
        finally:
            server.terminate()


def run_timings(data_dir: Path) -> dict[str, float]:
    """The stage timings of the latest run report in a data dir."""
    report = sorted((data_dir / "runs").glob("*.json"))[-1]
    timings: dict[str, float] = json.loads(report.read_text(encoding="utf-8"))["timings"]
    return timings


def bench_end_to_end(ctx: Context) -> list[Result]:
    """`etl corpus --full --rate 0 --concurrency 4` in a fresh process over a generated site,
    the replay server in another; the stage split comes from the run report's timings."""
    target = ">= 300"
    serve = replay()
    if isinstance(serve, str):
        return [skip("end_to_end", "pages/s", target, serve)]
    site = ctx.site(60 if ctx.quick else 1000)
    pages = len(site.archive_files())
    samples, stages = [], []
    with replay_process(site.root) as url:
        for i in range(ctx.repeat):
            data = ctx.scratch(f"e2e-{i}")
            args = ["corpus", "--site", url, "--data-dir", str(data), "--full"]
            seconds, _ = _child([*args, "--concurrency", "4"])
            samples.append(pages / seconds)
            stages.append({"wall_s": round(seconds, 3), **run_timings(data)})
    return [
        measured(
            "end_to_end", samples, "pages/s", target, lambda v: v >= 300, pages=pages, runs=stages
        )
    ]


def _crawl(url: str, data_dir: Path, rate: float) -> None:
    """One `etl crawl` run in this process, its summary swallowed."""
    from etl.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        args = ["--site", url, "--data-dir", str(data_dir), "--rate", f"{rate:g}", "--quiet"]
        code = main(["crawl", *args])
    if code != 0:
        raise RuntimeError(f"etl crawl exited with {code}")


def _sizes(ctx: Context) -> list[int]:
    """Archive pages of the scaling runs."""
    if ctx.quick:
        return [60]
    return [100, 1000, 10_000] if ctx.full_scale else [100, 1000]


def bench_crawl(ctx: Context) -> list[Result]:
    """The crawl stage alone (`etl crawl --rate 0`) at each size: pages/s and peak RSS."""
    serve = replay(pipeline=False)
    if isinstance(serve, str):
        return [skip("crawl", "pages/s", "", serve)]
    results = []
    for n in _sizes(ctx):
        site = ctx.site(n)
        pages, runs = len(site.archive_files()), []
        with serve(site.root) as server:
            for i in range(1 if n >= 10_000 else min(ctx.repeat, 3)):
                data = ctx.scratch(f"crawl-{n}-{i}")
                runs.append(_child(["crawl", "--site", server.url, "--data-dir", str(data)]))
        rate = [pages / s for s, _ in runs]
        results.append(measured(f"crawl@{n}", rate, "pages/s", "", None, pages=pages))
        rss = [mb for _, mb in runs]
        results.append(measured(f"crawl.peak_rss@{n}", rss, "MB", "", None, pages=pages))
    return results


def bench_politeness(ctx: Context) -> Result:
    """With --rate 10 a crawl lasts requests / 10 s, within 10% (never slower than needed)."""
    target, rate = "0.9-1.1", 10.0
    serve = replay(pipeline=False)
    if isinstance(serve, str):
        return skip("politeness", "x requests/rate", target, serve)
    site = ctx.site(10 if ctx.quick else 30)
    samples, requests = [], []
    with serve(site.root) as server:
        for i in range(min(ctx.repeat, 3)):
            before, data = server.count(), ctx.scratch(f"polite-{i}")
            seconds = wall(partial(_crawl, server.url, data, rate))
            requests.append(server.count() - before)
            samples.append(seconds / (requests[-1] / rate))
    ok = lambda v: abs(v - 1) <= 0.1  # noqa: E731
    return measured("politeness", samples, "x requests/rate", target, ok, requests=requests)


def bench_refresh(ctx: Context) -> list[Result]:
    """An unchanged-site refresh: requests and time as a share of the full crawl's."""
    target = "<= 0.05"
    serve = replay()
    if isinstance(serve, str):
        return [skip(f"refresh.{k}", "x full", target, serve) for k in ("requests", "time")]
    site = ctx.site(60 if ctx.quick else 1000)
    shares: dict[str, list[float]] = {"requests": [], "time": []}
    with serve(site.root) as server:
        for i in range(min(ctx.repeat, 3)):
            data = ctx.scratch(f"refresh-{i}")
            n0 = server.count()
            full_s = wall(partial(_corpus, server.url, data))
            n1 = server.count()
            refresh_s = wall(partial(_corpus, server.url, data, full=False))
            shares["requests"].append((server.count() - n1) / (n1 - n0))
            shares["time"].append(refresh_s / full_s)
    return [
        measured(f"refresh.{k}", v, "x full", target, lambda x: x <= 0.05)
        for k, v in shares.items()
    ]


def _child(etl_args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `python -m etl ARGS --rate 0 --quiet` in its own process.

    The peak is summed over the process and any it starts (bench.proctree): each one's VmHWM,
    polled until it exits (rusage's ru_maxrss of a child starts at the size of the process
    that spawned it: gigabytes after the load benchmark).
    """
    # --max-pages: the 10,000-page site's biggest archive has ~3,500 pages (default 1,000).
    cmd = [sys.executable, "-m", "etl", *etl_args, "--rate", "0", "--max-pages", "100000"]
    run = run_tree([*cmd, "--quiet"], ROOT)
    return run.seconds, run.peak_mb


def bench_scaling(ctx: Context) -> list[Result]:
    """Wall time and peak RSS of a full run at 100, 1,000 (and 10,000) archive pages."""
    sizes = _sizes(ctx)
    serve = replay()
    if isinstance(serve, str):
        return [skip(f"memory@{n}", "MB", "<= 500", serve) for n in sizes]
    results = []
    for n in sizes:
        site = ctx.site(n)
        pages = len(site.archive_files())
        runs = [
            _corpus_child(serve, site.root, ctx.scratch(f"mem-{n}-{i}"))
            for i in range(1 if n >= 10_000 else min(ctx.repeat, 3))
        ]
        results.append(
            measured(
                f"memory@{n}",
                [mb for _, mb in runs],
                "MB",
                "<= 500",
                lambda v: v <= 500,
                pages=pages,
            )
        )
        results.append(measured(f"time@{n}", [s for s, _ in runs], "s", "", None, pages=pages))
    return results


def _corpus_child(serve: Serve, root: Path, data_dir: Path) -> tuple[float, float]:
    with serve(root) as server:
        return _child(["corpus", "--site", server.url, "--data-dir", str(data_dir), "--full"])


def _texts(n: int, seed: int = 0) -> Iterator[str]:
    """n post texts as the parser gives them: 3-5 folded paragraphs of real sentences (~2 KB,
    unique), half of them closing with one of the site's boilerplate paragraphs."""
    rng = random.Random(seed)
    closing = [html.unescape(re.sub(r"<[^>]+>", "", b)).strip() for b in sitetext.BOILERPLATE]
    for _ in range(n):
        paragraphs = [
            " ".join(sitetext.paragraph(rng, 40, 120).split()) for _ in range(rng.randint(3, 5))
        ]
        if rng.random() < 0.5:
            paragraphs.append(rng.choice(closing))
        yield "\n\n".join(paragraphs)


def _posts(ctx: Context, n: int) -> Iterator[Post]:
    """n posts made from the generated site's facts, each with a URL and a text of its own."""
    facts = ctx.site(60 if ctx.quick else 1000).facts["posts"]
    for i, text in enumerate(_texts(n)):
        f = facts[i % len(facts)]
        when = dt.datetime.fromisoformat(f["published_at"].replace("Z", "+00:00"))
        yield Post(
            url=f"{f['url']}copy-{i}/",
            wp_id=f["wp_id"] + 100_000 * (i // len(facts)),
            heading=f["heading"],
            title=f["title"],
            date=dt.date.fromisoformat(f["date"]),
            date_raw=None,
            date_source="published",
            published_at=when,
            categories=tuple(f["categories"]),
            tags=tuple(f["tags"]),
            text=text,
            html="".join(f"<p>{html.escape(p)}</p>\n" for p in text.split("\n\n")),
        )


def bench_load(ctx: Context) -> Result:
    """Merge 100,000 posts into existing tables and write them (etl.load.merge.load_run)."""
    target, n = "<= 5", 5_000 if ctx.quick else 100_000
    try:  # by name, as above
        load = importlib.import_module("etl.load.merge")
    except ImportError as err:
        return skip("load", "s", target, f"the loader is not merged yet ({err})")
    posts = list(_posts(ctx, n))

    def run(settings: Settings, number: int) -> None:
        at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=number)
        pages = (_page(k // 100 + 1, posts[k : k + 100]) for k in range(0, n, 100))
        observations = (load.Observation(page, at, f"run-{number}") for page in pages)
        load.load_run(observations, settings, run_id=f"run-{number}", generated_at=at, full=True)

    samples = []
    for i in range(ctx.repeat):
        settings = Settings(data_dir=ctx.scratch(f"load-{i}"))
        run(settings, 0)  # the existing tables
        samples.append(wall(partial(run, settings, 1)))
    return measured("load", samples, "s", target, lambda v: v <= 5, posts=n)


def _page(number: int, posts: list[Post]) -> Page:
    url = f"https://cssamerica.com/category/bench/page/{number}/"
    return Page(url, "archive", "category", "Bench", "bench", number, None, (), tuple(posts))
