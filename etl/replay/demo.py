"""`make demo`: the very same `etl corpus`, run against the replay server on a snapshot.

No network needed: a snapshot folder of the site (the Makefile passes the one the tests use,
tests/fixtures/site/snapshot-2) is served on 127.0.0.1 and crawled like the live site
(robots.txt, sitemaps, archives), into DATA_DIR (data/demo).
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from pathlib import Path

from etl import cli
from etl.replay.server import serve

PORT = 8765
# Where the demo needs no contact (a loopback site), the live site does: before any request.
LIVE = (
    'live: set contact = "you@example.org" in etl.toml (or ETL_CONTACT, or --contact), '
    "then make corpus"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.replay.demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/demo"))
    parser.add_argument("--snapshot", type=Path, required=True, help="snapshot folder to serve")
    parser.add_argument("--full", action="store_true", help="force a full crawl")
    # A fixed port: post URLs carry the origin, so the next demo run must see the same one
    # to refresh the corpus incrementally instead of adding every post again.
    parser.add_argument("--port", type=int, default=PORT, help=f"local port (default {PORT})")
    args, extra = parser.parse_known_args(argv)
    if not (args.snapshot / "robots.txt").exists():
        print(f"demo: no snapshot at {args.snapshot}", file=sys.stderr)
        return 1
    with ExitStack() as stack:
        try:
            server = stack.enter_context(serve(args.snapshot, port=args.port))
        except OSError as exc:
            print(f"demo: cannot serve on 127.0.0.1:{args.port} ({exc.strerror}); "
                  "try --port N with a fresh --data-dir", file=sys.stderr)  # fmt: skip
            return 1
        shown = os.path.relpath(args.snapshot) if args.snapshot.is_absolute() else args.snapshot
        print(f"demo: serving {shown} at {server.url}")
        flags = ["corpus", "--site", server.url, "--data-dir", str(args.data_dir)]
        flags += ["--rate", "0", *(["--full"] if args.full else []), *extra]
        status = cli.main(flags)
    processed = args.data_dir / "processed"
    if status == 0:
        print(f"demo: tables in {processed}/:")
        for table in sorted(processed.glob("*.parquet")):
            print(f"  {table}")
        print(f"next: .venv/bin/etl stats --data-dir {args.data_dir}")
        print(f"      make report DATA={args.data_dir}")
        print(LIVE)
    return status


if __name__ == "__main__":
    sys.exit(main())
