"""Command line: flags -> Settings -> a stage; prints the summary. Kept thin on purpose.

Heavy libraries are imported inside the handlers so `etl --help` starts at once.
Exit status: 0 success; 1 the run failed (pages failed, drift, recall, nothing crawled,
max_run_time reached) or bad input, with a one-line reason on stderr; 2 usage error (a bad
flag, or a bad setting from any source); 75 another run holds the data folder; 143 / 130 the
run was interrupted by SIGTERM / SIGINT (one line on stderr says what was kept).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from etl import __version__
from etl.runlog import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE
from etl.settings import Settings, SettingsError

if TYPE_CHECKING:
    from etl.crawl.audit import Audit

Handler = Callable[[argparse.Namespace], int]
_DATA_HELP = "data folder holding raw/, processed/ and runs/ (default: data)"


def _site_options() -> argparse.ArgumentParser:
    """Flags shared by the commands that ask the site anything."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--site", help="the site's origin (default: https://cssamerica.com)")
    common.add_argument("--data-dir", type=Path, help=_DATA_HELP)
    common.add_argument("--config", type=Path, help="settings file (default: ./etl.toml if any)")
    common.add_argument("--rate", type=float, help="requests per second to the site (0: no limit)")
    common.add_argument("--concurrency", type=int, help="requests at once (default 2)")
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    noise.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv: all)")
    return common


def _run_options() -> argparse.ArgumentParser:
    """Flags shared by the commands that run the pipeline."""
    common = argparse.ArgumentParser(add_help=False, parents=[_site_options()])
    common.add_argument("--max-pages", type=int, help="pages followed per archive")
    common.add_argument(
        "--archive", action="append", default=[], help="crawl only this archive URL (repeatable)"
    )
    common.add_argument("--full", action="store_true", default=None, help="force a full crawl")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="etl",
        description="Scrape the cssamerica.com blog into a clean, deduplicated Parquet corpus.",
        epilog="Exit status: 0 ok, 1 run failed (reason on stderr), 2 usage, 75 locked, "
        "143/130 interrupted by SIGTERM/SIGINT (nothing published, the raw archive kept).",
    )
    parser.add_argument("--version", action="version", version=f"etl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _run_options()
    for name, handler, text in (
        ("corpus", run_corpus, "crawl, parse and load: refresh data/processed/*.parquet"),
        ("crawl", run_crawl_only, "fetch every archive page into DATA_DIR/raw/ only"),
        ("rebuild", run_rebuild, "rebuild the tables from DATA_DIR/raw/, no network (alias: load)"),
    ):
        sub = commands.add_parser(
            name,
            parents=[common],
            help=text,
            description=text,
            aliases=["load"] if name == "rebuild" else [],
        )
        sub.set_defaults(handler=handler)
    add_analysis_commands(commands)
    add_audit_command(commands)
    add_export_command(commands)
    add_prune_command(commands)
    return parser


def add_audit_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit",
        parents=[_site_options()],
        help="compare the corpus with the site's sitemaps (recall, missing posts)",
        description="Read the posts sitemaps (and wp-json's count), compare them with "
        "DATA_DIR/processed/posts.parquet, print recall and the missing posts, write "
        "processed/audit.parquet. Exits 1 when recall is below Settings.min_recall. Never heals: "
        "`etl corpus` does.",
    )
    audit.set_defaults(handler=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    import asyncio

    from etl.analysis.corpus import table_path
    from etl.crawl.audit import audit
    from etl.crawl.session import open_session
    from etl.load.audit_table import corpus_times, write_audit
    from etl.lock import run_lock

    async def check() -> tuple[Audit, str]:
        async with open_session(settings) as session:
            return await audit(session, corpus_times(settings.processed_dir)), session.run_id

    _logging(args)
    settings = settings_from(args)
    table_path("posts", settings.data_dir)  # no corpus yet: say what to run, fetch nothing
    with run_lock(settings.data_dir):
        result, run_id = asyncio.run(check())
        path = write_audit(result, settings.processed_dir, site=settings.site, run_id=run_id)
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
    report = commands.add_parser(
        "report",
        help="write a self-contained HTML report about the corpus",
        description="Write DATA_DIR/processed/report.html: charts and checks, no network needed.",
    )
    report.add_argument("--data-dir", type=Path, help=_DATA_HELP)
    report.add_argument("--output", type=Path, help="where to write (default: beside the tables)")
    report.set_defaults(handler=run_report)
    stats = commands.add_parser(
        "stats",
        help="print the corpus at a glance",
        description="Print posts, teasers, distinct URLs, date range and the last run.",
    )
    stats.add_argument("--data-dir", type=Path, help=_DATA_HELP)
    stats.set_defaults(handler=run_stats)


def add_export_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    export.add_argument("--data-dir", type=Path, help=_DATA_HELP)
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


def add_prune_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    prune = commands.add_parser(
        "prune",
        help="remove old runs from DATA_DIR/raw/, keeping what the tables still need",
        description="Keep the newest N runs of the raw archive whole; of older runs keep only "
        "the responses an offline rebuild (etl load) or the next run's conditional requests "
        "still read, copied into one compacted WARC file, and delete the rest.",
    )
    prune.add_argument(
        "--keep-runs", type=int, help="runs kept whole (default: the keep_runs setting; 0: all)"
    )
    prune.add_argument("--data-dir", type=Path, help=_DATA_HELP)
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


def settings_from(args: argparse.Namespace) -> Settings:
    """Flags win over ETL_* variables, which win over etl.toml, which wins over defaults."""
    from etl.settings import load_settings

    flags = {
        "site": getattr(args, "site", None),
        "data_dir": args.data_dir,
        "rate": getattr(args, "rate", None),
        "concurrency": getattr(args, "concurrency", None),
        "max_pages": getattr(args, "max_pages", None),
        "archives": tuple(getattr(args, "archive", ())) or None,
        "full": getattr(args, "full", None),
        "progress": False if getattr(args, "quiet", False) else None,
    }
    return load_settings(flags, config=getattr(args, "config", None))


def _logging(args: argparse.Namespace) -> None:
    verbose = getattr(args, "verbose", 0)
    level = logging.ERROR if args.quiet else logging.WARNING
    level = {0: level, 1: logging.INFO}.get(verbose, logging.DEBUG)
    console = logging.StreamHandler()
    console.setLevel(level)  # what stderr shows; every warning still reaches the run report
    console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=min(level, logging.WARNING), handlers=[console])
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))


def run_corpus(args: argparse.Namespace) -> int:
    from etl.pipeline import run_corpus as corpus

    _logging(args)
    return _finish(args, corpus(settings_from(args)))


def run_rebuild(args: argparse.Namespace) -> int:
    from etl.pipeline import rebuild

    _logging(args)
    return _finish(args, rebuild(settings_from(args)))


def _finish(args: argparse.Namespace, report: object) -> int:
    from etl.runlog import RunReport

    assert isinstance(report, RunReport)
    if report.status == "interrupted":  # one line: the run did what it was told
        print(report.stopped_line(), file=sys.stderr)
    elif report.exit_status != EXIT_OK:
        print(report.failure_text(), file=sys.stderr)
    elif not args.quiet:
        print(report.summary_line())
    return report.exit_status


def run_crawl_only(args: argparse.Namespace) -> int:
    from etl.crawl.archives import crawl_site
    from etl.crawl.stop import Stop, Stopped
    from etl.lock import run_lock

    _logging(args)
    settings = settings_from(args)
    stop = Stop(settings.max_run_time)  # SIGTERM, SIGINT or the deadline end the crawl
    try:
        with run_lock(settings.data_dir):
            result = stop.run(crawl_site(settings, stop))
    except Stopped as stopped:
        print(f"etl crawl: {stopped}: {stopped.kept_text()}", file=sys.stderr)
        return stopped.exit_status
    if not result.ok:
        print(result.summary(), file=sys.stderr)
        first = result.failures[0]
        print(f"error: {len(result.failures)} URL(s) failed, first {first.url}: {first.detail}",
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
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
    from etl.analysis.summary import format_glance, glance

    data_dir = _data_dir(args)
    # Only the columns the figures need, both tables from one run (even while one publishes).
    found = corpus.read_tables(["posts", "teasers"], data_dir, columns=["url", "date"])
    posts, teasers = found["posts"], found["teasers"]
    assert posts is not None and teasers is not None
    print(format_glance(glance(posts, teasers, corpus.runs(data_dir))))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status: int = args.handler(args)
    except Exception as exc:
        return _refused(args.command, exc)
    return status


# Modules of the optional dependency groups (pyproject.toml), and the group that has them.
_EXTRAS = {"pandas": "report", "matplotlib": "report", "duckdb": "analysis"}


def _refused(command: str, exc: Exception) -> int:
    """One line that says what to do, for the errors a person can act on; others propagate."""
    # Imported here: `etl --help` must not pay for the crawl's imports.
    from etl.crawl.session import SiteUnreachable
    from etl.lock import LockedError

    if isinstance(exc, LockedError):
        print(f"etl {command}: {exc}; not started", file=sys.stderr)
        return EXIT_LOCKED
    if isinstance(exc, SettingsError):  # checked before anything starts: nothing was done
        print(f"etl {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, ModuleNotFoundError) and exc.name in _EXTRAS:
        # A bare `pip install -e .` has the pipeline, not the analysis tools.
        extra = _EXTRAS[exc.name]
        print(f"etl {command}: needs {exc.name}: make {command}, or pip install -e '.[{extra}]'",
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    if isinstance(exc, FileNotFoundError | ValueError | SiteUnreachable):
        # No corpus yet, an unreachable site.
        print(f"etl {command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    raise exc
