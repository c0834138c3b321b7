"""`content_hash`: a post's content as parsed, fingerprinted. One definition, and the one before
it, so a corpus written before the change is migrated row by row, never reported as updated.

Version 2 (`CONTENT_HASH_VERSION`): blake2b, 16 bytes (32 hex digits), over the canonical JSON
of the content fields other than the text (`sort_keys`, no ASCII escaping, compact;
`published_at` as `2025-01-07T14:15:00+00:00`), a newline, and the 16-byte blake2b digest of
the text's UTF-8. JSON-escaping 2 KB of text cost half of
version 1's time; and with the text's digest kept, a post's hash can be redone for other
categories and tags without its text (a post seen unchanged keeps no text: etl.load.collect).

Version 1: sha256 (64 hex digits) of the canonical JSON of all content fields, the text
escaped. A stored hash of 64 digits is version 1: it is compared with the version 1 hash of
the post as seen now, and replaced by version 2 once the post is seen again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from json.encoder import encode_basestring as _quote  # C: ensure_ascii=False

from etl.records import Post

CONTENT_HASH_VERSION = "2"
# The fields whose change means the site changed the post (html, ids and dates' raw text
# are presentation: a theme change must not mark every post as updated).
CONTENT_FIELDS = ("title", "heading", "date", "text", "categories", "tags", "published_at")
V1_DIGITS = 64


def _head(
    title: str,
    heading: str,
    date: dt.date | None,
    published_at: dt.datetime | None,
    categories: Iterable[str],
    tags: Iterable[str],
    text: str | None,
) -> str:
    # The bytes of json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",",
    # ":")), written out key by key: json.dumps' per-call set-up cost more than the hashing.
    day = f'"{date.isoformat()}"' if date is not None else "null"
    if published_at is None:
        stamp = "null"
    elif text is None:  # version 2: ISO 8601 in UTC to the second (strftime is 3x slower)
        stamp = f'"{published_at.astimezone(dt.UTC).isoformat(timespec="seconds")}"'
    else:
        stamp = f'"{published_at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"'
    body = "" if text is None else f'"text":{_quote(text)},'
    return (
        f'{{"categories":[{",".join(map(_quote, categories))}],"date":{day},'
        f'"heading":{_quote(heading)},"published_at":{stamp},'
        f'"tags":[{",".join(map(_quote, tags))}],{body}"title":{_quote(title)}}}'
    )


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def hash_head(
    title: str,
    heading: str,
    date: dt.date | None,
    published_at: dt.datetime | None,
    digest: bytes,
    categories: Iterable[str],
    tags: Iterable[str],
) -> str:
    """Version 2 of `content_hash`, from the text's `text_digest`."""
    head = _head(title, heading, date, published_at, categories, tags, None)
    return hashlib.blake2b(head.encode() + b"\n" + digest, digest_size=16).hexdigest()


def hash_fields(
    title: str,
    heading: str,
    date: dt.date | None,
    published_at: dt.datetime | None,
    text: str,
    categories: Iterable[str],
    tags: Iterable[str],
) -> str:
    """Version 2 of `content_hash` from the fields themselves."""
    digest = text_digest(text)
    return hash_head(title, heading, date, published_at, digest, categories, tags)


def hash_fields_v1(
    title: str,
    heading: str,
    date: dt.date | None,
    published_at: dt.datetime | None,
    text: str,
    categories: Iterable[str],
    tags: Iterable[str],
) -> str:
    """Version 1, for stored hashes written before version 2."""
    head = _head(title, heading, date, published_at, categories, tags, text)
    return hashlib.sha256(head.encode()).hexdigest()


def post_hash(post: Post, categories: Iterable[str], tags: Iterable[str]) -> str:
    """`content_hash` of `post` with the given categories and tags."""
    return hash_fields(
        post.title, post.heading, post.date, post.published_at, post.text, categories, tags
    )


def same_content(stored: str, post: Post, categories: Iterable[str], tags: Iterable[str]) -> bool:
    """The stored hash is this post's, with these terms, by the definition it was made with."""
    hashed = hash_fields_v1 if len(stored) == V1_DIGITS else hash_fields
    fields = (post.title, post.heading, post.date, post.published_at, post.text)
    return hashed(*fields, categories, tags) == stored
