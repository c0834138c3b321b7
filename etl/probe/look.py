"""`etl probe`'s requests: a quick look at a site through a crawl session, at most
`MAX_REQUESTS` of them (the session's budget: each redirect hop counts), each asked once
(no retries): robots.txt (the session reads it), the home page, the REST API's post count,
the sitemap index and its taxonomy sitemaps, then one archive page, the page after it, and
where archives show excerpts only, one post.

What was found is a `Findings`; `etl.probe.verdict` turns it into a verdict and a screen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from etl.crawl.discover import sorted_unique, wants_sitemap
from etl.crawl.rest import POSTS, read_json
from etl.crawl.sitemaps import parse_sitemap
from etl.parse.decode import decode
from etl.parse.page import parse_fetch
from etl.parse.wordpress import Signs, signs
from etl.records import Fetch, Page
from etl.urls import archive_path, archive_url, same_origin

if TYPE_CHECKING:
    from etl.crawl.session import Session
    from etl.parse.profile import Profile

MAX_REQUESTS = 10
_SPENT = f"not asked: the probe's {MAX_REQUESTS} requests are spent"
_REDIRECTED = f"not read: its redirects spent the probe's {MAX_REQUESTS} requests"


@dataclass(frozen=True, slots=True)
class Asked:
    """One request and its outcome: a status, or why there was none."""

    url: str
    status: int | None
    why: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def spent(self) -> bool:
        """Not asked, or its redirects not followed: the probe's requests ran out first."""
        return self.why in (_SPENT, _REDIRECTED)

    def __str__(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else self.why


@dataclass(frozen=True)
class Findings:
    """Everything the probe's requests showed (None: not asked)."""

    site: str
    robots: Asked
    home: Asked | None = None
    signs: Signs | None = None
    rest: str | None = None  # "ok", or why the REST API said nothing
    rest_total: int | None = None
    sitemaps: tuple[Asked, ...] = ()  # the index, then the taxonomy sitemaps read (or none)
    archives: tuple[str, ...] = ()
    archives_from: tuple[str, ...] = ()  # "settings", "sitemaps", "home page"
    sample: Asked | None = None
    sample_page: Page | None = None
    following: Asked | None = None  # the sample's next page (or /page/2/ where none is shown)
    following_page: Page | None = None
    post: Asked | None = None  # a post's own page, where archives show excerpts only
    post_page: Page | None = None
    requests: int = 0

    @property
    def excerpts_only(self) -> bool:
        """The archive pages looked at show excerpts: of some posts at least (a short post's
        excerpt is its whole text, so a page of short posts cannot tell)."""
        pages = (self.sample_page, self.following_page)
        return any(post.excerpt_only for p in pages if p is not None for post in p.posts)


async def probe(session: Session, profile: Profile) -> Findings:
    """Ask the site what a run needs to know, stopping early where the answer is no."""
    site = session.settings.site
    robots = Asked(urljoin(site, "/robots.txt"), _only_status(session))
    if session.failures:  # robots.txt unreachable: every URL is disallowed (RFC 9309)
        first = session.failures[0]
        robots = Asked(first.url, first.status, first.detail)
        return Findings(site, robots, requests=session.requests)
    home, fetch = await _get(session, urljoin(site, "/"))
    if fetch is None or not home.ok:
        return Findings(site, robots, home, requests=session.requests)
    text = decode(fetch.body, _type(fetch)).text
    found = signs(text, fetch.url, fetch.headers)
    if not found.wordpress:
        return Findings(site, robots, home, found, requests=session.requests)
    rest, total = await _rest(session)
    sitemaps, archives, sources = await _archives(session, text, fetch.url)
    sample, page = await _page(session, _sample(archives, text, fetch.url, site), profile)
    following, following_page = await _following(session, page, profile)
    post = post_page = None
    cut = [post for p in (page, following_page) if p for post in p.posts if post.excerpt_only]
    if cut:  # that text is on the post's own page: does one read right?
        post, post_page = await _page(session, cut[0].url, profile)
    return Findings(
        site, robots, home, found, rest, total, sitemaps, archives, sources,
        sample, page, following, following_page, post, post_page, requests=session.requests,
    )  # fmt: skip


def _only_status(session: Session) -> int | None:
    """robots.txt's status: the session's only request so far (and its redirects)."""
    statuses = sorted(int(k) for k, n in session.client.stats.requests.items() if k.isdigit())
    return 200 if 200 in statuses else next((s for s in statuses if s >= 400), None)


def _type(fetch: Fetch) -> str | None:
    return fetch.header("content-type")


async def _get(session: Session, url: str) -> tuple[Asked, Fetch | None]:
    """One URL through the session, whose budget (`MAX_REQUESTS`) counts each redirect hop."""
    if not same_origin(url, session.settings.site):
        return Asked(url, None, f"not asked: not on {session.settings.site}"), None
    before = (session.over_budget, session.disallowed, len(session.failures))
    fetch = await session.get(url)
    if fetch is None:
        return Asked(url, None, _refused(session, url, *before)), None
    return Asked(url, fetch.status, fetch.error or ""), fetch


def _refused(session: Session, url: str, spent: int, disallowed: int, failed: int) -> str:
    """Why the session sent `url` (or one of its redirects) no request: what it counted."""
    if session.over_budget > spent:
        return _REDIRECTED if url in session.requested else _SPENT
    if session.disallowed > disallowed:
        return "refused: robots.txt disallows it" + (
            " (where it redirects)" if url in session.requested else ""
        )
    if len(session.failures) > failed:  # a redirect off the origin, or a loop
        return session.failures[-1].detail
    return "not asked: asked already"


async def _rest(session: Session) -> tuple[str, int | None]:
    """Whether the REST API answers, and its count of published posts."""
    asked, fetch = await _get(session, urljoin(session.settings.site, f"{POSTS}?per_page=1"))
    if fetch is None:
        return asked.why, None
    _, why = read_json(fetch)
    total = (fetch.header("x-wp-total") or "").strip()
    return why or "ok", int(total) if total.isdigit() else None


async def _archives(
    session: Session, home: str, home_url: str
) -> tuple[tuple[Asked, ...], tuple[str, ...], tuple[str, ...]]:
    """(the sitemaps read, the archives, where they came from), as discovery finds them;
    archives named in the settings are the archives, no sitemap read."""
    site = session.settings.site
    if named := session.settings.archives:  # the sitemaps would name archives not crawled
        return (), sorted_unique(urljoin(site, a) for a in named), ("settings",)
    index = next((s for s in session.sitemaps if same_origin(s, site)), None)
    asked, fetch = await _get(session, index or urljoin(site, "/wp-sitemap.xml"))
    read, found, sources = [asked], set(), []
    children = parse_sitemap(fetch.body).children if fetch is not None and asked.ok else ()
    for child in sorted((c for c in children if wants_sitemap(c)), key=_category_first)[:2]:
        asked, fetch = await _get(session, child)
        read.append(asked)
        if fetch is not None and asked.ok:
            entries = parse_sitemap(fetch.body).entries
            found |= {a for a in (archive_url(e.url, site) for e in entries) if a}
    if found:
        sources.append("sitemaps")
    linked = set(archive_links(home, home_url, site))
    if linked - found:
        sources.append("home page")
    return tuple(read), sorted_unique(found | linked), tuple(sources)


def _category_first(url: str) -> tuple[bool, str]:
    return "category" not in url, url


def archive_links(html: str, base: str, site: str) -> list[str]:
    """The archive of every category or tag link on a page, once per link (so repeated)."""
    tree = LexborHTMLParser(html)
    links = (urljoin(base, a.attributes.get("href") or "") for a in tree.css("a[href]"))
    return [u for u in (archive_url(link, site) for link in links) if u]


def _sample(archives: tuple[str, ...], home: str, home_url: str, site: str) -> str | None:
    """The archive to look at: the category the home page links to most (its posts' biggest
    category, likely a long archive), else the first archive."""
    linked = Counter(u for u in archive_links(home, home_url, site) if u in set(archives))
    categories = [
        (n, u) for u, n in linked.items() if (a := archive_path(u)) and a.kind == "category"
    ]
    if categories:
        return min(categories, key=lambda nu: (-nu[0], nu[1]))[1]
    return archives[0] if archives else None


async def _page(
    session: Session, url: str | None, profile: Profile
) -> tuple[Asked | None, Page | None]:
    if url is None:
        return None, None
    asked, fetch = await _get(session, url)
    page = parse_fetch(fetch, profile) if fetch is not None and asked.ok else None
    return asked, page


async def _following(
    session: Session, page: Page | None, profile: Profile
) -> tuple[Asked | None, Page | None]:
    """The page after the sample: where it says, else WordPress' `/page/2/` (a theme that
    shows no pagination still has page 2: asking is the only way to know)."""
    if page is None or page.kind != "archive":
        return None, None
    url = page.next_url
    if url is None and not page.shows_pagination and page.posts:
        url = urljoin(page.url, "page/2/")
    return await _page(session, url, profile)
