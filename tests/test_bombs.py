"""A compression bomb costs the crawl next to no memory: `etl crawl` in a child process against
the replay server, its peak RSS (VmHWM) with a bomb answer against a clean answer at the same
URL. A safety check, not a benchmark: the bound is generous, a regression is gigabytes."""

from __future__ import annotations

import functools
import gzip
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from etl.replay.server import ReplayServer, serve
from tests.reliability import SNAP2, cli_env

GIB = 1 << 30
PAGE = (SNAP2 / "tag/resolve/index.html").read_bytes()
HTML = ("Content-Type", "text/html; charset=UTF-8")
# Runs `etl crawl` as the command line does, then reports the process's own peak RSS.
CHILD = """
import sys
from etl.cli import main
status = main(sys.argv[1:])
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print("peak_kb", peak.split()[1], file=sys.stderr)
sys.exit(status)
"""


@functools.cache
def zeros(wbits: int) -> bytes:
    """1 GiB of zeros compressed once (about 1 MB), a MiB at a time: gzip (31) or zlib (15)."""
    z, mib = zlib.compressobj(9, zlib.DEFLATED, wbits), bytes(1 << 20)
    return b"".join([*(z.compress(mib) for _ in range(GIB >> 20)), z.flush()])


def peak_mb(srv: ReplayServer, data: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    command = [sys.executable, "-c", CHILD, "crawl", "--site", srv.url, "--data-dir", str(data)]
    done = subprocess.run(
        [*command, "--archive", "/bomb/", "--rate", "0", "--quiet"],
        env=cli_env(),
        cwd=data.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("peak_kb")]
    assert line, done.stderr
    return int(line[0].split()[1]) / 1024, done


@pytest.mark.parametrize("nesting", ["gzip", "gzip, gzip", "deflate, gzip"])
def test_a_bomb_adds_less_than_100_mb_to_the_peak(tmp_path: Path, nesting: str) -> None:
    # Listed in the order applied: "deflate, gzip" is gzip(deflate(zeros)).
    first = zeros(zlib.MAX_WBITS if nesting.startswith("deflate") else 16 + zlib.MAX_WBITS)
    bomb = gzip.compress(first, mtime=0) if "," in nesting else first
    with serve(SNAP2) as srv:
        srv.override("/bomb/", 200, PAGE, [HTML])  # the same URL, answered cleanly
        clean, ok = peak_mb(srv, tmp_path / "clean")
        srv.override_raw("/bomb/", 200, bomb, [HTML, ("Content-Encoding", nesting)])
        bombed, failed = peak_mb(srv, tmp_path / "bomb")
    assert ok.returncode == 0, ok.stderr
    assert failed.returncode == 1 and "too large" in failed.stderr, failed.stderr
    assert bombed - clean < 100, f"peak {bombed:.0f} MB with the bomb, {clean:.0f} MB without"
