"""Command line: flags -> Settings -> a stage; prints the summary. Kept thin on purpose.

Exit status: 0 success; 1 the run failed (pages failed, drift, recall, nothing crawled,
max_run_time reached) or bad input, with a one-line reason on stderr; 2 usage error (a bad
flag, or a bad setting from any source); 75 another run holds the data folder; 143 / 130 the
run was interrupted by SIGTERM / SIGINT (one line on stderr says what was kept).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from etl import __version__
from etl.cli.options import run_options
from etl.cli.run import (
    add_audit_command,
    add_probe_command,
    run_corpus,
    run_crawl_only,
    run_rebuild,
)
from etl.cli.tables import add_analysis_commands, add_export_command, add_prune_command
from etl.runlog import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE
from etl.settings import SettingsError

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="etl",
        description="Scrape the cssamerica.com blog into a clean, deduplicated Parquet corpus.",
        epilog="Exit status: 0 ok, 1 run failed (reason on stderr), 2 usage, 75 locked, "
        "143/130 interrupted by SIGTERM/SIGINT (the raw archive kept; one line says what).",
    )
    parser.add_argument("--version", action="version", version=f"etl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = run_options()
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
    if isinstance(exc, SettingsError):  # checked before anything starts: nothing was done
        print(f"etl {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # Imported here, after the usage errors: `etl --help` and a refused value must not pay
    # for the crawl's imports.
    from etl.crawl.session import SiteUnreachable
    from etl.lock import LockedError

    if isinstance(exc, LockedError):
        print(f"etl {command}: {exc}; not started", file=sys.stderr)
        return EXIT_LOCKED
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
