"""The command line: `etl COMMAND` (`main`), one module per kind of command.

main (the parser, exit statuses) -> options (shared flags -> Settings) -> run (the commands
that ask the site) and tables (the ones that read the written tables).
"""

from etl.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
