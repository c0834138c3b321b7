"""Plan a run from the sitemaps: which posts to read from their own page and which archives
to follow, before any archive is asked.

WordPress core's posts sitemap gives every post's `lastmod`. Where every entry has one, an
incremental run needs no archive to learn what changed: a post the sitemap lists and the
corpus does not is new; one whose lastmod is newer than our copy's last sighting was edited;
one the corpus knows only by its excerpt (its page failed on an earlier run: no sighting in
full) is read again. Each is read from its own page (as the audit heals). A new post's page
names its archives (category and tag links, post classes) and only those are followed,
until the stop rule; their first page also brings the latest-tips block. An archive the
taxonomy sitemaps list that no earlier run asked is followed too. An unchanged site so costs
robots.txt and the sitemaps only.

Where the sitemaps cannot decide (no posts sitemap read, a sitemap problem, an entry without
lastmod, more changes than `heal_max`, a new post whose page fails or names no archive), the
run follows every archive as before: conditional requests and the stop rule. Full runs, and
runs of named archives, follow every archive they have.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from etl.crawl.audit import HealResult, heal
from etl.crawl.discover import Discovery, SitemapRead, post_archives, with_home
from etl.crawl.session import Session
from etl.crawl.sitemaps import compare

log = logging.getLogger(__name__)

_NOTHING = HealResult((), (), ())


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run asks the site for after discovery."""

    archives: tuple[str, ...]  # to follow, page by page
    posts: HealResult  # new and edited posts, read from their own page
    how: str  # "full", "named", "sitemaps", or why the sitemaps could not decide
    new: tuple[str, ...] = ()  # posts in the sitemaps, not in the corpus
    edited: tuple[str, ...] = ()  # posts whose lastmod is newer than our copy
    excerpt_only: tuple[str, ...] = ()  # posts the corpus knows only by their excerpt

    def summary(self) -> dict[str, object]:
        return {
            "how": self.how,
            "archives": len(self.archives),
            "new": len(self.new),
            "edited": len(self.edited),
            "excerpt_only": len(self.excerpt_only),
            "post_pages": len(self.posts.healed),
        }


async def plan_crawl(
    session: Session,
    discovery: Discovery,
    corpus: Mapping[str, dt.datetime | None],
    asked_before: Collection[str],
    *,
    full: bool,
    whole: bool = True,
) -> Plan:
    """The plan of a run; `corpus`: stored post URL -> last_seen_at (None: known only by its
    excerpt); `asked_before`: every URL earlier runs logged (an archive not among them is new
    to us). `whole`: the published files are all one run's; when a run died while it
    published them, the run that mends them must have something to write, so it does not
    plan from the sitemaps."""
    if session.settings.archives:
        return Plan(discovery.archives, _NOTHING, "named")
    if full:
        return Plan(discovery.archives, _NOTHING, "full")
    why = _undecided(discovery) if whole else "the published files are not all one run's"
    if why is None:
        assert discovery.posts is not None
        changes = compare(discovery.posts.posts, corpus)
        new, edited = changes.missing, changes.stale
        partial = tuple(u for u in sorted(discovery.posts.posts) if corpus.get(u, 0) is None)
        if len(new) + len(edited) + len(partial) > session.settings.heal_max:
            why = f"{len(new)} new and {len(edited)} edited posts: more than heal_max"
    if why is not None:
        return await _every_archive(session, discovery, _NOTHING, why)
    posts = await heal(session, (*new, *edited, *partial))
    archives = {a for a in discovery.listed if a not in asked_before}
    site, fresh = session.settings.site, set(new)
    for got in posts.healed:
        if got.url in fresh:
            found = post_archives(got.fetch.body, got.fetch.url, site, discovery.listed)
            if not found:
                why = f"the new post {got.url} names no archive"
                break
            archives |= found
    failed = [url for url, _ in posts.failed if url in fresh]
    if failed:
        why = f"the new post {failed[0]} could not be read"
    if why is not None:
        return await _every_archive(session, discovery, posts, why, new, edited)
    return Plan(tuple(sorted(archives)), posts, "sitemaps", new, edited, partial)


def _undecided(discovery: Discovery) -> str | None:
    """Why the sitemaps cannot tell what changed, or None when they can."""
    read: SitemapRead | None = discovery.posts
    if read is None or not read.sitemaps:
        return "no posts sitemap"
    if read.problems or discovery.problems:
        said = [*read.problems, *(f"{p.url}: {p.detail}" for p in discovery.problems)]
        return f"a sitemap could not be read: {said[0]}"
    if read.truncated:
        return "the sitemaps list more posts than audit_max_urls"
    if any(lastmod is None for lastmod in read.posts.values()):
        return "the posts sitemaps carry no lastmod"
    return None


async def _every_archive(
    session: Session,
    discovery: Discovery,
    posts: HealResult,
    why: str,
    new: tuple[str, ...] = (),
    edited: tuple[str, ...] = (),
) -> Plan:
    log.info("following every archive: %s", why)
    found = await with_home(session, discovery)
    return Plan(found.archives, posts, why, new, edited)
