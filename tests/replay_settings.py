"""Settings for tests against the replay server: no rate limit, quick retries, no progress."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from etl.replay.server import ReplayServer
from etl.settings import Settings


def fast_settings(srv: ReplayServer, data_dir: Path, **overrides: Any) -> Settings:
    """Crawl `srv` into `data_dir` as fast as loopback allows; `overrides` win."""
    base = Settings(
        site=srv.url,
        data_dir=data_dir,
        rate=0,
        concurrency=4,
        retry_initial=0.01,
        read_timeout=5.0,
        connect_timeout=1.0,
        progress=False,
    )
    return dataclasses.replace(base, **overrides)
