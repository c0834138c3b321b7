"""`make demo`: the very same `etl corpus`, run against the replay server on a snapshot.

No network needed: the snapshot of the site in tests/fixtures is served on 127.0.0.1 and
crawled like the live site (robots.txt, sitemaps, archives), into DATA_DIR (data/demo).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl import cli
from etl.replay import serve

SNAPSHOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "site" / "snapshot-2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/demo"))
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT, help="snapshot folder")
    parser.add_argument("--full", action="store_true", help="force a full crawl")
    args, extra = parser.parse_known_args(argv)
    if not (args.snapshot / "robots.txt").exists():
        print(f"demo: no snapshot at {args.snapshot}", file=sys.stderr)
        return 1
    with serve(args.snapshot) as server:
        print(f"demo: serving {args.snapshot} at {server.url}")
        flags = ["corpus", "--site", server.url, "--data-dir", str(args.data_dir)]
        flags += ["--rate", "0", *(["--full"] if args.full else []), *extra]
        status = cli.main(flags)
    processed = args.data_dir / "processed"
    if status == 0:
        print(f"demo: tables in {processed}/:")
        for table in sorted(processed.glob("*.parquet")):
            print(f"  {table}")
        print(
            f"next: .venv/bin/etl stats --data-dir {args.data_dir}; make report DATA={args.data_dir}"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
