"""Command line: flags -> Settings -> a stage; prints the summary. Kept thin on purpose."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from etl import __version__
from etl.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="etl",
        description="Scrape the cssamerica.com blog into a clean, deduplicated Parquet corpus.",
    )
    parser.add_argument("--version", action="version", version=f"etl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    crawl = commands.add_parser("crawl", help="fetch every archive page into DATA_DIR/raw/")
    crawl.add_argument("--site", help="the site's origin (default: https://cssamerica.com)")
    crawl.add_argument("--data-dir", type=Path, help="where raw/ goes (default: data)")
    crawl.add_argument("--rate", type=float, help="requests per second; 0 = unlimited")
    crawl.add_argument("--concurrency", type=int, help="requests at once")
    crawl.add_argument("--max-pages", type=int, help="pages followed per archive")
    crawl.add_argument(
        "--archive", action="append", default=[], help="crawl this archive URL (repeatable)"
    )
    noise = crawl.add_mutually_exclusive_group()
    noise.add_argument("--quiet", action="store_true", help="only warnings and the summary")
    noise.add_argument("--verbose", action="store_true", help="log every request")
    add_analysis_commands(commands)
    add_audit_command(commands)
    return parser


def add_audit_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit",
        help="compare the corpus with the site's sitemaps (recall, missing posts)",
        description="Read the posts sitemaps (and wp-json's count), compare them with "
        "DATA_DIR/processed/posts.parquet, print recall and the missing posts, write "
        "processed/audit.parquet. Exits 1 when recall is below Settings.min_recall. Never heals: "
        "`etl corpus` does.",
    )
    audit.add_argument("--site", help="the site's origin (default: settings)")
    audit.add_argument("--data-dir", type=Path, help="folder holding processed/ (default: data)")
    audit.add_argument("--quiet", action="store_true", help="only warnings and the summary")
    audit.set_defaults(handler=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    from etl.audit import run_audit as audit
    from etl.settings import load_settings

    level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from etl.corpus import table_path

    settings = load_settings({"site": args.site, "data_dir": args.data_dir})
    table_path("posts", settings.data_dir)  # no corpus yet: say what to run, fetch nothing
    result, path = audit(settings)
    print(result.summary())
    print(f"audit table: {path}")
    if not result.recall_ok(settings.min_recall):
        missing = ", ".join(result.result.missing[:20])
        print(
            f"error: recall {result.result.recall:.1%} is below {settings.min_recall:.0%}; "
            f"missing: {missing}",
            file=sys.stderr,
        )
        return 1
    return 0


def add_analysis_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`report` and `stats`: read the tables, never the network."""
    data_help = "data folder holding processed/ and runs/ (default: settings, else data)"
    report = commands.add_parser(
        "report",
        help="write a self-contained HTML report about the corpus",
        description="Write DATA_DIR/processed/report.html: charts and checks, no network needed.",
    )
    report.add_argument("--data-dir", type=Path, help=data_help)
    report.add_argument("--output", type=Path, help="where to write (default: beside the tables)")
    report.set_defaults(handler=run_report)
    stats = commands.add_parser(
        "stats",
        help="print the corpus at a glance",
        description="Print posts, teasers, distinct URLs, date range and the last run.",
    )
    stats.add_argument("--data-dir", type=Path, help=data_help)
    stats.set_defaults(handler=run_stats)


def _data_dir(args: argparse.Namespace) -> Path:
    from etl.settings import load_settings

    return load_settings({"data_dir": args.data_dir}).data_dir


def run_report(args: argparse.Namespace) -> int:
    from etl.report import write_report

    path = write_report(_data_dir(args), args.output)
    print(f"report written to {path}")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from etl import corpus
    from etl.summary import format_glance, glance

    data_dir = _data_dir(args)
    # Only the columns the figures need: the text and html columns stay on disk.
    posts = corpus.read_table("posts", data_dir, columns=["url", "date"])
    teasers = corpus.read_table("teasers", data_dir, columns=["url", "date"])
    print(format_glance(glance(posts, teasers, corpus.runs(data_dir))))
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    flags = {
        "site": args.site,
        "data_dir": args.data_dir,
        "rate": args.rate,
        "concurrency": args.concurrency,
        "max_pages": args.max_pages,
        "archives": tuple(args.archive) or None,
    }
    return Settings(**{k: v for k, v in flags.items() if v is not None})


def _crawl(args: argparse.Namespace) -> int:
    from etl.crawl import run_crawl

    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    result = run_crawl(_settings(args))
    print(result.summary())
    if not result.ok:
        first = result.failures[0]
        print(
            f"error: {len(result.failures)} URL(s) failed, first {first.url}: {first.detail}",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "crawl":
        return _crawl(args)
    try:
        status: int = args.handler(args)
    except FileNotFoundError as exc:  # no corpus yet: one line that says what to run
        print(f"etl {args.command}: {exc}", file=sys.stderr)
        return 1
    return status
