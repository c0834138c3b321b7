"""Concurrent work read as one stream: what the crawl's async iterators are built on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def drain(
    queue: asyncio.Queue[T | None], work: Callable[[], Awaitable[None]]
) -> AsyncGenerator[T, None]:
    """Run `work` (which puts its results on `queue`) and yield them as they come.

    The stream has one end, put here whether `work` returns or fails (never by `work`
    itself); what stopped `work` is raised to the reader after the items it put. A reader
    that stops early cancels `work`, so no request outlives the stream.
    """

    async def run() -> None:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except BaseException:
            await queue.put(None)
            raise
        await queue.put(None)

    task = asyncio.create_task(run())
    try:
        while (item := await queue.get()) is not None:
            yield item
        await task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
