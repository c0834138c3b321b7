"""One frozen Settings object: every knob of the pipeline, with commented defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
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
    # A live progress line on a terminal, periodic log lines otherwise; off with --quiet.
    progress: bool = True

    # The audit: sitemap URLs read at most (the real site lists ~600 posts), posts healed
    # (fetched from their own page) per run at most, and the recall below which a run fails.
    # Off for a partial crawl (explicit archives): recall would be low by design.
    audit: bool = True
    audit_max_urls: int = 20_000
    heal_max: int = 50
    min_recall: float = 0.98

    # Raw archive retention (`etl prune`, and `etl corpus` after a successful run): keep the
    # newest this many runs whole and, of older runs, only the responses the tables' conditional
    # requests or an offline rebuild still read. 0 keeps every run.
    keep_runs: int = 0

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"


ENV_PREFIX = "ETL_"
CONFIG_NAME = "etl.toml"


def _coerce(name: str, value: object) -> object:
    """Turn a config-file or environment value into the field's type, naming the field on error."""
    kind = type(getattr(Settings(), name))
    try:
        if kind is Path:
            return Path(str(value))
        if kind is tuple:
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            return tuple(str(v).strip() for v in items if str(v).strip())
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(text)
            return text in ("1", "true", "yes", "on")
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting {name!r}: cannot use {value!r} as {kind.__name__}") from None


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> Settings:
    """Settings from, lowest to highest priority: defaults, `etl.toml`, `ETL_*` variables, flags.

    `config` defaults to `./etl.toml` when that file exists. Unknown keys are errors, so a
    typo in a cron job's environment or config file is loud, not ignored.
    """
    import os
    import tomllib

    names = {f.name for f in fields(Settings)}
    values: dict[str, object] = {}
    path = config if config is not None else Path(CONFIG_NAME)
    if config is not None or path.exists():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"config file {path}: {exc}") from None
        for key, value in table.items():
            if key not in names:
                raise ValueError(f"config file {path}: unknown setting {key!r}")
            values[key] = _coerce(key, value)
    for key, value in (os.environ if env is None else env).items():
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in names:
            name = key[len(ENV_PREFIX) :].lower()
            values[name] = _coerce(name, value)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return replace(Settings(), **values)  # type: ignore[arg-type]
