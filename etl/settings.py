"""One frozen Settings object: every knob of the pipeline, with commented defaults, each value
checked against its allowed range when the object is made (so before anything starts)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from etl import __version__
from etl.parse.text import BOILERPLATE
from etl.siterules import (
    HEADING_DATES,
    agent,
    check_boilerplate,
    check_contact,
    switch,
)
from etl.siterules import SettingsError as SettingsError  # raised by every check: its home

SITE = "https://cssamerica.com"
HOUR = 3600.0


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
    # Who runs the crawl: an email or URL, sent in the User-Agent so that the site's operators
    # can reach you. Required for every site but a loopback one (`require_contact`).
    contact: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # Responses larger than this are refused: no archive page is near 5 MB.
    max_bytes: int = 5_000_000
    # Pages are parsed in this many worker processes beside the crawl (0: in the crawl's own
    # process), started once a run has parsed `parse_worker_min_pages` pages: a process costs
    # ~0.2 s to start, which a small run (a nightly refresh) never pays.
    parse_workers: int = 1
    parse_worker_min_pages: int = 200

    # Retries: transport errors, 408, 429, 5xx; exponential backoff with jitter.
    retry_attempts: int = 4
    retry_initial: float = 1.0
    retry_max_wait: float = 60.0

    # A paragraph found verbatim in at least this many posts is learned boilerplate.
    boilerplate_min_posts: int = 5

    # The site's own rules, the defaults of its profile (cssamerica's; another blog changes
    # them here only). Headings end in the tip's date (`Title - 6/28/22`): "on", "off", or
    # "auto" (a full run learns it from the headings). Known boilerplate: paragraphs that
    # start so (regular expressions, case-insensitive) are not the post's text.
    heading_dates: str = "auto"
    boilerplate: tuple[str, ...] = BOILERPLATE
    # Compare a page of the site's REST API (/wp-json/wp/v2/posts) with the parsed records.
    rest_check: bool = True

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

    # A run never waits forever: past this many seconds it stops and fails, naming what it
    # was waiting for. A full crawl of the real site at the polite rate takes minutes.
    max_run_time: float = 6 * HOUR

    # Raw archive retention (`etl prune`, and `etl corpus` after a successful run): keep the
    # newest this many runs whole and, of older runs, only the responses the tables' conditional
    # requests or an offline rebuild still read. 0 keeps every run.
    keep_runs: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            check(f.name, getattr(self, f.name))

    @property
    def user_agent(self) -> str:
        """The software and the operator's contact (never the crawled site's own address)."""
        return agent(__version__, self.contact)

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"


ENV_PREFIX = "ETL_"
CONFIG_NAME = "etl.toml"

# Numeric settings: (type, lowest, highest, lowest excluded, what the range means). Upper
# bounds keep every wait, count and buffer finite; none is near a sensible value.
RANGES: dict[str, tuple[type, float, float, bool, str]] = {
    "rate": (float, 0.01, 1000, False, "requests per second"),
    "concurrency": (int, 1, 100, False, "requests at once"),
    "max_pages": (int, 1, 1_000_000, False, "pages per archive"),
    "connect_timeout": (float, 0, HOUR, True, "seconds"),
    "read_timeout": (float, 0, HOUR, True, "seconds"),
    "max_bytes": (int, 1_000, 1_000_000_000, False, "bytes per response"),
    "retry_attempts": (int, 1, 100, False, "attempts per URL, the first included"),
    "retry_initial": (float, 0, HOUR, True, "seconds"),
    "retry_max_wait": (float, 0, HOUR, True, "seconds"),
    "boilerplate_min_posts": (int, 2, 1_000_000, False, "posts"),
    "audit_max_urls": (int, 1, 10_000_000, False, "sitemap URLs"),
    "heal_max": (int, 0, 1_000_000, False, "posts per run"),
    "min_recall": (float, 0, 1, False, "a fraction"),
    "max_run_time": (float, 0, 30 * 24 * HOUR, True, "seconds"),
    "keep_runs": (int, 0, 1_000_000, False, "runs kept whole (0 keeps every run)"),
    "parse_workers": (int, 0, 64, False, "processes (0 parses in the crawl's own)"),
    "parse_worker_min_pages": (int, 0, 1_000_000_000, False, "pages"),
}


def check(name: str, value: object) -> None:
    """Raise SettingsError unless `value` is allowed for setting `name`."""
    if name in RANGES:
        _check_number(name, value, *RANGES[name])
    elif name == "site":
        _check_site(value)
    elif name in ("full", "progress", "audit", "rest_check") and not isinstance(value, bool):
        raise SettingsError(f"setting {name!r}: {value!r} is not true or false")
    elif name == "contact":
        check_contact(value)
    elif name == "heading_dates" and value not in HEADING_DATES:
        raise SettingsError(f"setting 'heading_dates': {value!r}; allowed: auto, on or off")
    elif name == "boilerplate":
        check_boilerplate(value)
    elif name == "archives":
        for archive in value if isinstance(value, tuple) else (value,):
            _check_archive(archive)


def _check_number(
    name: str, value: object, kind: type, low: float, high: float, open_low: bool, unit: str
) -> None:
    if name == "rate" and value == 0 and not isinstance(value, bool):
        return  # 0 is the documented "no limit"
    if _in_range(value, kind is int, low, high, open_low):
        return
    raise SettingsError(f"setting {name!r}: {value!r} is out of range; allowed: {allowed(name)}")


def allowed(name: str) -> str:
    """The range of numeric setting `name` in words: "an integer from 1 to 100 (requests at
    once)"."""
    kind, low, high, open_low, unit = RANGES[name]
    what = "an integer" if kind is int else "a number"
    span = (
        f"above {_n(low)} and at most {_n(high)}" if open_low else f"from {_n(low)} to {_n(high)}"
    )
    if name == "rate":
        what = "0 (no limit) or " + what
    return f"{what} {span} ({unit})"


def _n(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _in_range(value: object, integer: bool, low: float, high: float, open_low: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int if integer else int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):  # NaN compares false to all
        return False
    return (low < value if open_low else low <= value) and value <= high


def _check_site(value: object) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    try:
        port_ok = parts is not None and (parts.port or 1) > 0
    except ValueError:
        port_ok = False
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
        or not port_ok
    ):
        raise SettingsError(
            f"setting 'site': {value!r} is not an http(s) origin; allowed: scheme and host "
            "(and port), nothing else, e.g. https://cssamerica.com"
        )


def _check_archive(value: object) -> None:
    text = value if isinstance(value, str) else ""
    scheme = urlsplit(text).scheme if text.isprintable() else "bad"
    if not text or scheme not in ("", "http", "https"):
        raise SettingsError(
            f"setting 'archives': {value!r} is not an archive; allowed: a path on the site "
            "(/tag/resolve/) or an http(s) URL"
        )


def _coerce(name: str, value: object) -> object:
    """Turn a config-file or environment value into the field's type, naming the field on error."""
    kind = type(getattr(Settings(), name))
    try:
        if kind is Path:
            return Path(str(value))
        if name == "heading_dates":
            return switch(value)
        if kind is tuple:
            # A pattern may hold commas: boilerplate from a variable is one pattern a line.
            split = "\n" if name == "boilerplate" else ","
            items = value if isinstance(value, list | tuple) else str(value).split(split)
            return tuple(str(v).strip() for v in items if str(v).strip())
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(text)
            return text in ("1", "true", "yes", "on")
        # TOML hands over numbers: int() would quietly take 2.5 or true for a count.
        if isinstance(value, bool) or (kind is int and isinstance(value, float)):
            raise ValueError(value)
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        if name in RANGES:  # the same range as a value out of it
            what = "an integer" if kind is int else "a number"
            why = f"{value!r} is not {what}; allowed: {allowed(name)}"
        else:
            why = f"cannot use {value!r} as {kind.__name__}"
        raise SettingsError(f"setting {name!r}: {why}") from None


def _take(source: str, name: str, value: object, *, coerce: bool = True) -> object:
    """One value from one source, converted and checked; the error says where it came from."""
    try:
        value = _coerce(name, value) if coerce else value
        check(name, value)
    except SettingsError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    return value


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> Settings:
    """Settings from, lowest to highest priority: defaults, `etl.toml`, `ETL_*` variables, flags
    (`overrides`; a numeric one may be the text typed). Every value is checked against its
    range as it is read.

    `config` defaults to `./etl.toml` when that file exists. Unknown keys are errors, so a
    typo in a cron job's environment or config file is loud, not ignored. Raises SettingsError.
    """
    import os
    import tomllib

    names = {f.name for f in fields(Settings)}
    values: dict[str, object] = {}
    path = config if config is not None else Path(CONFIG_NAME)
    if config is not None or path.exists():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"config file {path}: {exc}") from None
        for key, value in table.items():
            if key not in names:
                raise SettingsError(f"config file {path}: unknown setting {key!r}")
            values[key] = _take(f"config file {path}", key, value)
    for key, value in (os.environ if env is None else env).items():
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in names:
            name = key[len(ENV_PREFIX) :].lower()
            values[name] = _take(f"environment variable {key}", name, value)
    for key, value in (overrides or {}).items():
        if value is not None:
            flag = "--" + key.replace("_", "-")
            typed = isinstance(value, str) and key in RANGES  # a numeric flag as typed
            values[key] = _take(f"flag {flag}", key, value, coerce=typed)
    return replace(Settings(), **values)  # type: ignore[arg-type]
