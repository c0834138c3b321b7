"""The benchmark harness: timing, the cached generated sites, results as a table and as JSON.

A benchmark is a plain function `(Context) -> Result`; the registry (bench/suite.py) is a
dict of them. The harness only times, caches and reports: what to measure is the case's.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.sitegen import SiteInfo, expected_path, generate_shape, generate_site_pages
from bench.siteplan import SHAPES, Shape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # git-ignored: generated sites and scratch data dirs
RESULTS = ROOT / "bench" / "results.json"
LIBRARIES = ("selectolax", "httpx", "pyarrow", "pandas", "dateparser", "scrapy")
_GENERATOR = ("sitegen.py", "siteplan.py", "sitemarkup.py", "sitetext.py")


@dataclass(frozen=True, slots=True)
class Site:
    """A generated site on disk: its folder and the facts the generator wrote beside it."""

    root: Path
    facts: dict[str, Any]

    def archive_files(self) -> list[tuple[str, Path]]:
        """(url, file) of every category and tag archive page, in archive order."""
        out = []
        for a in self.facts["archives"]:
            for n in range(1, a["pages"] + 1):
                url = a["url"] if n == 1 else f"{a['url']}page/{n}/"
                rel = url.removeprefix("https://cssamerica.com/").strip("/")
                out.append((url, self.root / rel / "index.html"))
        return out


@dataclass(slots=True)
class Context:
    """What every benchmark may use: the run's options and the site cache."""

    repeat: int = 5
    quick: bool = False  # smaller sites and fewer loops: a smoke run, not figures
    full_scale: bool = False  # also the 10,000-page runs
    out_dir: Path = OUT
    _sites: dict[tuple[int, int] | str, Site] = field(default_factory=dict)

    def site(self, pages: int, seed: int = 0) -> Site:
        """A generated site of about `pages` archive pages, reused across runs."""
        key = (pages, seed)
        if key not in self._sites:
            self._sites[key] = cached_site(self.out_dir, pages, seed)
        return self._sites[key]

    def shaped_site(self, shape: Shape | str) -> Site:
        """The generated site of a shape (or of its name in bench.siteplan.SHAPES), reused."""
        shape = SHAPES[shape] if isinstance(shape, str) else shape
        if shape.name not in self._sites:
            self._sites[shape.name] = cached_shape(self.out_dir, shape)
        return self._sites[shape.name]

    def scratch(self, name: str) -> Path:
        """An empty folder under the output dir, for one benchmark's data."""
        path = self.out_dir / "scratch" / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path


def _generator_version() -> str:
    """A digest of the generator's source: a changed generator never reuses an old site."""
    digest = hashlib.sha1()
    for name in _GENERATOR:
        digest.update((ROOT / "bench" / name).read_bytes())
    return digest.hexdigest()[:8]


def cached_site(out_dir: Path, pages: int, seed: int = 0) -> Site:
    """The site for (pages, seed) under out_dir, generated only when not there yet."""
    root = out_dir / f"site-{pages}p-seed{seed}-{_generator_version()}"
    return _cached(root, lambda: generate_site_pages(root, pages=pages, seed=seed))


def cached_shape(out_dir: Path, shape: Shape) -> Site:
    """The site of a shape under out_dir (named by it), generated only when not there yet."""
    root = out_dir / f"site-{shape.name}-seed{shape.seed}-{_generator_version()}"
    return _cached(root, lambda: generate_shape(root, shape))


def _cached(root: Path, generate: Callable[[], SiteInfo]) -> Site:
    facts_path = expected_path(root)
    if not facts_path.exists():  # absent, or an interrupted generation: start over
        shutil.rmtree(root, ignore_errors=True)
        facts_path = generate().expected_path
    facts = json.loads(facts_path.read_text(encoding="utf-8"))
    return Site(root, facts)


@dataclass(frozen=True, slots=True)
class Result:
    """One benchmark's figure: the median over the repeats, with min and max."""

    name: str
    value: float | None  # the median, in `unit`
    unit: str
    target: str  # human, e.g. "<= 2.0"
    ok: bool | None  # None: no target, or skipped
    min: float | None = None
    max: float | None = None
    samples: tuple[float, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None  # why it could not run

    @property
    def status(self) -> str:
        if self.skipped is not None:
            return "skip"
        return {True: "pass", False: "FAIL", None: "-"}[self.ok]


def skip(name: str, unit: str, target: str, reason: str) -> Result:
    return Result(name, None, unit, target, None, skipped=reason)


def measured(
    name: str,
    samples: list[float],
    unit: str,
    target: str,
    ok: Callable[[float], bool] | None,
    **details: Any,
) -> Result:
    """A Result from the samples of the repeats (the median is the figure)."""
    value = statistics.median(samples)
    return Result(
        name,
        value,
        unit,
        target,
        ok(value) if ok is not None else None,
        min(samples),
        max(samples),
        tuple(samples),
        details,
    )


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds one call of pure, single-threaded code takes, with the collector off.

    CPU time, not wall time: on a shared machine the time slices other processes take are
    not counted, which is most of the noise. (Wall time for anything that waits: `wall`.)
    """
    gc.collect()
    gc.disable()
    try:
        start = time.process_time_ns()
        fn()
        return (time.process_time_ns() - start) / 1e9
    finally:
        gc.enable()


def wall(fn: Callable[[], object]) -> float:
    """Seconds one call takes, as it runs for real (for whole pipeline runs: gc stays on)."""
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / 1e9


Benchmark = Callable[[Context], Result | list[Result]]


def run(registry: dict[str, Benchmark], ctx: Context, only: list[str] | None) -> list[Result]:
    """Every benchmark in the registry (or only the named ones), in registry order."""
    unknown = set(only or ()) - set(registry)
    if unknown:
        raise KeyError(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    results: list[Result] = []
    for name, bench in registry.items():
        if only and name not in only:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            out = bench(ctx)
        except Exception as err:  # one broken stage must not hide the other figures
            out = Result(name, None, "", "", False, details={"error": repr(err)})
        results.extend(out if isinstance(out, list) else [out])
    return results


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def table(results: list[Result]) -> str:
    """A plain-text table: benchmark, median [min-max], unit, target, status."""
    rows = [("benchmark", "median", "min-max", "unit", "target", "status")]
    for r in results:
        spread = f"{_fmt(r.min)}-{_fmt(r.max)}" if r.min is not None else ""
        rows.append((r.name, _fmt(r.value), spread, r.unit, r.target, r.status))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += [f"  {r.name}: skipped: {r.skipped}" for r in results if r.skipped]
    lines += [f"  {r.name}: error: {r.details['error']}" for r in results if "error" in r.details]
    return "\n".join(line.rstrip() for line in lines)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _versions() -> Iterator[tuple[str, str | None]]:
    for lib in LIBRARIES:
        try:
            yield lib, metadata.version(lib)
        except metadata.PackageNotFoundError:
            yield lib, None


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": dict(_versions()),
    }


def write_json(path: Path, results: list[Result], ctx: Context, *, merge: bool = False) -> None:
    """The figures as JSON, each result stamped with when it was measured.

    `merge` (a run of some benchmarks, `--only`): the file's other results are kept, with their
    own stamps, unless they came from a run of the other kind (`--quick` or not).
    """
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    kept = _kept(path, {r.name for r in results}, ctx) if merge else []
    fresh = [{**asdict(r), "status": r.status, "measured_at": when} for r in results]
    doc = {
        "when": when,
        "machine": machine(),
        "options": {"repeat": ctx.repeat, "quick": ctx.quick, "full_scale": ctx.full_scale},
        "results": kept + fresh,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")


def _kept(path: Path, replaced: set[str], ctx: Context) -> list[dict[str, Any]]:
    """The results of an earlier run in `path` that this run did not measure again."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if old.get("options", {}).get("quick") != ctx.quick:
        return []
    return [
        {**r, "measured_at": r.get("measured_at", old.get("when"))}
        for r in old.get("results", [])
        if r.get("name") not in replaced
    ]
