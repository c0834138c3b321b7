"""The one sitemap reader: strict on untrusted XML, never raises, every refusal a problem record."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.crawl.sitemaps import Sitemap, parse_sitemap
from etl.records import Problem

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
URL = "https://cssamerica.com/wp-sitemap-taxonomies-post_tag-1.xml"
LAUGHS = (
    '<!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)


def urlset(*locs: str, before: str = "", inside: str = "") -> str:
    urls = "".join(f"<url><loc>{loc}</loc>{inside}</url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>{before}<urlset xmlns="{NS}">{urls}</urlset>'


@pytest.mark.parametrize(
    "body",
    [
        urlset("&j;", before="<!-- " + "x" * 5000 + " -->" + LAUGHS),  # after a 5 KB comment
        urlset("https://cssamerica.com/tag/a/", before="<!doctype urlset>"),
        urlset('<!ENTITY x "y">'),  # anywhere, even where the parser would not read one
        urlset("&x;", before='<!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
    ],
    ids=["laughs-after-long-comment", "lowercase-doctype", "entity-in-text", "external-entity"],
)
def test_doctype_and_entities_are_refused_anywhere(body: str) -> None:
    started = time.perf_counter()
    sitemap = parse_sitemap(body.encode())
    assert time.perf_counter() - started < 1  # refused, never expanded
    assert sitemap.problem == "refused: the sitemap declares a DOCTYPE or entities"
    assert sitemap.code == "sitemap.refused" and not sitemap.entries
    assert "<!" in sitemap.excerpt


def test_a_doctype_hidden_from_the_byte_search_is_refused_by_the_parser() -> None:
    # In UTF-16 the bytes of "<!DOCTYPE" are interleaved with NULs; expat still reads them.
    body = urlset("&j;", before=LAUGHS).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    sitemap = parse_sitemap(body.encode("utf-16"))
    assert sitemap.code == "sitemap.refused" and not sitemap.entries


def test_every_unreadable_sitemap_is_a_problem_record() -> None:
    cases = {
        b"": "sitemap.not_xml",
        b"<urlset><url>": "sitemap.not_xml",
        b"\xff\xfe\x00garbage": "sitemap.not_xml",
        b"<feed/>": "sitemap.not_sitemap",
        urlset("x", before=LAUGHS).encode(): "sitemap.refused",
    }
    for body, code in cases.items():
        problem = parse_sitemap(body).to_problem(URL)
        assert isinstance(problem, Problem) and problem.code == code, body
        assert problem.url == URL and problem.detail and not problem.drift
    assert parse_sitemap(urlset("https://cssamerica.com/tag/a/").encode()).to_problem(URL) is None
    assert Sitemap(problem="HTTP 500").to_problem(URL) == Problem(
        code="sitemap.unreadable", url=URL, detail="HTTP 500", record_kind="page"
    )


def test_only_locs_where_the_protocol_puts_them_count() -> None:
    body = urlset(
        "https://cssamerica.com/tag/a/",
        inside="<lastmod>2025-01-21</lastmod><image><loc>https://x.test/i.png</loc></image>",
    )
    [entry] = parse_sitemap(body.encode()).entries
    assert entry.url == "https://cssamerica.com/tag/a/" and entry.lastmod is not None
    index = f'<sitemapindex xmlns="{NS}"><sitemap><loc> {URL} </loc></sitemap></sitemapindex>'
    assert parse_sitemap(index.encode()).children == (URL,)


def test_deep_nesting_does_not_raise() -> None:
    body = f'<urlset xmlns="{NS}">' + "<x>" * 50_000 + "</x>" * 50_000 + "</urlset>"
    assert parse_sitemap(body.encode()) == Sitemap()


PIECES = [
    "<urlset>", f'<urlset xmlns="{NS}">', "<url>", "</url>", "<loc>", "</loc>", "a", "&amp;",
    "&x;", "<!DOCTYPE", "<!--", "-->", "]]>", "<![CDATA[", "\x00", "é", "</urlset>",
]  # fmt: skip


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_parse_sitemap_never_raises(text: str) -> None:
    for body in (text.encode(), text.encode("utf-16")):
        sitemap = parse_sitemap(body)
        assert sitemap.problem is None or sitemap.to_problem(URL) is not None
