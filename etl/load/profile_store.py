"""The site profile in the data folder (`DATA_DIR/profile.json`), and the settings' part of it.

A full run learns the profile from its first archive pages and writes it here atomically;
every later run (incremental, `etl rebuild`, `etl probe`) reads it and gives it to the
parser, so a run that sees one page still knows where the teaser block sits. The site's own
rules are settings (`heading_dates`, `boilerplate`), laid over whatever was learned.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

from etl.files import write_json
from etl.parse.profile import DEFAULT, Profile, from_json, to_json
from etl.settings import Settings

log = logging.getLogger(__name__)

PROFILE_NAME = "profile.json"


def profile_path(data_dir: Path) -> Path:
    return data_dir / PROFILE_NAME


def configured(settings: Settings) -> Profile:
    """The profile a full run learns from: cssamerica's defaults with the site's settings.

    `heading_dates` "auto" starts on; learning turns it off where the headings carry none.
    """
    return replace(
        DEFAULT,
        heading_dates=settings.heading_dates != "off",
        boilerplate=settings.boilerplate,
    )


def for_run(settings: Settings, stored: Profile | None) -> Profile:
    """The profile a run parses with: the stored one, the settings' rules laid over it."""
    if stored is None:
        return configured(settings)
    switch = {"on": True, "off": False}.get(settings.heading_dates, stored.heading_dates)
    return replace(stored, heading_dates=switch, boilerplate=settings.boilerplate)


def settle(settings: Settings, learned: Profile) -> Profile:
    """A learned profile with the settings' word on headings (a rule turned on stays on)."""
    return replace(learned, heading_dates=True) if settings.heading_dates == "on" else learned


def read_profile(data_dir: Path) -> tuple[Profile | None, str | None]:
    """(the stored profile, None), (None, None) when there is none yet, or (None, why) when
    the file cannot be used: the run then reads as on its first day, and says so."""
    path = profile_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{path}: {exc.strerror or exc}"
    try:
        return from_json(json.loads(text)), None
    except ValueError as exc:  # JSONDecodeError too
        why = f"{path}: {exc}"
        log.warning("site profile ignored: %s", why)
        return None, why


def write_profile(profile: Profile, data_dir: Path) -> Path:
    """Replace the stored profile atomically (a reader sees the old file or the new one)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = profile_path(data_dir)
    write_json(to_json(profile), path)
    return path
