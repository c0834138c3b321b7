"""The HTML report in a real browser: headless Chromium renders it with no console message.

Run with `make test-browser` (installs Debian's chromium when missing and root). Set
REPORT_SCREENSHOT=path to keep the screenshot (the Makefile writes docs/report.png).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from etl.analysis.report import write_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="no Chromium: `make test-browser` installs it (apt-get install chromium)",
    ),
]
# Offline and quiet: nothing in the page or the browser itself may reach the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1280,2000",
)
# Chromium logs every console message (errors, CSP violations, uncaught exceptions) like this.
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]\s*(.*)")


def chromium(page: Path, profile: Path, action: str = "--dump-dom") -> tuple[str, list[str]]:
    """Load `page`, do `action` (dump the DOM, or take a screenshot) and quit.

    Returns stdout and the console messages Chromium logged. Headless Chromium without an
    action would keep the page open forever.
    """
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout, [m.group(1) for m in CONSOLE.finditer(done.stderr)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def report(demo_corpus: Path) -> Path:
    return write_report(demo_corpus)  # the report of the corpus `make demo` builds


def test_console_messages_are_caught(tmp_path: Path) -> None:
    # The check below must be able to fail: a page with an error is reported.
    bad = tmp_path / "bad.html"
    bad.write_text("<p>x</p><script>console.error('boom'); missing();</script>", encoding="utf-8")
    _, messages = chromium(bad, tmp_path / "profile")
    assert any("boom" in m for m in messages) and any("missing" in m for m in messages)


def test_report_renders_without_console_messages(report: Path, tmp_path: Path) -> None:
    dom, messages = chromium(report, tmp_path / "profile")
    assert messages == []
    assert dom.count("<svg") == 5
    assert 'id="chart-years"' in dom and 'id="posts-per-year"' in dom
    assert "Crawl health" in dom


def test_report_screenshot(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _, messages = chromium(report, tmp_path / "profile", f"--screenshot={shot}")
    assert messages == []
    assert png_size(shot) == (1280, 2000)
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)[..., :3]
    # The bars are drawn in the report's blue (#2b6cb0): the charts rendered, not a blank page.
    blue = (abs(pixels - (0x2B / 255, 0x6C / 255, 0xB0 / 255)) < 0.02).all(axis=-1)
    assert blue.sum() > 5000
    if target := os.environ.get("REPORT_SCREENSHOT"):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
