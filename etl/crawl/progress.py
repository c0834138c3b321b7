"""Progress of a crawl: a live line on a terminal, a periodic log line otherwise (cron)."""

from __future__ import annotations

import logging
import sys
import time

log = logging.getLogger("etl.crawl.session")


class Progress:
    """A live line on a terminal; a log line every few seconds otherwise (cron)."""

    def __init__(self, every: float = 10.0, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.tty = enabled and sys.stderr.isatty()
        self.every = every
        self.started = self.last = time.monotonic()

    def show(self, done: int, failed: int, queued: int, requests: int) -> None:
        now = time.monotonic()
        rate = requests / max(now - self.started, 1e-9)
        line = f"pages {done} done, {failed} failed, {queued} archives queued, {rate:.1f} req/s"
        if self.tty:
            sys.stderr.write(f"\r{line}\x1b[K")
            sys.stderr.flush()
        elif self.enabled and now - self.last >= self.every:
            self.last = now
            log.info(line)

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
