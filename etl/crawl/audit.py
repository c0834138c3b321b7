"""The completeness audit: the site's own list of posts (its sitemaps, and wp-json's count)
against the corpus, and the heal that fetches the page of each missing or stale post.

Every request goes through the run's `Session`, so the audit shares the crawl's politeness,
robots.txt, retries, counts and raw archive. The comparison itself is pure
(`etl.crawl.sitemaps.compare`); the audit table is written by `etl.load.audit_table`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from etl.crawl.discover import REFUSED, SitemapRead, read_sitemaps
from etl.crawl.session import Session
from etl.crawl.sitemaps import AuditResult, compare
from etl.parse.page import parse_fetch
from etl.records import Fetch, Page
from etl.urls import canonical_url, same_origin

log = logging.getLogger(__name__)

WP_JSON = "/wp-json/wp/v2/posts?per_page=1"
_REFUSED = REFUSED


@dataclass(frozen=True, slots=True)
class WpTotal:
    """`X-WP-Total` of the REST API's posts, or why the site did not tell (`status`)."""

    total: int | None
    status: str  # "ok", or e.g. "HTTP 404", "not JSON (text/html)", "no X-WP-Total header"


@dataclass(frozen=True, slots=True)
class Audit:
    result: AuditResult
    sitemap: SitemapRead
    wp_json: WpTotal
    corpus: Mapping[str, dt.datetime | None]  # what was compared: URL -> last_seen_at

    def recall_ok(self, min_recall: float) -> bool:
        recall = self.result.recall
        return recall is None or recall >= min_recall

    def summary(self, named: int = 20) -> str:
        r, s = self.result, self.sitemap
        recall = f"{r.recall:.1%}" if r.recall is not None else "undefined (no posts listed)"
        wp = f"{self.wp_json.total}" if self.wp_json.total is not None else self.wp_json.status
        lines = [
            f"audit: {r.sitemap_posts} posts in the sitemaps ({len(s.sitemaps)} read), "
            f"{r.corpus_posts} in the corpus, recall {recall}",
            f"  missing: {len(r.missing)}; extra: {len(r.extra)}; stale: {len(r.stale)}; "
            f"wp-json total: {wp}",
        ]
        if s.truncated:
            lines.append(f"  TRUNCATED: stopped reading the sitemaps at {r.sitemap_posts} URLs")
        if s.refused_off_origin:
            lines.append(f"  refused off-origin sitemap URLs: {s.refused_off_origin}")
        lines += [f"  sitemap problem: {p}" for p in s.problems]
        lines += [f"  missing {url}" for url in r.missing[:named]]
        if len(r.missing) > named:
            lines.append(f"  ... and {len(r.missing) - named} more missing")
        return "\n".join(lines)


async def wp_json_total(session: Session) -> WpTotal:
    """The REST API's count of published posts; many sites turn the API off, which is fine."""
    fetch = await session.get(urljoin(session.settings.site, WP_JSON))
    if fetch is None:
        return WpTotal(None, _REFUSED)
    if fetch.status != 200:
        return WpTotal(None, fetch.error or f"HTTP {fetch.status}")
    kind = fetch.header("content-type") or ""
    if "json" not in kind:
        return WpTotal(None, f"not JSON ({kind or 'no content type'})")
    try:
        json.loads(fetch.body)
    except ValueError:
        return WpTotal(None, "not JSON (the body does not parse)")
    total = (fetch.header("x-wp-total") or "").strip()
    if not total.isdigit():
        return WpTotal(None, "no X-WP-Total header")
    return WpTotal(int(total), "ok")


async def audit(
    session: Session,
    corpus: Mapping[str, dt.datetime | None],
    *,
    read: SitemapRead | None = None,
    indexes: Mapping[str, tuple[str, ...]] | None = None,
    wp_json: bool = True,
) -> Audit:
    """Compare the corpus (canonical post URL -> last_seen_at) with the site's lists.

    `read`: the posts sitemaps as discovery read them (then none is asked again); else they
    are read here, the indexes discovery read (`indexes`) excepted. `wp_json=False` skips the
    REST API's count (informational only, never compared): an incremental run saves the
    request.
    """
    total = wp_json_total(session) if wp_json else _not_asked()
    sitemaps = _given(read) if read is not None else read_sitemaps(session, indexes)
    sitemap, wp_total = await asyncio.gather(sitemaps, total)
    result = compare(sitemap.posts, corpus)
    log.info("audit: recall %s, %d missing", result.recall, len(result.missing))
    return Audit(result, sitemap, wp_total, corpus)


async def _given(read: SitemapRead) -> SitemapRead:
    return read


async def _not_asked() -> WpTotal:
    return WpTotal(None, "not asked (incremental run)")


@dataclass(frozen=True, slots=True)
class Healed:
    """A post read from its own page: `page` has kind 'post' and exactly one post."""

    url: str
    fetch: Fetch
    page: Page


@dataclass(frozen=True, slots=True)
class HealResult:
    healed: tuple[Healed, ...]
    failed: tuple[tuple[str, str], ...]  # (URL, why): fetched (or refused) but not merged
    unhealed: tuple[str, ...]  # past Settings.heal_max: never fetched

    @property
    def healed_urls(self) -> tuple[str, ...]:
        return tuple(h.url for h in self.healed)

    @property
    def tried(self) -> frozenset[str]:
        """Every URL this heal was given."""
        return frozenset((*self.healed_urls, *(url for url, _ in self.failed), *self.unhealed))

    def summary(self) -> str:
        lines = [
            f"heal: {len(self.healed)} posts read from their own page, {len(self.failed)} "
            f"failed, {len(self.unhealed)} left unhealed (over heal_max)"
        ]
        lines += [f"  not healed {url}: {why}" for url, why in self.failed]
        lines += [f"  unhealed {url}" for url in self.unhealed[:20]]
        return "\n".join(lines)


@dataclass(frozen=True)
class Checked:
    """A run's audit against the sitemaps, what the heal fetched, and the requests both cost."""

    found: Audit
    healed: HealResult
    requests: int


def to_heal(result: AuditResult, skip: Collection[str] = ()) -> tuple[str, ...]:
    """Missing first (they count against recall), then stale; none in `skip` (tried already
    this run: every URL is asked once a run)."""
    return tuple(url for url in (*result.missing, *result.stale) if url not in skip)


async def heal(session: Session, urls: Iterable[str]) -> HealResult:
    """Fetch the page of each post (at most `heal_max`), keep those that parse to one post."""
    wanted = list(dict.fromkeys(urls))
    now, later = wanted[: session.settings.heal_max], wanted[session.settings.heal_max :]
    outcomes = await asyncio.gather(*(_heal_one(session, url) for url in now))
    healed = tuple(o for o in outcomes if isinstance(o, Healed))
    failed = tuple(o for o in outcomes if isinstance(o, tuple))
    if later:
        log.warning("heal: %d posts left unhealed (heal_max is %d)", len(later), len(now))
    return HealResult(healed, failed, tuple(later))


async def _heal_one(session: Session, url: str) -> Healed | tuple[str, str]:
    if not same_origin(url, session.settings.site):
        return url, f"refused, not on {session.settings.site}"
    fetch = await session.get(url)
    if fetch is None:
        return url, _REFUSED
    if fetch.status != 200:
        return url, fetch.error or f"HTTP {fetch.status}"
    page = parse_fetch(fetch, session.profile)
    if why := not_the_post(url, page):
        return url, why
    return Healed(url, fetch, page)


def not_the_post(url: str, page: Page) -> str | None:
    """Why `page`, asked as the post at `url`, cannot stand for it; None when it can."""
    if page.kind != "post" or len(page.posts) != 1 or page.drift:
        drift = f" (drift: {', '.join(p.code for p in page.drift)})" if page.drift else ""
        return f"not one post: a {page.kind} page with {len(page.posts)} posts{drift}"
    if page.posts[0].url != canonical_url(url):
        return f"the page is the post {page.posts[0].url}"
    return None
