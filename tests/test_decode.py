from etl.parse.decode import decode_html

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
