"""Content-codings (RFC 9110 8.4) decoded as a stream, a bounded piece at a time. Pure: bytes
in, bytes out.

httpx inflates each network chunk in one call (64 KB of a gzip bomb is 64 MB at once) and
unwraps as many layers as the header lists. Here every layer is a zlib decompressobj asked for
at most `PIECE` bytes per call, layers feed each other piece by piece, and the caller adds the
pieces up against its cap: however hostile the body, memory holds a few pieces per layer. At
most `MAX_CODINGS` layers are accepted, and only the codings the client asks for (gzip; and
deflate, which costs nothing to accept): brotli and zstd are not asked for, so not accepted.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

MAX_CODINGS = 2
PIECE = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
# Coding -> zlib's wbits: 16 + 15 is the gzip wrapper, 15 the zlib one (deflate's, RFC 9110).
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class CodingError(ValueError):
    """A body we will not (or cannot) decode: the message names the codings and why."""


def parse_codings(values: Iterable[str]) -> list[str]:
    """The codings of `Content-Encoding` values, in the order they were applied; `identity`
    dropped. CodingError when one is not accepted or there are more than `MAX_CODINGS`."""
    found = [c.strip().lower() for v in values for c in v.split(",")]
    found = [c for c in found if c and c != "identity"]
    if len(found) > MAX_CODINGS:
        raise CodingError(
            f"content-codings {', '.join(found)}: {len(found)} layers, at most {MAX_CODINGS} "
            "accepted"
        )
    for coding in found:
        if coding not in _WBITS:
            raise CodingError(f"content-coding {coding!r} was not asked for (only gzip, deflate)")
    return found


class _Layer:
    """One coding undone, `PIECE` bytes of output at most per zlib call."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self.z = zlib.decompressobj(_WBITS[coding])
        self.started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        full = False  # the last call filled its piece: zlib may hold more for the input it has
        while data or full:
            if self.z.eof:
                if self.coding == "deflate" or not data.startswith(_GZIP_MAGIC):
                    return  # bytes after the end of the stream: not part of the body
                self.z = zlib.decompressobj(_WBITS[self.coding])  # the next gzip member
            out = self._inflate(data)
            data = self.z.unused_data if self.z.eof else self.z.unconsumed_tail
            full = len(out) == PIECE
            if out:
                yield out

    def _inflate(self, data: bytes) -> bytes:
        first, self.started = not self.started, True
        try:
            return self.z.decompress(data, PIECE)
        except zlib.error as exc:
            if first and self.coding == "deflate":
                # Many servers send raw deflate (RFC 1951) without the zlib wrapper.
                self.z = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._inflate(data)
            raise CodingError(
                f"content-coding {self.coding}: the body does not decode ({exc})"
            ) from None


class Decoder:
    """`feed(raw)` yields the decoded body in pieces of at most `PIECE` bytes.

    Each layer gives all it can for the input it has before `feed` returns, so nothing waits
    inside at the end (a stream cut short yields what it holds; the parser names a cut page).
    """

    def __init__(self, codings: Iterable[str]) -> None:
        # Applied first, undone last: the layers run from the last coding listed.
        self.layers = [_Layer(c) for c in reversed(list(codings))]

    def feed(self, raw: bytes) -> Iterator[bytes]:
        return _through(self.layers, raw)


def _through(layers: list[_Layer], data: bytes) -> Iterator[bytes]:
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data):
        yield from _through(layers[1:], piece)
