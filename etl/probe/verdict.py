"""`etl probe --site URL`: will a run work on this site? One screen, a verdict, exit 0 or 1.

At most ten polite requests (etl.probe.look) through a crawl session like a run's (robots.txt
obeyed, the rate limit, the User-Agent with the operator's contact), into a raw archive of its
own that is thrown away; the pages are read with the site profile a run would use (the stored
one in DATA_DIR/profile.json, if any, with the settings' rules). The verdict is "ready" or
the list of what a run will fail on, and why; notes say what the run will do differently.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from etl.crawl.session import open_session
from etl.load.profile_store import for_run, read_profile
from etl.parse.profile import Profile
from etl.probe.look import MAX_REQUESTS, Findings, probe
from etl.records import Page
from etl.settings import Settings

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Verdict:
    problems: tuple[str, ...]  # what a run will fail on, and why
    notes: tuple[str, ...]  # what a run will do differently, or cannot check
    wordpress: bool = True

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def headline(self) -> str:
        if not self.wordpress:
            return "not WordPress: a run will find nothing to read"
        return "ready" if self.ready else f"will fail ({len(self.problems)} problems)"


@dataclass(frozen=True)
class Probe:
    findings: Findings
    verdict: Verdict
    profile: Profile
    stored: bool  # the profile came from DATA_DIR/profile.json


def run_probe(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> Probe:
    """Probe `settings.site`: each URL asked once, the responses kept nowhere."""
    stored, _ = read_profile(settings.data_dir)
    profile = for_run(settings, stored)

    async def look(quick: Settings) -> Findings:
        async with open_session(
            quick, transport=transport, profile=profile, max_requests=MAX_REQUESTS
        ) as session:
            return await probe(session, profile)

    with tempfile.TemporaryDirectory(prefix="etl-probe-") as scratch:
        quick = replace(settings, data_dir=Path(scratch), retry_attempts=1, progress=False)
        findings = asyncio.run(look(quick))
    return Probe(findings, judge(findings, profile), profile, stored is not None)


def judge(f: Findings, profile: Profile) -> Verdict:
    """What a run will fail on (problems) and what it will do differently (notes)."""
    if f.robots.why:  # no answer, or a 5xx
        why = f"robots.txt {f.robots}: a run may request nothing (RFC 9309)"
        return Verdict((why,), ())
    if f.home is None or not f.home.ok:
        return Verdict((f"the home page {f.home.url if f.home else f.site}: {f.home}",), ())
    if f.signs is None or not f.signs.wordpress:
        why = (
            "not WordPress: the home page shows no WordPress generator tag, no /wp-content/ "
            "paths, no api.w.org link and no WordPress body classes"
        )
        return Verdict((why,), (), wordpress=False)
    problems, notes = [], _site_notes(f)
    if not f.archives:
        problems.append(
            "no category or tag archive found (neither the sitemaps nor the home page name "
            "one): name them with --archive"
        )
    page_problems, page_notes = _sample_verdict(f, profile)
    return Verdict((*problems, *page_problems), (*notes, *page_notes))


def _site_notes(f: Findings) -> list[str]:
    """What the site lacks that a run can do without."""
    notes = []
    if f.robots.status != 200:
        notes.append(f"robots.txt {f.robots}: every URL is allowed (RFC 9309)")
    if f.rest != "ok":
        notes.append(f"REST API: {f.rest}: runs go on without its second opinion")
    if f.sitemaps and not any(s.ok for s in f.sitemaps):
        notes.append("no sitemap answered: the audit cannot measure recall")
    return notes


def _sample_verdict(f: Findings, profile: Profile) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    page = f.sample_page
    if f.sample is not None and f.sample.spent:
        notes.append(f"the archive page {f.sample.url} was not checked: {f.sample}")
    elif f.sample is not None and not f.sample.ok:
        answered = "answered " if f.sample.status is not None else ""
        problems.append(f"the archive page {f.sample.url}: {answered}{f.sample}")
    if page is None:
        return problems, notes
    if page.kind != "archive":
        problems.append(f"{page.url} does not read as an archive page (a {page.kind} page)")
    problems += [f"{p.code} on {p.url}: {p.detail}" for p in page.drift]
    if profile.theme and page.theme and profile.theme != page.theme:
        notes.append(
            f"the stored profile was learned on theme {profile.theme}, the site shows "
            f"{page.theme}: the next full run learns it again"
        )
    undated = sum(1 for p in page.posts if p.date is None)
    if undated:
        notes.append(f"{undated} of {len(page.posts)} posts on the sample page have no date")
    if page.posts and all(p.published_at is None for p in page.posts):
        notes.append("the theme prints no machine-readable time: published_at stays empty")
    problems_next, notes_next = _following_verdict(f, page)
    problems_post, notes_post = _post_verdict(f)
    return problems + problems_next + problems_post, notes + notes_next + notes_post


def _following_verdict(f: Findings, page: Page) -> tuple[list[str], list[str]]:
    nxt, following = f.following, f.following_page
    if nxt is None:
        return [], []
    if nxt.spent:
        return [], [f"the next page {nxt.url} was not checked: {nxt}"]
    if page.next_url is not None and not nxt.ok:
        return [f"the next page {nxt.url} answered {nxt}"], []
    if following is not None and following.drift:
        return [f"{p.code} on {p.url}: {p.detail}" for p in following.drift], []
    if page.next_url is None and nxt.ok and following is not None and following.posts:
        return [], [
            f"page 2 exists ({len(following.posts)} posts) but page 1 links to no next "
            "page: only asking /page/N/ reaches the archive's older posts"
        ]
    return [], []


def _post_verdict(f: Findings) -> tuple[list[str], list[str]]:
    if not f.excerpts_only:
        return [], []
    notes = [
        "archives show excerpts: each such post's text is read from its own page "
        "(one more request per post)"
    ]
    post = f.post_page
    if f.post is not None and f.post.spent:
        return [], [*notes, f"the post page {f.post.url} was not checked: {f.post}"]
    if f.post is not None and (post is None or post.kind != "post" or len(post.posts) != 1):
        why = f"{f.post}" if not f.post.ok else "it does not read as one post"
        return [f"the post page {f.post.url}: {why}"], notes
    return [], notes
