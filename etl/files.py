"""Atomic file writes, in one place: a temporary file in the same folder, fsynced, renamed
into place, the folder fsynced. A reader, or the next run after a crash, sees the old file or
the new one, whole, never a mix."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def fsync_dir(folder: Path) -> None:
    """Make the renames in `folder` durable; not every platform can open a directory."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_path(folder: Path, name: str) -> Path:
    """A new, empty temporary file in `folder` (`.NAME.*.tmp`: swept by the next writer)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def atomic(final: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Write `final` through a temporary file, renamed into place once complete."""
    tmp = temp_path(final.parent, final.name)
    try:
        with open(tmp, mode, **kwargs) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, final)
        fsync_dir(final.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(data: dict[str, Any], path: Path) -> None:
    """`data` as indented, key-sorted JSON, written atomically."""
    with atomic(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
