"""The refresh planned from the sitemaps, end to end over the replay server: an unchanged site
costs robots.txt and the sitemaps only; new posts cost their own pages and their archives until
the stop rule; an edited post costs its own page; the posts equal a full crawl's."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

from etl.load.store import published
from etl.pipeline import run_corpus
from etl.replay.server import ReplayServer, serve
from etl.runtext import summary_line
from etl.settings import Settings
from tests.test_pipeline import SITEMAPS, archive_requests, assert_matches_expected, table

SITE = Path(__file__).parent / "fixtures" / "site"
SNAP1, SNAP2 = SITE / "snapshot-1", SITE / "snapshot-2"
LIVE = "https://cssamerica.com"
# Columns that say when a run saw a row, or which page it read the row from (its own page or
# an archive page): the post's own fields are the comparison.
NOT_CONTENT = {"first_seen_at", "last_seen_at", "gone_at", "source"}
EDITED = f"{LIVE}/the-customer-is-always-right-6-25-13-customer-service-tip/"
EDIT = ("The customer was so upset, but about what?", "The customer was furious, but about what?")


def settings(srv: ReplayServer, data_dir: Path, **kw: Any) -> Settings:
    return Settings(site=srv.url, data_dir=data_dir, rate=0, progress=False, **kw)


def posts(data_dir: Path, origin: str) -> list[dict[str, Any]]:
    """The posts table's content, the replay server's origin mapped back to the site's."""
    return [
        {k: v.replace(origin, LIVE) if isinstance(v, str) else v for k, v in r.items()
         if k not in NOT_CONTENT}
        for r in table(data_dir, "posts")
    ]  # fmt: skip


def html_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def unpublished(snapshot: Path, folder: Path, url: str) -> Path:
    """A copy of a snapshot from before `url` was published: no page of its own, no sitemap
    entry, no article on any archive page, no teaser in the latest-tips block."""
    shutil.copytree(snapshot, folder)
    shutil.rmtree(folder / url.removeprefix(LIVE).strip("/"))
    sitemap = folder / "wp-sitemap-posts-post-1.xml"
    entry = re.compile(rf"<url><loc>{re.escape(url)}</loc>.*?</url>")
    sitemap.write_text(entry.sub("", sitemap.read_text()))
    wp_id = re.search(r'id="post-(\d+)"', (snapshot / url.removeprefix(LIVE).strip("/") /
                                          "index.html").read_text())[1]  # type: ignore[index]  # fmt: skip
    article = re.compile(rf'<article id="post-{wp_id}".*?</article>', re.DOTALL)
    teaser = re.compile(
        rf'<div class="tip-post">\n<h3 class="tip-title"><a href="{re.escape(url)}">.*?</div>\n'
        r"</div>\n",
        re.DOTALL,
    )
    for f in html_files(folder):
        f.write_text(teaser.sub("", article.sub("", f.read_text())))
    return folder


def edited(snapshot: Path, folder: Path, url: str, lastmod: dt.datetime) -> Path:
    """A copy of a snapshot where one post's text changed, its lastmod in the sitemap too."""
    shutil.copytree(snapshot, folder)
    old, new = EDIT
    changed = [f for f in html_files(folder) if old in f.read_text()]
    assert changed
    for f in changed:
        f.write_text(f.read_text().replace(old, new))
    sitemap = folder / "wp-sitemap-posts-post-1.xml"
    entry = re.compile(rf"(<url><loc>{re.escape(url)}</loc><lastmod>)[^<]*(</lastmod>)")
    text, n = entry.subn(rf"\g<1>{lastmod.isoformat()}\g<2>", sitemap.read_text())
    assert n == 1
    sitemap.write_text(text)
    return folder


def full_crawl_posts(folder: Path, data_dir: Path) -> list[dict[str, Any]]:
    with serve(folder) as srv:
        report = run_corpus(settings(srv, data_dir))
        assert report.exit_status == 0, report.reason
        return posts(data_dir, srv.url)


def test_four_new_posts_cost_their_pages_and_their_archives_only(tmp_path: Path) -> None:
    newest = f"{LIVE}/self-empower-for-the-new-year-12-31-24-customer-service-tip/"
    before = unpublished(SNAP1, tmp_path / "before", newest)
    data = tmp_path / "data"
    with serve(before) as srv:
        s = settings(srv, data)
        assert run_corpus(s).posts["new"] == 61
        srv.swap(SNAP2)  # four posts published since: the newest of snapshot-1 and three more
        mark = len(srv.log)
        report = run_corpus(s)
        requested = sorted(e.path for e in srv.log[mark:])
        per_archive = archive_requests(srv, mark)
        origin = srv.url
    assert report.exit_status == 0, report.reason
    assert report.plan == {"how": "sitemaps", "archives": 1, "new": 4, "edited": 0,
                           "excerpt_only": 0, "post_pages": 4}  # fmt: skip
    assert report.posts["new"] == 4 and report.posts["total"] == 65
    # Robots.txt, the sitemaps, the 4 posts' own pages, their one archive until the stop
    # rule: its page 1 (three new posts), page 2 (the fourth), page 3 (all known); and the
    # REST API's second opinion on new posts (one 404 here).
    assert per_archive == {"/category/customer-service-tip-of-the-week/": 3}
    assert report.rest is not None and report.rest["requests"] == 1
    assert len(requested) == len(SITEMAPS) + 4 + 3 + 1 and set(requested) >= SITEMAPS
    assert_matches_expected(data, origin, "snapshot-2", teasers_accumulated=True)
    got = posts(data, origin)
    assert got == full_crawl_posts(SNAP2, tmp_path / "full")


def test_an_edited_post_costs_its_own_page(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(SNAP2) as srv:
        s = settings(srv, data)
        assert run_corpus(s).exit_status == 0
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # after our last sighting
        srv.swap(edited(SNAP2, tmp_path / "edited", EDITED, later))
        mark = len(srv.log)
        report = run_corpus(s)
        requested = sorted(e.path for e in srv.log[mark:])
        origin = srv.url
    assert report.exit_status == 0, report.reason
    assert report.plan == {"how": "sitemaps", "archives": 0, "new": 0, "edited": 1,
                           "excerpt_only": 0, "post_pages": 1}  # fmt: skip
    assert report.posts["updated"] == 1 and report.posts["new"] == 0
    rest = [p for p in requested if p.startswith("/wp-json/")]  # a second opinion: one 404
    assert sorted(set(requested) - set(rest)) == sorted([*SITEMAPS, EDITED.removeprefix(LIVE)])
    assert len(requested) == len(SITEMAPS) + 1 + len(rest) and len(rest) == 1
    got = posts(data, origin)
    want = full_crawl_posts(tmp_path / "edited", tmp_path / "full")
    assert got == want
    assert EDIT[1] in next(r["text"] for r in got if r["url"] == EDITED)


def test_an_unchanged_site_costs_robots_txt_and_the_sitemaps_only(tmp_path: Path) -> None:
    with serve(SNAP2) as srv:
        s = settings(srv, tmp_path / "data")
        first = run_corpus(s)
        assert first.exit_status == 0
        mark = len(srv.log)
        again = run_corpus(s)
        requested = sorted(e.path for e in srv.log[mark:])
    assert again.exit_status == 0 and again.plan["how"] == "sitemaps"
    assert requested == sorted(SITEMAPS) and len(requested) <= 6
    # Nothing to publish: the tables stay the first run's, and the run still succeeds.
    assert not again.published and again.not_published == (
        "nothing changed: the sitemaps list no new or edited post"
    )
    stood = published(tmp_path / "data" / "processed")
    assert stood is not None and stood.run_id == first.run_id
    assert again.audit is not None and again.audit["recall"] == 1.0
    assert "no change" in summary_line(again)
