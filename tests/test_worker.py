"""Parsing in a worker process: the same pages as parsing in process, and a worker that dies
mid-crawl costs nothing but its speed."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import pytest

from etl.crawl.archives import crawl_archives
from etl.crawl.discover import discover
from etl.crawl.session import CrawlResult, open_session
from etl.parse.profile import Profile
from etl.records import Page
from etl.replay.server import serve
from etl.settings import Settings
from tests.replay_settings import fast_settings

SNAP2 = Path(__file__).parent / "fixtures" / "site" / "snapshot-2"


# Not the defaults (headings keep their date): a worker that ignored it would parse otherwise.
PROFILE = Profile(heading_dates=False)


def crawl(s: Settings, kill_after: int | None = None) -> tuple[CrawlResult, dict[str, Page]]:
    """Every archive page, parsed with PROFILE; `kill_after`: SIGKILL the workers after that
    many pages."""

    async def go() -> tuple[CrawlResult, dict[str, Page]]:
        pages: dict[str, Page] = {}
        async with open_session(s, profile=PROFILE) as session:
            found = await discover(session)
            async for got in crawl_archives(session, found.archives):
                assert got.page is not None
                pages[got.fetch.url] = got.page
                if kill_after is not None and len(pages) == kill_after:
                    assert session.parsing.pids, "no worker started"
                    for pid in session.parsing.pids:
                        os.kill(pid, signal.SIGKILL)
        return session.result(), pages

    return asyncio.run(go())


def _local(pages: dict[str, Page]) -> dict[str, str]:
    """The pages (as their repr) with the replay server's origin taken out: each test's own."""
    origin = re.match(r"http://[^/]+", next(iter(pages)))
    assert origin is not None
    return {
        u.replace(origin[0], "SITE"): repr(p).replace(origin[0], "SITE") for u, p in pages.items()
    }


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    """Every archive page of the snapshot, parsed in the crawl's own process."""
    with serve(SNAP2) as srv:
        here, pages = crawl(fast_settings(srv, tmp_path_factory.mktemp("a"), parse_workers=0))
    assert here.parsed_in_workers == 0 and len(pages) == 31
    assert all(p.title == p.heading for page in pages.values() for p in page.posts)  # PROFILE
    return pages


def test_pages_parsed_in_a_worker_equal_pages_parsed_in_process(
    tmp_path: Path, in_process: dict[str, Page]
) -> None:
    with serve(SNAP2, latency=0.03) as srv:  # slow enough for the worker to start in time
        s = fast_settings(srv, tmp_path, concurrency=1, parse_worker_min_pages=0)
        there, remote = crawl(s)
    assert there.parsed_in_workers > 0
    assert _local(remote) == _local(in_process)


def test_a_worker_that_dies_leaves_its_pages_to_the_crawl_s_process(
    tmp_path: Path, in_process: dict[str, Page]
) -> None:
    with serve(SNAP2, latency=0.03) as srv:
        s = fast_settings(srv, tmp_path, concurrency=1, parse_worker_min_pages=0)
        killed, remote = crawl(s, kill_after=12)
    assert killed.ok and _local(remote) == _local(in_process)
    assert 0 < killed.parsed_in_workers < len(remote)


def test_one_worker_is_started_however_many_pages_arrive_at_once(tmp_path: Path) -> None:
    async def go() -> int:
        with serve(SNAP2) as srv:
            s = fast_settings(srv, tmp_path, concurrency=8, parse_worker_min_pages=0)
            async with open_session(s) as session:
                found = await discover(session)
                async for _ in crawl_archives(session, found.archives):
                    pass
                return len(session.parsing.pids)

    assert asyncio.run(go()) == 1
