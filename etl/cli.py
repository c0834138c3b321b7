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
from etl.cli_tables import (
    DATA_HELP,
    add_analysis_commands,
    add_export_command,
    add_prune_command,
)
from etl.runlog import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE
from etl.settings import Settings, SettingsError

if TYPE_CHECKING:
    from etl.crawl.audit import Audit

Handler = Callable[[argparse.Namespace], int]


def _site_options() -> argparse.ArgumentParser:
    """Flags shared by the commands that ask the site anything."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--site", help="the site's origin (default: https://cssamerica.com)")
    common.add_argument(
        "--contact",
        help="your email or URL, sent in the User-Agent (setting `contact`, ETL_CONTACT); "
        "needed for every site but a loopback one",
    )
    common.add_argument(
        "--heading-dates",
        choices=("auto", "on", "off"),
        help="titles end in the tip's date (`Title - 6/28/22`): auto learns it (default)",
    )
    common.add_argument("--data-dir", type=Path, help=DATA_HELP)
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
    add_probe_command(commands)
    add_analysis_commands(commands)
    add_audit_command(commands)
    add_export_command(commands)
    add_prune_command(commands)
    return parser


def add_probe_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    probe = commands.add_parser(
        "probe",
        parents=[_site_options()],
        help="will a run work on this site? (at most 10 requests)",
        description="Look at a site with at most 10 polite requests (robots.txt obeyed): is it "
        "WordPress, its theme, REST API, sitemaps, feeds and archives, and one archive page "
        "read as a run would (which rule found each field, three posts, the teaser block, "
        "the pagination). Ends with a verdict: exit 0 when a run is ready, 1 when it will "
        "fail (the reasons listed). Nothing is written.",
    )
    probe.add_argument(
        "--archive", action="append", default=[], help="look at this archive (repeatable)"
    )
    probe.add_argument("--json", action="store_true", help="print JSON for scripts")
    probe.set_defaults(handler=run_probe)


def run_probe(args: argparse.Namespace) -> int:
    import json

    from etl.probe import run_probe as look
    from etl.probe_view import render, to_json

    _logging(args)
    settings = settings_from(args, asks_site=True)
    found = look(settings)
    print(json.dumps(to_json(found), indent=2) if args.json else render(found))
    return EXIT_OK if found.verdict.ready else EXIT_FAILED


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
    settings = settings_from(args, asks_site=True)
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


def settings_from(args: argparse.Namespace, *, asks_site: bool = False) -> Settings:
    """Flags win over ETL_* variables, which win over etl.toml, which wins over defaults.

    `asks_site`: the command requests the site, so the operator's contact is required
    (unless the site is a loopback one): SettingsError before anything starts.
    """
    from etl.settings import load_settings
    from etl.siterules import require_contact

    flags = {
        "site": getattr(args, "site", None),
        "contact": getattr(args, "contact", None),
        "heading_dates": getattr(args, "heading_dates", None),
        "data_dir": args.data_dir,
        "rate": getattr(args, "rate", None),
        "concurrency": getattr(args, "concurrency", None),
        "max_pages": getattr(args, "max_pages", None),
        "archives": tuple(getattr(args, "archive", ())) or None,
        "full": getattr(args, "full", None),
        "progress": False if getattr(args, "quiet", False) else None,
    }
    settings = load_settings(flags, config=getattr(args, "config", None))
    if asks_site:
        require_contact(settings)
    return settings


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
    return _finish(args, corpus(settings_from(args, asks_site=True)))


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
    settings = settings_from(args, asks_site=True)
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
