"""Command line: flags -> Settings -> a stage; prints the summary. Kept thin on purpose."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from etl import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="etl",
        description="Scrape the cssamerica.com blog into a clean, deduplicated Parquet corpus.",
    )
    parser.add_argument("--version", action="version", version=f"etl {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return 0
