"""The flags the commands share, and how they become Settings (flags win over ETL_*
variables, which win over etl.toml, which wins over the defaults)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from etl.settings import Settings

DATA_HELP = "data folder holding raw/, processed/ and runs/ (default: data)"


def site_options() -> argparse.ArgumentParser:
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
    # Numeric flags are the text typed, read as ETL_* variables are (etl.settings): a bad value
    # is one line naming the setting, the value and its range, not argparse's usage text.
    common.add_argument("--rate", help="requests per second to the site (0: no limit)")
    common.add_argument("--concurrency", help="requests at once (default 2)")
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    noise.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv: all)")
    return common


def run_options() -> argparse.ArgumentParser:
    """Flags shared by the commands that run the pipeline."""
    common = argparse.ArgumentParser(add_help=False, parents=[site_options()])
    common.add_argument("--max-pages", help="pages followed per archive")
    common.add_argument(
        "--archive", action="append", default=[], help="crawl only this archive URL (repeatable)"
    )
    common.add_argument("--full", action="store_true", default=None, help="force a full crawl")
    return common


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


def setup_logging(args: argparse.Namespace) -> None:
    verbose = getattr(args, "verbose", 0)
    level = logging.ERROR if args.quiet else logging.WARNING
    level = {0: level, 1: logging.INFO}.get(verbose, logging.DEBUG)
    console = logging.StreamHandler()
    console.setLevel(level)  # what stderr shows; every warning still reaches the run report
    console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=min(level, logging.WARNING), handlers=[console])
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
