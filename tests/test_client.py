"""The client's record of what it waits for: every Retry-After honoured (URL, seconds asked,
seconds waited), and what is pending at any moment (for a run that must stop and say why)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from etl.crawl.client import Client, Stats, Wait
from etl.replay.server import serve
from tests.replay_settings import fast_settings

SNAP2 = Path(__file__).parent / "fixtures" / "site" / "snapshot-2"


def test_a_long_retry_after_is_recorded_with_its_url_and_seconds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def go(url: str) -> Stats:
        stats = Stats()
        settings = fast_settings(srv, tmp_path, retry_attempts=3, retry_max_wait=0.05)
        async with Client(settings, stats) as client:
            await client.fetch(url)
        return stats

    with serve(SNAP2) as srv, caplog.at_level(logging.WARNING, logger="etl.crawl.client"):
        srv.override("/busy/", 429, b"slow down", [("Retry-After", "3600")])
        stats = asyncio.run(go(srv.url + "/busy/"))
    url = srv.url + "/busy/"
    assert stats.waits == [Wait(url, 429, 3600.0, 0.05)] * 2  # before attempts 2 and 3
    asked = [r.getMessage() for r in caplog.records if "Retry-After" in r.getMessage()]
    assert len(asked) == 2 and url in asked[0] and "3600 s" in asked[0]


def test_pending_names_the_requests_in_flight(tmp_path: Path) -> None:
    async def go(url: str) -> tuple[list[str], list[str]]:
        async with Client(fast_settings(srv, tmp_path), Stats()) as client:
            task = asyncio.create_task(client.fetch(url))
            while not client.pending():
                await asyncio.sleep(0.01)
            during = client.pending()
            await task
            return during, client.pending()

    with serve(SNAP2, latency=0.5) as srv:
        during, after = asyncio.run(go(srv.url + "/tag/resolve/"))
    assert len(during) == 1 and during[0].startswith(srv.url + "/tag/resolve/ (response awaited")
    assert after == []
