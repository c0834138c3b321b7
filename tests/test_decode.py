import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from etl.parse.decode import Decoded, decode, decode_html
from etl.parse.encodings import encoding_for
from etl.records import Fetch

SNAP2 = Path(__file__).parent / "fixtures" / "site" / "snapshot-2"
URL = "https://cssamerica.com/tag/resolve/"

QUOTED = "“Thank you” – it’s"


def test_utf8_without_charset() -> None:
    assert decode_html(QUOTED.encode(), None) == (QUOTED, None)


def test_cp1252_smart_quotes_without_charset_fall_back_and_are_reported() -> None:
    text, problem = decode_html(QUOTED.encode("cp1252"), "text/html")
    assert text == QUOTED
    assert problem is not None and "windows-1252" in problem


def test_wrong_header_charset_falls_back_and_is_reported() -> None:
    text, problem = decode_html(QUOTED.encode("cp1252"), "text/html; charset=UTF-8")
    assert text == QUOTED
    assert problem is not None and "UTF-8" in problem


def test_header_charset_wins_over_meta() -> None:
    body = b'<meta charset="utf-8"><p>caf\xe9</p>'
    assert (
        decode_html(body, "text/html; charset=ISO-8859-1")[0] == '<meta charset="utf-8"><p>café</p>'
    )


def test_a_single_byte_label_on_a_utf8_body_is_read_as_utf8_and_reported() -> None:
    text, problem = decode_html(QUOTED.encode(), "text/html; charset=iso-8859-1")
    assert text == QUOTED  # not "â€œThank youâ€\x9d"
    assert problem is not None and "UTF-8" in problem


def test_latin1_label_means_windows_1252() -> None:
    # Browsers read iso-8859-1 as windows-1252: 0x93/0x94 are curly quotes, not controls.
    assert decode_html(b"\x93x\x94", "text/html; charset=iso-8859-1") == ("“x”", None)


def test_bom_beats_everything() -> None:
    body = b"\xef\xbb\xbf" + QUOTED.encode()
    assert decode_html(body, "text/html; charset=utf-8") == (QUOTED, None)
    # A header that disagrees loses, and the disagreement is reported.
    text, problem = decode_html(body, "text/html; charset=windows-1252")
    assert text == QUOTED and problem is not None and "BOM" in problem
    assert decode_html(b"\xff\xfe" + "é".encode("utf-16-le"), None) == ("é", None)


def test_meta_charset_and_http_equiv() -> None:
    body = b'<html><head><meta charset="windows-1252"></head>\x93x\x94'
    assert decode_html(body, None)[0].endswith("“x”")
    body = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">\xe9'
    assert decode_html(body, None)[0].endswith("é")


def test_meta_after_1024_bytes_is_ignored() -> None:
    body = b" " * 1100 + b'<meta charset="koi8-r">' + "é".encode()
    assert decode_html(body, None) == (body.decode(), None)


def test_never_raises() -> None:
    assert decode_html(b"\x81\x8d", "text/html; charset=nonsense")[1] is not None
    assert decode_html(b"", None) == ("", None)


# -- The WHATWG order, labels and replacement (hostile input) ---------------------------------

HEADING = "Patient Hosts for Naïve Guests – 6/14/11"


def test_declared_utf8_with_a_few_bad_bytes_keeps_the_damage_in_those_bytes() -> None:
    # One post of a UTF-8 page holds a stray windows-1252 byte (0x92, a curly apostrophe).
    body = f"<h2>{HEADING}</h2><p>it\x00s</p><h2>{HEADING}</h2>".encode().replace(b"\x00", b"\x92")
    for content_type, html in (
        ("text/html; charset=UTF-8", body),
        (None, b"<meta charset=utf-8>" + body),
    ):
        decoded = decode(html, content_type)
        assert decoded.encoding == "utf-8" and decoded.replaced == 1
        assert decoded.text.endswith(f"<h2>{HEADING}</h2><p>it\ufffds</p><h2>{HEADING}</h2>")
        assert decoded.problem is not None and "U+FFFD" in decoded.problem


def test_declared_utf8_with_more_bad_bytes_than_good_characters_is_still_utf8() -> None:
    # Three valid multi-byte characters (ï – –) and four stray 0x92 bytes: one valid sequence
    # shows the body is UTF-8, so the bad bytes become U+FFFD, not "NaÃ¯ve Guests â€“".
    body = "<p>Naïve Guests – it\x00s \x00 \x00 \x00 –</p>".encode().replace(b"\x00", b"\x92")
    for content_type, html in (
        ("text/html; charset=utf-8", body),
        (None, b'<meta charset="utf-8">' + body),
    ):
        decoded = decode(html, content_type)
        assert decoded.encoding == "utf-8" and decoded.replaced == 4
        assert decoded.text.endswith("<p>Naïve Guests – it\ufffds \ufffd \ufffd \ufffd –</p>")
        assert decoded.problem is not None and "U+FFFD" in decoded.problem


def test_a_legacy_body_under_a_utf8_label_is_read_as_windows_1252() -> None:
    # Not one multi-byte UTF-8 sequence, many invalid ones: the label is wrong for the whole body.
    decoded = decode(QUOTED.encode("cp1252") * 3, "text/html; charset=utf-8")
    assert decoded.text == QUOTED * 3 and decoded.encoding == "windows-1252"
    assert decoded.problem is not None and "not UTF-8" in decoded.problem


@pytest.mark.parametrize(
    ("label", "encoding"),
    [
        ("latin1", "windows-1252"),
        ("ISO-8859-1", "windows-1252"),
        ("us-ascii", "windows-1252"),
        (" Windows-1252 ", "windows-1252"),
        ("iso-8859-9", "windows-1254"),
        ("tis-620", "windows-874"),
        ("gb2312", "gbk"),
        ("x-sjis", "shift_jis"),
        ("ks_c_5601-1987", "euc-kr"),
        ("utf8", "utf-8"),
        ("unicode-1-1-utf-8", "utf-8"),
    ],
)
def test_labels_mean_what_the_encoding_standard_says(label: str, encoding: str) -> None:
    assert encoding_for(label) == encoding


@pytest.mark.parametrize("label", ["utf-32", "cp500", "ebcdic-cp-us", "latin-1", "utf-7", ""])
def test_labels_the_standard_does_not_know_are_no_labels(label: str) -> None:
    assert encoding_for(label) is None
    text, problem = decode_html("é".encode(), f"text/html; charset={label}")
    assert text == "é"  # as if nothing were declared: UTF-8 since the bytes are UTF-8
    assert (problem is None) == (label == "")


def test_iso_8859_1_reads_0x80_as_the_euro_sign_and_iso_8859_9_as_windows_1254() -> None:
    assert decode_html(b"\x80 \x9c", "text/html; charset=iso-8859-1") == ("€ œ", None)
    assert decode_html(b"\xfd\x80", "text/html; charset=iso-8859-9") == ("ı€", None)


def test_the_order_is_bom_then_header_then_meta_then_sniffing() -> None:
    meta = b'<meta charset="koi8-r">\xc1'
    assert decode(b"\xef\xbb\xbf" + meta, "text/html; charset=iso-8859-2").encoding == "utf-8"
    assert decode(meta, "text/html; charset=iso-8859-2").text.endswith("Á")
    assert decode(meta, "text/html").text.endswith("а")  # koi8-r 0xC1 is Cyrillic a
    assert decode(b"<p>\xc1", None).encoding == "windows-1252"  # nothing declared, not UTF-8


def test_prescan_skips_comments_and_reads_http_equiv_and_later_metas() -> None:
    hidden = b'<!-- <meta charset="koi8-r"> --><meta charset="iso-8859-2">\xc1'
    assert decode(hidden, None).encoding == "iso-8859-2"
    unclosed = b'<!-- <meta charset="koi8-r">\xc1'
    assert decode(unclosed, None).encoding == "windows-1252"
    unknown_first = (
        b'<meta charset="bogus">'
        b"<meta http-equiv=Content-Type content=\"text/html;charset='koi8-r'\">"
    )
    decoded = decode(unknown_first + b"\xc1", None)
    assert decoded.encoding == "koi8-r" and decoded.text.endswith("а")
    # A <meta> that names UTF-16 means UTF-8 (its own bytes are ASCII); x-user-defined 1252.
    assert decode(b'<meta charset="utf-16le">' + "é".encode(), None).encoding == "utf-8"
    assert decode(b'<meta charset="x-user-defined">\x80', None).text.endswith("€")
    # Without http-equiv a content attribute names nothing.
    assert decode(b'<meta name=x content="charset=koi8-r">\xc1', None).source == "sniffed"


def test_the_replacement_encoding_and_x_user_defined() -> None:
    decoded = decode(b"<p>\x1b$)C", "text/html; charset=iso-2022-kr")
    assert decoded.text == "\ufffd" and decoded.problem is not None
    assert decode(b"a\x80", "text/html; charset=x-user-defined").text == "a\uf780"


def test_utf16_boms_and_a_bom_that_disagrees_with_the_header() -> None:
    assert decode(b"\xfe\xff" + "é".encode("utf-16-be"), None).text == "é"
    decoded = decode(b"\xff\xfe" + "é".encode("utf-16-le"), "text/html; charset=utf-8")
    assert decoded.text == "é" and decoded.problem is not None and "BOM" in decoded.problem


@given(
    st.binary(max_size=300),
    st.sampled_from(
        [
            None,
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=latin1",
            "text/html; charset=shift_jis",
            'charset="',
            "charset=utf-16",
        ]
    ),
)
def test_decode_never_raises_and_counts_each_replacement(
    body: bytes, content_type: str | None
) -> None:
    decoded = decode(body, content_type)
    assert isinstance(decoded.text, str)
    assert decoded.replaced <= decoded.text.count("\ufffd")
    assert (decoded.replaced > 0) <= (decoded.problem is not None)


@given(st.text(max_size=200))
def test_undeclared_utf8_reads_back_exactly(text: str) -> None:
    assume(not text.startswith("\ufeff") and "<meta" not in text.lower())
    assert decode(text.encode(), None) == Decoded(text, "utf-8", "sniffed")


def test_damaged_records_names_the_posts_that_hold_u_fffd() -> None:
    from etl.parse.page import parse_fetch

    page = (SNAP2 / "tag/resolve/index.html").read_bytes().replace(b"&#8211;", "–".encode())
    bad = page.replace(b"Are you ever been exhausted", b"Are you \xe9ver been exhausted")
    fetch = Fetch(
        URL,
        200,
        dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        (("Content-Type", "text/html; charset=UTF-8"),),
        bad,
    )
    parsed = parse_fetch(fetch)
    good = parse_fetch(replace(fetch, body=page))
    assert [p.code for p in parsed.problems] == ["page.decoding", "post.decoding"]
    problem = parsed.problems[1]
    assert problem.url.endswith("/emotions-take-energy-3-1-16-customer-service-tip/")
    assert problem.record_kind == "post" and "\ufffd" in problem.excerpt and not problem.drift
    for before, after in zip(good.posts, parsed.posts, strict=True):
        if after.url == problem.url:  # the damage stays in the one bad byte
            assert after.text == before.text.replace("Are you ever", "Are you \ufffdver")
            assert (after.title, after.date) == (before.title, before.date)
        else:
            assert after == before
