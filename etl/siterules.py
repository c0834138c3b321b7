"""Aiming etl at a site: the checks of the settings that carry the site's own rules (the
heading-date switch, the boilerplate patterns) and the operator's contact, the User-Agent
built from it, and the rule that only a loopback site may be crawled without a contact.

Pure; `etl.settings` calls these as it checks each value.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from etl.settings import Settings


class SettingsError(ValueError):
    """A bad setting: the message names the setting, the value and what is allowed (a usage
    error: the command line exits 2). Raised by `etl.settings`, which exports it."""


def agent(version: str, contact: str) -> str:
    """The User-Agent: the software and the operator's contact (never the crawled site's own
    address); a local run without a contact says so."""
    if not contact:
        return f"etl/{version} (WordPress corpus builder; local run, no contact)"
    email = "@" in contact and "://" not in contact
    link = "mailto:" + contact.removeprefix("mailto:") if email else contact
    return f"etl/{version} (WordPress corpus builder; +{link})"


HEADING_DATES = ("auto", "on", "off")
_EMAIL = re.compile(r"[^@\s()<>;,]+@[^@\s()<>;,]+\.[^@\s()<>;,.]+")


def check_contact(value: object) -> None:
    """Unset (empty), an email address or an http(s) URL, fit for a User-Agent comment."""
    if value == "":
        return
    text = value if isinstance(value, str) else ""
    parts = urlsplit(text) if text.isprintable() and not set("()\\ ") & set(text) else None
    url = parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc)
    if not (url or _EMAIL.fullmatch(text)):
        raise SettingsError(
            f"setting 'contact': {value!r} is not an email address or an http(s) URL; "
            "allowed: e.g. ops@example.org or https://example.org/contact"
        )


def check_boilerplate(value: object) -> None:
    for pattern in value if isinstance(value, tuple) else (value,):
        try:
            ok = isinstance(pattern, str) and bool(pattern.strip()) and bool(re.compile(pattern))
        except re.error as exc:
            raise SettingsError(
                f"setting 'boilerplate': {pattern!r} is not a regular expression ({exc})"
            ) from None
        if not ok:
            raise SettingsError(f"setting 'boilerplate': {pattern!r} is not a non-empty pattern")


def is_loopback(site: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: a local server (the replay server, the demo)."""
    host = (urlsplit(site).hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_contact(settings: Settings) -> None:
    """Every run that asks a site anything names its operator, unless the site is local.

    Raises SettingsError (a usage error: exit 2, before any request) saying how to set it.
    """
    if settings.contact or is_loopback(settings.site):
        return
    raise SettingsError(
        f"setting 'contact' is not set: crawling {settings.site} needs your email or URL in "
        "the User-Agent, so the site's operators can reach you; set it once in etl.toml "
        '(contact = "you@example.org"), or pass --contact, or set ETL_CONTACT '
        "(only loopback hosts, 127.0.0.0/8, ::1 and localhost, run without one)"
    )


def switch(value: object) -> str:
    """auto / on / off, as words or TOML booleans (true: on, false: off)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    text = str(value).strip().lower()
    words = {"true": "on", "yes": "on", "1": "on", "false": "off", "no": "off", "0": "off"}
    return words.get(text, text)
