"""The registry: every benchmark by name, in the order they run. Add one: write a function
`(Context) -> Result | list[Result]` and list it here."""

from __future__ import annotations

from bench import baselines, cases, pipeline_cases
from bench.harness import Benchmark

BENCHMARKS: dict[str, Benchmark] = {
    "parse": cases.bench_parse,
    "headings": cases.bench_headings,
    "startup": cases.bench_startup,
    "load": pipeline_cases.bench_load,
    "crawl": pipeline_cases.bench_crawl,
    "end_to_end": pipeline_cases.bench_end_to_end,
    "politeness": pipeline_cases.bench_politeness,
    "refresh": pipeline_cases.bench_refresh,
    "scaling": pipeline_cases.bench_scaling,
    "baselines": baselines.bench_baselines,
}
