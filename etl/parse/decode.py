"""Bytes -> str the way browsers do it: BOM, HTTP charset, `<meta>`, UTF-8, windows-1252.

The HTML parser (lexbor) only takes UTF-8, so the parse stage always receives str.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# The WHATWG Encoding Standard maps these labels to windows-1252, as browsers do.
_AS_CP1252 = {"iso8859-1", "latin-1", "ascii", "cp1252"}


def _codec(label: str | None) -> str | None:
    """Python's codec name for a charset label; None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _declared(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """The charset the HTTP header names, else the one a `<meta>` in the first 1024 bytes names."""
    m = _HEADER_CHARSET.search(content_type or "")
    if m:
        return m[1], "header"
    meta = _META_CHARSET.search(body[:1024])
    if meta:
        return meta[1].decode("ascii", "replace"), "meta"
    return None, None


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """(text, problem): never raises; a problem names what did not go to plan."""
    label, where = _declared(body, content_type)
    for bom, name in _BOMS:
        if body.startswith(bom):  # the BOM wins (WHATWG); a header that disagrees is noted
            said = _codec(label) if where == "header" else None
            clash = (
                f"BOM says {name} but the header says {label}" if said not in (None, name) else None
            )
            return body[len(bom) :].decode(name, errors="replace"), clash
    codec = _codec(label)
    problem = None
    if label and codec is None:
        problem = f"unknown charset {label!r} in {where}"
    if codec == "cp1252" and not body.isascii() and (utf8 := _utf8(body)) is not None:
        # Multi-byte UTF-8 is never cp1252 text by chance: the label is wrong (mojibake else).
        return utf8, f"{where} says {label} but the body is UTF-8; read as UTF-8"
    if codec is not None:
        try:
            return body.decode(codec), None
        except (UnicodeDecodeError, LookupError):
            problem = f"body is not valid {label} as the {where} says"
    try:
        return body.decode("utf-8"), problem
    except UnicodeDecodeError:
        pass
    # windows-1252 leaves only 5 bytes undefined; those become U+FFFD.
    text = body.decode("cp1252", errors="replace")
    problem = problem or "no charset declared and not UTF-8: read as windows-1252"
    if "\ufffd" in text:
        problem = (problem + "; " if problem else "") + "undecodable bytes replaced"
    return text, problem
