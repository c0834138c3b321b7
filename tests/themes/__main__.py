"""`python -m tests.themes`: list the theme fixtures, or render one into a folder to serve."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.themes import BLOGS, THEMES, render_fixture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.themes", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the themes and blogs there are")
    one = commands.add_parser("render", help="render a blog in a theme into OUT_DIR")
    one.add_argument("theme", choices=sorted(THEMES))
    one.add_argument("out_dir", type=Path)
    one.add_argument("--blog", choices=sorted(BLOGS), default="cssamerica")
    one.add_argument("--no-api", action="store_true", help="leave out the REST API's data")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name, theme in THEMES.items():
            dates = "time[datetime]" if theme.machine_dates else "visible dates only"
            body = "excerpts" if theme.excerpts else "full posts"
            print(f"{name:18} {theme.per_page:2} a page, archives show {body}, {dates}")
        print("blogs:", ", ".join(BLOGS))
        return 0
    try:
        out = render_fixture(args.theme, args.blog, args.out_dir, api=not args.no_api)
    except FileExistsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{args.blog} in {args.theme} -> {out}\nserve it: python -m etl.replay {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
