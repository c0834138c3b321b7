"""The floor of a crawl with this client: a bare httpx fetch of a list of URLs, nothing else.

    python -m bench.floor URLS_FILE --concurrency 8

One AsyncClient (keep-alive, as many connections as requests at once), a semaphore, every
URL in the file (one a line) requested once and its body read (and gunzipped, as any client
must); nothing parsed or stored. Prints one JSON line: URLs, statuses, bytes, seconds.
What a crawler spends beyond this is its own work (parsing, following, storing, politeness).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

import httpx


async def fetch_all(urls: list[str], concurrency: int) -> tuple[Counter[int], int]:
    """(count by status, body bytes) of one GET of every URL, `concurrency` at once."""
    statuses: Counter[int] = Counter()
    received = 0
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # gzip only, as etl asks: the server then does the same work for every client.
    headers = {"Accept-Encoding": "gzip"}
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:

        async def one(url: str) -> None:
            nonlocal received
            async with gate:
                response = await client.get(url)
            statuses[response.status_code] += 1
            received += len(response.content)

        await asyncio.gather(*(one(url) for url in urls))
    return statuses, received


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.split("\n")[0])
    ap.add_argument("urls", type=Path, help="a file of URLs, one a line")
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args(argv)
    urls = [u for u in args.urls.read_text(encoding="utf-8").split() if u]
    start = time.perf_counter()
    statuses, received = asyncio.run(fetch_all(urls, args.concurrency))
    seconds = time.perf_counter() - start
    summary = {"urls": len(urls), "statuses": dict(statuses), "bytes": received}
    print(json.dumps({**summary, "seconds": round(seconds, 3)}))
    if set(statuses) != {200}:
        print(f"error: not every answer was 200: {dict(statuses)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
