"""drain: the crawl's one end of stream. What the work put reaches the reader before what
stopped it; the stream ends once, put by drain alone; a reader that stops early cancels the
work."""

from __future__ import annotations

import asyncio
import contextlib

from etl.crawl.streams import drain

TIMEOUT = 5.0  # a stream that never ends fails the test instead of hanging it


def test_items_put_before_an_error_reach_the_reader_then_the_error() -> None:
    async def go() -> tuple[list[int], BaseException | None, bool]:
        queue: asyncio.Queue[int | None] = asyncio.Queue()

        async def work() -> None:
            for i in range(3):
                await queue.put(i)
                await asyncio.sleep(0)
            raise ValueError("page 4 failed")

        got: list[int] = []
        error: BaseException | None = None
        try:
            async with contextlib.aclosing(drain(queue, work)) as stream:
                async with asyncio.timeout(TIMEOUT):
                    async for item in stream:
                        got.append(item)
        except ValueError as exc:
            error = exc
        return got, error, queue.empty()

    got, error, empty = asyncio.run(go())
    assert got == [0, 1, 2]
    assert isinstance(error, ValueError) and str(error) == "page 4 failed"
    assert empty  # the one end was read, nothing left behind


def test_the_stream_ends_exactly_once_when_the_work_returns() -> None:
    async def go() -> tuple[list[int], list[int | None]]:
        queue: asyncio.Queue[int | None] = asyncio.Queue()

        async def work() -> None:
            for i in range(5):
                await queue.put(i)

        got: list[int] = []
        async with contextlib.aclosing(drain(queue, work)) as stream:
            async with asyncio.timeout(TIMEOUT):
                async for item in stream:
                    got.append(item)
        await asyncio.sleep(0)  # anything put late would be there now
        left = [queue.get_nowait() for _ in range(queue.qsize())]
        return got, left

    got, left = asyncio.run(go())
    assert got == [0, 1, 2, 3, 4]
    assert left == []  # one end, read by the reader; no second one behind it


def test_a_reader_that_stops_early_cancels_the_work() -> None:
    async def go() -> tuple[int, bool, bool, bool]:
        queue: asyncio.Queue[int | None] = asyncio.Queue()
        cancelled = False
        finished = False
        forever = asyncio.Event()

        async def work() -> None:
            nonlocal cancelled, finished
            try:
                await queue.put(1)
                await forever.wait()  # a request that would never return
                finished = True
            except asyncio.CancelledError:
                cancelled = True
                raise

        stream = drain(queue, work)
        first = await asyncio.wait_for(anext(stream), TIMEOUT)
        # The reader stops after one item. Waited for without cancelling anything, so that
        # only drain can have stopped the work.
        closing = asyncio.create_task(stream.aclose())
        done, _ = await asyncio.wait({closing}, timeout=TIMEOUT)
        if closing not in done:  # drain waits for the work: let it end, then fail
            forever.set()
            await closing
        return first, closing in done, cancelled, finished

    first, closed, cancelled, finished = asyncio.run(go())
    assert first == 1
    assert closed and cancelled and not finished
