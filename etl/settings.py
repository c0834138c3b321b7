"""One frozen Settings object: every knob of the pipeline, with commented defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl import __version__

SITE = "https://cssamerica.com"


@dataclass(frozen=True, slots=True)
class Settings:
    # The origin we crawl; nothing outside it is ever requested.
    site: str = SITE
    # Holds raw/ (the WARC archive) and processed/ (the Parquet tables).
    data_dir: Path = Path("data")
    # Archive URLs to crawl; empty means discover them (robots.txt, sitemaps, home page).
    archives: tuple[str, ...] = ()

    # Politeness: a small business site, so one request a second, two at once.
    rate: float = 1.0
    concurrency: int = 2
    # Pages followed per archive before we stop (the biggest real archive has ~250).
    max_pages: int = 1000
    user_agent: str = (
        f"cssamerica-etl/{__version__} (corpus builder for the CSS tip-of-the-week blog; "
        "+https://cssamerica.com/contact-us/)"
    )
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # Responses larger than this are refused: no archive page is near 5 MB.
    max_bytes: int = 5_000_000

    # Retries: transport errors, 408, 429, 5xx; exponential backoff with jitter.
    retry_attempts: int = 4
    retry_initial: float = 1.0
    retry_max_wait: float = 60.0

    # A paragraph found verbatim in at least this many posts is learned boilerplate.
    boilerplate_min_posts: int = 5

    # Incremental refresh unless a full crawl is asked for.
    full: bool = False

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"
