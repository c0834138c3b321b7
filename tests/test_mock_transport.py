"""`run_corpus(settings, transport=...)`: the whole run over an `httpx.MockTransport` serving a
tiny site (robots.txt, a sitemap index naming one tag archive, that archive's page). The site's
host cannot resolve, so the run succeeds only if every request goes through the transport and
the reachability check is skipped."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from etl.pipeline import run_corpus
from etl.settings import Settings
from tests.test_pipeline import as_contract

FIXTURES = Path(__file__).parent / "fixtures" / "site"
SNAP2 = FIXTURES / "snapshot-2"
LIVE = "https://cssamerica.com"
SITE = "https://blog.example.invalid"  # never resolves: the network is never an option
ARCHIVE = "/tag/government/"
FIELDS = ("url", "wp_id", "heading", "title", "date", "date_raw", "date_source",
          "published_at", "categories", "tags", "text")  # fmt: skip
INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>
<loc>{LIVE}/wp-sitemap-taxonomies-post_tag-1.xml</loc></sitemap></sitemapindex>"""
TAGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{LIVE}{ARCHIVE}</loc></url></urlset>"""


def tiny_site() -> dict[str, tuple[str, bytes]]:
    """Path -> (content type, body), links moved to SITE the way the replay server does."""
    pages = {
        "/robots.txt": ("text/plain", (SNAP2 / "robots.txt").read_bytes()),
        "/wp-sitemap.xml": ("application/xml", INDEX.encode()),
        "/wp-sitemap-taxonomies-post_tag-1.xml": ("application/xml", TAGS.encode()),
        ARCHIVE: ("text/html; charset=UTF-8", (SNAP2 / "tag/government/index.html").read_bytes()),
    }
    return {
        p: (kind, body.replace(LIVE.encode(), SITE.encode())) for p, (kind, body) in pages.items()
    }


def test_run_corpus_over_a_mock_transport_writes_the_archives_posts(tmp_path: Path) -> None:
    site, asked = tiny_site(), []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.host != "blog.example.invalid" or request.url.path not in site:
            return httpx.Response(404, stream=httpx.ByteStream(b"not found"))
        kind, body = site[request.url.path]
        # A stream, not `content=`: the client reads the raw body as it arrives.
        return httpx.Response(200, headers={"Content-Type": kind}, stream=httpx.ByteStream(body))

    settings = Settings(
        site=SITE, data_dir=tmp_path, rate=0, progress=False, contact="tests@example.org"
    )
    report = run_corpus(settings, transport=httpx.MockTransport(answer))

    assert report.exit_status == 0, (report.reason, report.failures)
    assert report.published and report.posts["new"] == 3
    assert {"/robots.txt", "/wp-sitemap.xml", ARCHIVE} <= set(asked)
    posts = pq.read_table(tmp_path / "processed" / "posts.parquet").to_pylist()
    got = sorted((as_contract(r, FIELDS, SITE) for r in posts), key=lambda r: r["url"])
    expected = json.loads((FIXTURES / "expected" / "snapshot-2" / "posts.json").read_text())
    want = sorted((p for p in expected if p["tags"] == ["government"]), key=lambda r: r["url"])
    assert [r["url"] for r in got] == [r["url"] for r in want] and len(got) == 3
    for row, wanted in zip(got, want, strict=True):
        for name in FIELDS:  # field by field, so a failure names the field
            assert row[name] == wanted[name], (wanted["url"], name)
