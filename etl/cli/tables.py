"""The commands that read the data folder and never the network: `report`, `stats`,
`export`, `prune` (registered by etl.cli.main)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from etl.cli.options import DATA_HELP, settings_from
from etl.runlog import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def add_analysis_commands(commands: Commands) -> None:
    """`report` and `stats`: read the tables, never the network."""
    report = commands.add_parser(
        "report",
        help="write a self-contained HTML report about the corpus",
        description="Write DATA_DIR/processed/report.html: charts and checks, no network needed.",
    )
    report.add_argument("--data-dir", type=Path, help=DATA_HELP)
    report.add_argument("--output", type=Path, help="where to write (default: beside the tables)")
    report.set_defaults(handler=run_report)
    stats = commands.add_parser(
        "stats",
        help="print the corpus at a glance",
        description="Print posts, teasers, distinct URLs, date range and the last run; the "
        "REST API's agreement with the parsed records, the rule that read each field, the "
        "site profile.",
    )
    stats.add_argument("--data-dir", type=Path, help=DATA_HELP)
    stats.set_defaults(handler=run_stats)


def add_export_command(commands: Commands) -> None:
    export = commands.add_parser(
        "export",
        help="write the tables as CSV, JSON lines or one SQLite file",
        description="Export DATA_DIR/processed/*.parquet for spreadsheets, R or SQLite: CSV "
        "(UTF-8 with a BOM, lists as JSON, ISO 8601 UTC timestamps, nulls empty), JSON lines "
        "(native types), or corpus.sqlite (every table, typed, with the data dictionary in "
        "_tables, _columns and `.schema`). Files are replaced atomically.",
    )
    export.add_argument(
        "--format", choices=("csv", "jsonl", "sqlite"), default="csv", help="default: csv"
    )
    export.add_argument(
        "--table",
        action="append",
        default=[],
        help="table to export, repeatable, or `all` (csv, jsonl; default: documents)",
    )
    export.add_argument("--out", type=Path, help="output folder (default: DATA_DIR/export/)")
    export.add_argument("--data-dir", type=Path, help=DATA_HELP)
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from etl.analysis.export import DEFAULT_TABLES, export

    if args.format == "sqlite" and args.table:
        print("etl export: --table is for csv and jsonl; the SQLite file holds every table",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    settings = settings_from(args)
    out = args.out or settings.data_dir / "export"
    for path, rows in export(
        settings.processed_dir, out, args.format, args.table or DEFAULT_TABLES
    ):
        print(f"{path}  ({rows} rows)")
    return EXIT_OK


def add_prune_command(commands: Commands) -> None:
    prune = commands.add_parser(
        "prune",
        help="remove old runs from DATA_DIR/raw/, keeping what the tables still need",
        description="Keep the newest N runs of the raw archive whole; of older runs keep only "
        "the responses an offline rebuild (etl load) or the next run's conditional requests "
        "still read, copied into one compacted WARC file, and delete the rest.",
    )
    prune.add_argument(
        "--keep-runs", help="runs kept whole (default: the keep_runs setting; 0: all)"
    )
    prune.add_argument("--data-dir", type=Path, help=DATA_HELP)
    prune.add_argument("--config", type=Path, help="settings file (default: ./etl.toml if any)")
    prune.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    prune.set_defaults(handler=run_prune)


def run_prune(args: argparse.Namespace) -> int:
    from etl.crawl.prune import prune, runs_in_tables
    from etl.lock import run_lock
    from etl.settings import load_settings

    flags = {"data_dir": args.data_dir, "keep_runs": args.keep_runs}
    settings = load_settings(flags, config=args.config)
    if not settings.raw_dir.is_dir():
        print(f"nothing to prune: no raw archive in {settings.raw_dir}")
        return EXIT_OK
    with run_lock(settings.data_dir):
        needed = runs_in_tables(settings.processed_dir)
        result = prune(settings.raw_dir, settings.keep_runs, needed=needed)
    if not args.quiet:
        print(result.summary())
    return EXIT_OK


def _data_dir(args: argparse.Namespace) -> Path:
    return settings_from(args).data_dir


def run_report(args: argparse.Namespace) -> int:
    from etl.analysis.report import write_report

    path = write_report(_data_dir(args), args.output)
    print(f"report written to {path}")
    return EXIT_OK


def run_stats(args: argparse.Namespace) -> int:
    from etl.analysis import corpus
    from etl.analysis.checks import site_checks
    from etl.analysis.summary import format_glance, format_rows, glance

    data_dir = _data_dir(args)
    # Only the columns the figures need, both tables from one run (even while one publishes).
    found = corpus.read_tables(["posts", "teasers"], data_dir, columns=["url", "date"])
    posts, teasers = found["posts"], found["teasers"]
    assert posts is not None and teasers is not None
    print(format_glance(glance(posts, teasers, corpus.runs(data_dir))))
    # What the runs checked against the site itself: the REST API, the rules, the profile.
    print("\n" + format_rows(site_checks(corpus.run_reports(data_dir)).rows()))
    return EXIT_OK
