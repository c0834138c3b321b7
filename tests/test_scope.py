"""Scope and safety: nothing is requested off the configured origin (a second, "foreign"
server must see no request at all), TLS verification stays on, no URL names a file on disk,
and no cookie or credential reaches the raw archive or goes back to the site."""

from __future__ import annotations

import asyncio
import gzip
import re
import ssl
from pathlib import Path

from etl.crawl.client import Client, Stats
from etl.replay.server import ReplayServer, serve
from etl.settings import Settings
from tests.reliability import SNAP2, cli, reports, run

HTML = [("Content-Type", "text/html; charset=UTF-8")]
RUN_ID = r"\d{8}T\d{6}Z-[0-9a-f]{6}"


def snapshot(srv: ReplayServer, path: str) -> str:
    """A snapshot file as the replay server would serve it."""
    text = (SNAP2 / path).read_text(encoding="utf-8")
    return text.replace("https://cssamerica.com", srv.url)


def test_no_request_leaves_the_origin_and_every_refusal_is_counted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as foreign, serve(SNAP2) as srv:
        away = foreign.url
        # robots.txt names a foreign sitemap; the category sitemap lists a foreign archive.
        robots = snapshot(srv, "robots.txt") + f"Sitemap: {away}/wp-sitemap.xml\n"
        srv.override("/robots.txt", 200, robots.encode(), [("Content-Type", "text/plain")])
        sitemap = snapshot(srv, "wp-sitemap-taxonomies-category-1.xml").replace(
            "</urlset>", f"<url><loc>{away}/category/elsewhere/</loc></url></urlset>"
        )
        srv.override("/wp-sitemap-taxonomies-category-1.xml", 200, sitemap.encode())
        # The home page links a foreign archive.
        home = snapshot(srv, "index.html").replace(
            "</body>", f'<a href="{away}/tag/elsewhere/">Elsewhere</a></body>'
        )
        srv.override("/", 200, home.encode(), HTML)
        # An archive redirects off the origin; another's next page is on another origin.
        srv.override("/tag/resolve/", 302, b"", [("Location", f"{away}/tag/resolve/")])
        retention = snapshot(srv, "tag/retention/index.html").replace(
            "</head>", f'<link rel="next" href="{away}/tag/retention/page/2/"></head>'
        )
        srv.override("/tag/retention/", 200, retention.encode(), HTML)
        done = cli(srv.url, data)
        foreign_requests = foreign.count()
        asked = [e.path for e in srv.log]
    assert foreign_requests == 0
    assert "/tag/retention/page/2/" not in asked and "/category/elsewhere/" not in asked
    assert done.returncode == 1  # a page the run could not follow is a failure
    report = reports(data)[-1]
    # foreign sitemap + sitemap entry + home link + redirect + next link
    assert report["refused"]["off_origin"] == 5
    off = {(f["url"], f["reason"]) for f in report["failures"]}
    assert off == {
        (f"{srv.url}/tag/resolve/", "off_origin"),
        (f"{away}/tag/retention/page/2/", "off_origin"),
    }
    assert all(away in f["detail"] for f in report["failures"])


def test_tls_verification_stays_on() -> None:
    async def context() -> ssl.SSLContext:
        async with Client(Settings(), Stats()) as client:
            pool = client._http._transport._pool  # httpx -> httpcore connection pool
            return pool._ssl_context  # type: ignore[no-any-return]

    ctx = asyncio.run(context())
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_no_url_chooses_a_file_path(tmp_path: Path) -> None:
    data = tmp_path / "data"
    odd = (
        "/tag/../../../../../../tmp/escape/",
        "/tag/%2e%2e%2f%2e%2e%2fescape/",
        "/tag/" + "a" * 3000 + "/",
        "/tag/con:aux*?<>|%00 name/",
    )
    with serve(SNAP2) as srv:
        run(srv, data, archives=odd)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    allowed = re.compile(
        rf"data(/\.etl\.lock|/raw|/processed|/runs"
        rf"|/raw/{RUN_ID}\.(warc\.gz|index\.jsonl)|/runs/{RUN_ID}\.json"
        rf"|/processed/(manifest\.json|[a-z_]+\.parquet|sets|sets/[\w.-]+(/[a-z_]+\.parquet)?))?$"
    )
    assert [n for n in names if not allowed.match(n)] == []
    assert not Path("/tmp/escape").exists()


def test_cookies_are_neither_archived_nor_sent_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    secret = "SECRET-SESSION-TOKEN"
    with serve(SNAP2) as srv:
        robots = snapshot(srv, "robots.txt").encode()
        srv.override(
            "/robots.txt",
            200,
            robots,
            [("Content-Type", "text/plain"), ("Set-Cookie", f"session={secret}; Path=/")],
        )
        cookie = [("Set-Cookie", f"wp_user={secret}; Path=/"), *HTML]
        srv.override("/tag/resolve/", 200, snapshot(srv, "tag/resolve/index.html").encode(), cookie)
        report = run(srv, data)
        sent = [e.headers for e in srv.log]
    assert report.exit_status == 0
    assert not [h for h in sent if "cookie" in h or "authorization" in h]
    for file in (data / "raw").iterdir():
        raw = file.read_bytes()
        text = gzip.decompress(raw) if file.name.endswith(".gz") else raw
        assert secret.encode() not in text and b"set-cookie" not in text.lower(), file.name
