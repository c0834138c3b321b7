"""The commands that ask the site: `corpus`, `rebuild`, `crawl`, `audit` and `probe`.

Heavy libraries are imported inside the handlers so `etl --help` starts at once.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from etl.cli.options import settings_from, setup_logging, site_options
from etl.runlog import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from etl.crawl.audit import Audit
    from etl.crawl.stop import Stopped

    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def add_probe_command(commands: Commands) -> None:
    probe = commands.add_parser(
        "probe",
        parents=[site_options()],
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

    from etl.probe.verdict import run_probe as look
    from etl.probe.view import render, to_json

    setup_logging(args)
    settings = settings_from(args, asks_site=True)
    found = look(settings)
    print(json.dumps(to_json(found), indent=2) if args.json else render(found))
    return EXIT_OK if found.verdict.ready else EXIT_FAILED


def add_audit_command(commands: Commands) -> None:
    audit = commands.add_parser(
        "audit",
        parents=[site_options()],
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

    setup_logging(args)
    settings = settings_from(args, asks_site=True)
    table_path("posts", settings.data_dir)  # no corpus yet: say what to run, fetch nothing
    with run_lock(settings.data_dir):
        result, run_id = asyncio.run(check())
        path = write_audit(result, settings.processed_dir, site=settings.site, run_id=run_id)
    print(result.summary())
    print(f"audit table: {path}")
    if unread := result.sitemap.unread:  # an incomplete list: recall cannot pass on it
        print(f"error: could not read {len(unread)} posts sitemap(s): {unread[0]}", file=sys.stderr)
        return 1
    if not result.recall_ok(settings.min_recall):
        missing = ", ".join(result.result.missing[:20])
        print(
            f"error: recall {result.result.recall:.1%} is below {settings.min_recall:.0%}; "
            f"missing: {missing}",
            file=sys.stderr,
        )
        return 1
    return 0


def run_corpus(args: argparse.Namespace) -> int:
    setup_logging(args)
    settings = settings_from(args, asks_site=True)  # a bad value is refused before the imports

    from etl.crawl.stop import Stopped
    from etl.pipeline import run_corpus as corpus

    try:
        return _finish(args, corpus(settings))
    except Stopped as stopped:  # a signal just as the run took its lock or let it go
        return _stopped(args, stopped)


def run_rebuild(args: argparse.Namespace) -> int:
    setup_logging(args)
    settings = settings_from(args)

    from etl.crawl.stop import Stopped
    from etl.pipeline import rebuild

    try:
        return _finish(args, rebuild(settings))
    except Stopped as stopped:
        return _stopped(args, stopped)


def _stopped(args: argparse.Namespace, stopped: Stopped) -> int:
    print(f"etl {args.command}: {stopped}: {stopped.kept_text()}", file=sys.stderr)
    return stopped.exit_status


def _finish(args: argparse.Namespace, report: object) -> int:
    from etl.runlog import RunReport
    from etl.runtext import failure_text, stopped_line, summary_line

    assert isinstance(report, RunReport)
    if report.status == "interrupted":  # one line: the run did what it was told
        print(stopped_line(report), file=sys.stderr)
    elif report.exit_status != EXIT_OK:
        print(failure_text(report), file=sys.stderr)
    elif not args.quiet:
        print(summary_line(report))
    return report.exit_status


def run_crawl_only(args: argparse.Namespace) -> int:
    from etl.crawl.archives import crawl_site
    from etl.crawl.stop import Stop, Stopped
    from etl.lock import run_lock

    setup_logging(args)
    settings = settings_from(args, asks_site=True)
    try:  # SIGTERM, SIGINT or the deadline end the command, wherever it is
        with Stop(settings.max_run_time) as stop, run_lock(settings.data_dir):
            result = stop.run(crawl_site(settings, stop))
    except Stopped as stopped:
        return _stopped(args, stopped)
    if not result.ok:
        print(result.summary(), file=sys.stderr)
        first = result.failures[0]
        print(f"error: {len(result.failures)} URL(s) failed, first {first.url}: {first.detail}",
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    if not args.quiet:
        print(result.summary())
    return EXIT_OK
