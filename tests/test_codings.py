"""Content-codings decoded as a stream: nested layers undone piece by piece, at most two, only
the ones asked for, and the size cap on decoded bytes as they come."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.crawl.client import REFUSED_CODING, REFUSED_TOO_LARGE, Client, Stats
from etl.crawl.codings import PIECE, CodingError, Decoder, parse_codings
from etl.records import Fetch
from etl.replay.server import ReplayServer, serve
from tests.replay_settings import fast_settings

SNAP2 = Path(__file__).parent / "fixtures" / "site" / "snapshot-2"
PAGE = (SNAP2 / "tag/resolve/index.html").read_bytes()


def deflate(data: bytes, raw: bool = False) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    return z.compress(data) + z.flush()


ENCODE = {"gzip": lambda d: gzip.compress(d, mtime=0), "deflate": deflate}


def encode(data: bytes, codings: list[str]) -> bytes:
    for coding in codings:  # in the order the header lists them: the first applied first
        data = ENCODE[coding](data)
    return data


def decode_all(body: bytes, codings: list[str], chunk: int = 4096) -> list[bytes]:
    decoder = Decoder(codings)
    return [p for i in range(0, len(body), chunk) for p in decoder.feed(body[i : i + chunk])]


def test_parse_codings_drops_identity_and_refuses_what_was_not_asked_for() -> None:
    assert parse_codings(["gzip, identity", "x-gzip"]) == ["gzip", "x-gzip"]
    assert parse_codings([]) == [] and parse_codings(["Deflate"]) == ["deflate"]
    with pytest.raises(CodingError, match="gzip, gzip, gzip: 3 layers, at most 2"):
        parse_codings(["gzip, gzip", "gzip"])
    for coding in ("br", "zstd", "compress"):
        with pytest.raises(CodingError, match=f"'{coding}' was not asked for"):
            parse_codings([coding])


@given(
    st.binary(max_size=5000),
    st.lists(st.sampled_from(["gzip", "deflate"]), max_size=2),
    st.integers(1, 3000),
)
def test_nested_layers_decode_to_the_original_in_bounded_pieces(
    data: bytes, codings: list[str], chunk: int
) -> None:
    pieces = decode_all(encode(data, codings), codings, chunk)
    assert b"".join(pieces) == data and all(0 < len(p) <= PIECE for p in pieces)


def test_raw_deflate_and_concatenated_gzip_members() -> None:
    assert b"".join(decode_all(deflate(PAGE, raw=True), ["deflate"])) == PAGE
    members = gzip.compress(PAGE[:100]) + gzip.compress(PAGE[100:])
    assert b"".join(decode_all(members, ["gzip"])) == PAGE
    with pytest.raises(CodingError, match="content-coding gzip: the body does not decode"):
        decode_all(b"\x1f\x8b\x08\x00garbage" * 10, ["gzip"])


def test_a_bomb_comes_out_a_piece_at_a_time() -> None:
    bomb = encode(bytes(50_000_000), ["gzip", "gzip"])  # 50 MB in a few hundred bytes
    decoder, total = Decoder(["gzip", "gzip"]), 0
    for piece in decoder.feed(bomb):
        assert len(piece) <= PIECE
        total += len(piece)
        if total > 1_000_000:
            break  # the caller stops at its cap: nothing further was inflated
    assert total <= 1_000_000 + PIECE


def fetch(srv: ReplayServer, tmp_path: Path, path: str, **kw: object) -> Fetch:
    async def go() -> Fetch:
        async with Client(fast_settings(srv, tmp_path, **kw), Stats()) as client:
            return await client.fetch(srv.url + path)

    return asyncio.run(go())


HTML = ("Content-Type", "text/html; charset=UTF-8")


@pytest.mark.parametrize("codings", [["gzip"], ["deflate"], ["gzip", "gzip"], ["deflate", "gzip"]])
def test_one_or_two_layers_are_undone(tmp_path: Path, codings: list[str]) -> None:
    with serve(SNAP2) as srv:
        encoding = ("Content-Encoding", ", ".join(codings))
        srv.override_raw("/x/", 200, encode(PAGE, codings), [HTML, encoding])
        got = fetch(srv, tmp_path, "/x/")
    assert got.status == 200 and got.error is None and got.body == PAGE


@pytest.mark.parametrize(
    ("header", "named"),
    [("gzip, gzip, gzip", "gzip, gzip, gzip: 3 layers"), ("br", "'br'"), ("zstd", "'zstd'")],
)
def test_more_than_two_codings_or_one_not_asked_for_is_refused_and_named(
    tmp_path: Path, header: str, named: str
) -> None:
    codings = [c.strip() for c in header.split(",")]
    body = encode(PAGE, codings) if set(codings) == {"gzip"} else b"\x28\xb5\x2f\xfd"
    with serve(SNAP2) as srv:
        srv.override_raw("/x/", 200, body, [HTML, ("Content-Encoding", header)])
        got = fetch(srv, tmp_path, "/x/")
    assert got.status is None and got.body == b""
    assert got.error is not None and got.error.startswith(REFUSED_CODING) and named in got.error


@pytest.mark.parametrize("codings", [["gzip"], ["gzip", "gzip"], ["deflate", "gzip"]])
def test_the_cap_is_on_decoded_bytes(tmp_path: Path, codings: list[str]) -> None:
    bomb = encode(bytes(20_000_000), codings)
    with serve(SNAP2) as srv:
        srv.override_raw("/bomb/", 200, bomb, [HTML, ("Content-Encoding", ", ".join(codings))])
        got = fetch(srv, tmp_path, "/bomb/", max_bytes=1_000_000)
    assert got.status is None and got.error is not None
    assert got.error.startswith(REFUSED_TOO_LARGE) and "1000000 bytes once decoded" in got.error
