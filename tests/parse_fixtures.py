"""Helpers shared by the parser tests: snapshot files <-> URLs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"
EXPECTED = SITE / "expected"
GOLDEN = Path(__file__).parent / "golden"
ORIGIN = "https://cssamerica.com/"


def snapshot_file(snapshot: str, url: str) -> Path:
    """The file a snapshot serves for `url` (files mirror URL paths)."""
    return SITE / snapshot / url.removeprefix(ORIGIN) / "index.html"


def pages(snapshot: str, *prefixes: str) -> list[tuple[str, str]]:
    """(url, html) of every page of a snapshot whose path starts with one of `prefixes`."""
    root = SITE / snapshot
    out = []
    for f in sorted(root.glob("**/index.html")):
        rel = f.parent.relative_to(root).as_posix()
        if rel != "." and (not prefixes or rel.startswith(prefixes)):
            out.append((f"{ORIGIN}{rel}/", f.read_text(encoding="utf-8")))
    return out


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
