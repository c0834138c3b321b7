"""Bytes -> str in the WHATWG Encoding Standard's order, as browsers read HTML: a BOM, else the
HTTP charset, else a `<meta>` in the first 1024 bytes, else (nothing declared) UTF-8 when the
bytes are UTF-8, else windows-1252. Labels mean what the standard says (etl/parse/encodings.py).

Decoding never fails: a byte sequence the encoding cannot read becomes U+FFFD, so the damage
stays in the bytes that were bad and the rest of the page reads right. `Decoded` says which
encoding was used, why, and how many sequences were replaced; `damaged_records` names the
records of a parsed page that hold one. The HTML parser (lexbor) only takes UTF-8, so the parse
stage always receives str.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from etl.parse.encodings import codec, encoding_for
from etl.records import Page, Problem

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s\"';]+)", re.IGNORECASE)
# The prescan's view of the first 1024 bytes: comments (an unclosed one runs to the end) and
# tags other than <meta> are stepped over whole, so a <meta> inside them is not read.
_PRESCAN = re.compile(
    rb"<!--(?:.*?-->|.*)|<meta[\s/](?P<attrs>[^>]*)|<[!/?]?[a-z][^>]*", re.IGNORECASE | re.DOTALL
)
_ATTR = re.compile(rb"""([^\s/>=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_CONTENT_CHARSET = re.compile(
    rb"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))""", re.IGNORECASE
)
_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
_X_USER_DEFINED = {i: 0xF780 + i - 0x80 for i in range(0x80, 0x100)}


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # the WHATWG name: "utf-8", "windows-1252", ...
    source: str  # what chose it: "bom", "header", "meta", or "sniffed" (nothing declared)
    replaced: int = 0  # byte sequences the encoding could not read: each is one U+FFFD
    problem: str | None = None  # one sentence, when anything did not go to plan


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """(text, problem): `decode` for callers that need no more."""
    decoded = decode(body, content_type)
    return decoded.text, decoded.problem


def decode(body: bytes, content_type: str | None) -> Decoded:
    """The body as text, never raising; `problem` names what did not go to plan."""
    header = m[1] if (m := _HEADER_CHARSET.search(content_type or "")) else None
    for bom, bom_name in _BOMS:
        if body.startswith(bom):  # the BOM wins (WHATWG); a header that disagrees is noted
            said = encoding_for(header)
            clash = None
            if said not in (None, bom_name):
                clash = f"BOM says {bom_name} but the header says {header}"
            return _read(body[len(bom) :], bom_name, "bom", clash)
    notes = []
    if header is not None:
        if (name := encoding_for(header)) is not None:
            return _declared(body, name, "header", header)
        notes.append(f"unknown charset {header!r} in the header")
    label, name, unknown = _prescan(body[:1024])
    notes += [f"unknown charset {u!r} in <meta>" for u in unknown]
    if label is not None and name is not None:
        return _declared(body, name, "meta", label)
    note = "; ".join(notes) or None
    if (utf8 := _utf8(body)) is not None:
        return Decoded(utf8, "utf-8", "sniffed", 0, note)
    problem = "no charset declared and not UTF-8: read as windows-1252"
    problem = f"{note}; {problem}" if note else problem
    return _read(body, "windows-1252", "sniffed", problem)


def _declared(body: bytes, name: str, source: str, label: str) -> Decoded:
    """A body whose header or `<meta>` names `name`; a label the whole body contradicts loses."""
    if name == "windows-1252" and not body.isascii() and (utf8 := _utf8(body)) is not None:
        # Multi-byte UTF-8 is never windows-1252 text by chance: the label is wrong.
        problem = f"{source} says {label} but the body is UTF-8; read as UTF-8"
        return Decoded(utf8, "utf-8", source, 0, problem)
    if name == "utf-8" and _utf8(body) is None:
        text = body.decode("utf-8", errors="replace")
        legit = body.count(b"\xef\xbf\xbd")  # U+FFFD the page really holds
        if not legit and not _NON_ASCII.search(text):
            # Invalid sequences and not one valid multi-byte one: a legacy page under a wrong
            # label, which windows-1252 reads whole. One valid sequence shows the body is
            # UTF-8: its bad bytes, however many, stay U+FFFD (WHATWG) and are reported.
            bad = text.count("\ufffd")
            problem = (
                f"{source} says {label} but the body is not UTF-8 ({bad} invalid "
                "sequences, no valid multi-byte one); read as windows-1252"
            )
            return _read(body, "windows-1252", source, problem)
    if name == "replacement":
        problem = f"{source} names {label}, which the Encoding Standard never decodes"
        return Decoded("\ufffd" if body else "", name, source, 1 if body else 0, problem)
    return _read(body, name, source, None)


def _read(body: bytes, name: str, source: str, problem: str | None) -> Decoded:
    text, replaced = _text(body, name)
    if replaced:
        note = f"{replaced} byte sequence(s) not valid {name} ({source}) replaced with U+FFFD"
        problem = f"{problem}; {note}" if problem else note
    return Decoded(text, name, source, replaced, problem)


def _text(body: bytes, name: str) -> tuple[str, int]:
    """(text, sequences replaced) of `body` in the WHATWG encoding `name`."""
    if name == "x-user-defined":
        return body.decode("latin-1").translate(_X_USER_DEFINED), 0
    try:
        return body.decode(codec(name)), 0
    except UnicodeDecodeError:
        pass
    # The standard maps the five bytes windows-1252 leaves undefined to C1 controls; here they
    # become U+FFFD like every other unreadable byte, so they are counted and reported.
    text = body.decode(codec(name), errors="replace")
    try:  # U+FFFD the page really holds (UTF-8 EF BF BD, ...) is no replacement
        legit = body.count("\ufffd".encode(codec(name)))
    except UnicodeEncodeError:
        legit = 0
    return text, max(1, text.count("\ufffd") - legit)


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _prescan(head: bytes) -> tuple[str | None, str | None, list[str]]:
    """(label, WHATWG name, unknown labels) of the first `<meta>` in `head` naming a known
    encoding: `charset=`, or `http-equiv="content-type"` with `content="...; charset=..."`."""
    unknown: list[str] = []
    for tag in _PRESCAN.finditer(head):
        if tag["attrs"] is None:
            continue
        attrs: dict[bytes, bytes] = {}
        for m in _ATTR.finditer(tag["attrs"]):
            attrs.setdefault(m[1].lower(), m[2] or m[3] or m[4] or b"")
        raw = attrs.get(b"charset")
        if raw is None and attrs.get(b"http-equiv", b"").strip().lower() == b"content-type":
            found = _CONTENT_CHARSET.search(attrs.get(b"content", b""))
            raw = (found[1] or found[2] or found[3]) if found else None
        if raw is None:
            continue
        label = raw.decode("ascii", "replace").strip()
        name = encoding_for(label)
        if name is None:
            unknown.append(label)
            continue
        # A <meta> cannot name UTF-16 (the bytes it stands in would not be ASCII) (WHATWG).
        name = {"utf-16be": "utf-8", "utf-16le": "utf-8", "x-user-defined": "windows-1252"}.get(
            name, name
        )
        return label, name, unknown
    return None, None, unknown


_RECORD_FIELDS = {"post": ("heading", "text", "html"), "teaser": ("heading", "excerpt")}


def damaged_records(page: Page, decoded: Decoded) -> tuple[Problem, ...]:
    """A record-level problem for each post and teaser of a page that was decoded with
    replacements and holds U+FFFD: the record is kept (the rest of it reads right) and named."""
    if not decoded.replaced:
        return ()
    found = []
    for kind, records in (("post", page.posts), ("teaser", page.teasers)):
        for record in records:
            damaged = [f for f in _RECORD_FIELDS[kind] if "\ufffd" in getattr(record, f)]
            if not damaged:
                continue
            value = getattr(record, damaged[0])
            at = value.index("\ufffd")
            detail = (
                f"U+FFFD in {', '.join(damaged)}: bytes the page's encoding "
                f"({decoded.encoding}) cannot read were replaced"
            )
            excerpt = value[max(0, at - 80) : at + 80]
            problem = Problem(
                code=f"{kind}.decoding", url=record.url, detail=detail, record_kind=kind,
                excerpt=excerpt,
            )  # fmt: skip
            found.append(problem)
    return tuple(found)
