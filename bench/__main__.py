"""`python -m bench` (or `make bench`): run the benchmarks, print the table, write the JSON."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bench.harness import OUT, RESULTS, Context, run, table, write_json
from bench.suite import BENCHMARKS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each benchmark (default 5)")
    ap.add_argument(
        "--only", action="append", choices=list(BENCHMARKS), help="run only this (repeatable)"
    )
    ap.add_argument("--quick", action="store_true", help="small sites, 2 runs: a smoke run")
    ap.add_argument("--full-scale", action="store_true", help="also the 10,000-page runs")
    ap.add_argument("--out-dir", type=Path, default=OUT, help="generated sites (cached)")
    ap.add_argument("--json", type=Path, default=RESULTS, help="where the figures go")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    repeat = min(args.repeat, 2) if args.quick else args.repeat
    ctx = Context(repeat, args.quick, args.full_scale, args.out_dir)
    try:
        results = run(BENCHMARKS, ctx, args.only)
    finally:
        shutil.rmtree(ctx.out_dir / "scratch", ignore_errors=True)  # the runs' data dirs
    print(table(results))
    write_json(args.json, results, ctx, merge=bool(args.only))  # --only: keep the rest
    print(f"figures: {args.json}", file=sys.stderr)
    return 1 if args.strict and any(r.ok is False for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
