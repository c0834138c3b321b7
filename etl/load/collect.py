"""Collect: a run's pages as they stream in, one winner per URL, held compactly.

A crawl sees each post on ~3 archive pages and a big site has ~12,000 posts: holding every
winning `Post` (text and html as Python `str`, 2 bytes a character once a curly quote is in)
until the crawl ends cost ~20 KB a post. So a post's fields go into Arrow record batches
(`etl.load.rows.PostRows`) as soon as it wins, and Python keeps per URL only what the merge
rules need (`_PostSeen`): the winner's row, its fetch order, the sighting times, the
categories and tags unioned so far, and fingerprints of its content.

A post whose content hash equals the stored copy's (`Collected.stored`) keeps no row at all:
the stored row stands, and the merge only moves its sighting times (`rows.lite_columns`). A
refresh of an unchanged corpus so never copies a text or an html.

Archives of some themes show excerpts only (`Post.excerpt_only`). A full version of a post
always beats its excerpt, in any order (etl.load.versions, which also fills a post page's
missing date or id from its archive); a post the run saw only as an excerpt keeps the stored
full copy whole (`rows.STANDS`: only its sighting times move), else its row holds the
excerpt with `source = "excerpt"` (its own page failed), listed by `excerpts()`.

Teasers are small (a 55-word excerpt) and stay records (`TeaserSeen`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from etl.load import versions
from etl.load.hashing import V1_DIGITS, hash_head, same_content, text_digest
from etl.load.rows import STANDS, STORED, PostRows
from etl.load.versions import Fillable, Fills, Rank
from etl.records import Page, Post, Problem, Teaser
from etl.urls import canonical_url

EXCERPT = "excerpt"  # `source` of a post known only by its excerpt

# A URL of this shape is already canonical (https, or http on a port other than 80 and 443 as
# a local replay is; lower-case host, no default port, query or fragment, trailing slash): the
# common case, checked without parsing. Pinned by a test.
_PORT = r":(?!(?:80|443)/)[1-9]\d{0,4}"
_CANONICAL = re.compile(rf"(?:https://[a-z0-9.-]+(?:{_PORT})?|http://[a-z0-9.-]+{_PORT})/[^?#\s]*/")


def key(url: str) -> str:
    """The merge key: `canonical_url`, with a fast path for URLs already in that form."""
    return url if _CANONICAL.fullmatch(url) else canonical_url(url)


@dataclass(slots=True)
class _PostSeen:
    """Everything one run learned about one post URL (mutable, local to one merge)."""

    row: int  # the winning version's row in `PostRows`; or STORED, STANDS (etl.load.rows)
    version: int  # hash of the whole winning record: an equal one reuses its row
    content: int  # hash of the winner's content fields: a different one is a conflict
    own: tuple[list[str], list[str]]  # the winner's own categories and tags (sorted, distinct)
    hash: str  # the winner's content_hash with its own terms
    # Without a row (-1): what redoes its hash for other terms, with the text's digest.
    head: tuple[str, str, dt.date | None, dt.datetime | None, bytes] | None
    rank: Rank  # the winner's (full, fetched_at, input order)
    first: dt.datetime
    last: dt.datetime
    source: str
    categories: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    conflict: bool = False  # two different versions of one kind (full or excerpt) in this run
    values: Fillable = (None, None, None)  # the winner's own wp_id, date, published_at
    fills: Fills | None = None  # the winner's gaps, as other versions of the run fill them
    excerpt: int | None = None  # content of the first excerpt-only version seen


@dataclass(slots=True)
class TeaserSeen:
    """Everything one run learned about one teaser URL (mutable, local to one merge)."""

    record: Teaser  # the winning version
    order: tuple[dt.datetime, int]
    first: dt.datetime
    last: dt.datetime
    source: str

    def observe(self, record: Teaser, order: tuple[dt.datetime, int], source: str) -> None:
        at = order[0]
        self.first, self.last = min(self.first, at), max(self.last, at)
        # The later fetch wins; at equal fetch times, the later input.
        if order > self.order:
            self.record, self.order, self.source = record, order, source


@dataclass
class Collected:
    """A run's pages as they stream in (`add`), one winner per URL; `finish` when done."""

    posts: dict[str, _PostSeen] = field(default_factory=dict)
    rows: PostRows = field(default_factory=PostRows)
    teasers: dict[str, TeaserSeen] = field(default_factory=dict)
    page_rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[Problem, str, dt.datetime]] = field(default_factory=list)
    run_ids: set[str] = field(default_factory=set)
    run_at: dt.datetime | None = None  # the run's last fetch: stamps gone_at and learned_at
    pages: int = 0  # pages added: the input order, which breaks ties between equal fetch times
    stored: Mapping[str, str] = field(default_factory=dict)  # URL -> the corpus's content_hash
    partial: frozenset[str] = frozenset()  # stored URLs the corpus holds only as an excerpt

    def add(self, page: Page, fetched_at: dt.datetime, run_id: str, status: int | None) -> None:
        """One page as the run saw it: its records compete for their URLs, it is logged."""
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware (UTC)")
        order = (fetched_at, self.pages)
        self.pages += 1
        self.run_ids.add(run_id)
        self.run_at = fetched_at if self.run_at is None else max(self.run_at, fetched_at)
        source = "post_page" if page.kind == "post" else "archive"
        for post in page.posts:
            self.see_post(post, order, source)
        for teaser in page.teasers:
            self.see_teaser(teaser, order, source)
        self.page_rows.append(_page_row(page, fetched_at, run_id, status))
        self.problems += [(p, run_id, fetched_at) for p in page.problems]

    def add_unparsed(self, url: str, fetched_at: dt.datetime, run_id: str, status: int | None,
                     problem: Problem | None = None) -> None:  # fmt: skip
        """A page that was not parsed (304, or failed) still belongs in the crawl log."""
        problems = (problem,) if problem else ()
        page = Page(url, "archive", None, None, None, None, None, (), (), problems)
        self.add(page, fetched_at, run_id, status)

    def finish(self) -> Collected:
        """Flush the last rows into Arrow; nothing may be added after."""
        self.rows.flush()
        return self

    @property
    def drift(self) -> list[Problem]:
        return [p for p, _, _ in self.problems if p.drift]

    @property
    def reject_rows(self) -> list[dict[str, Any]]:
        return [
            {"run_id": run_id, "source_url": p.url, "record_kind": p.record_kind, "reason": p.code,
             "detail": p.detail, "drift": p.drift, "excerpt": p.excerpt, "seen_at": seen_at}
            for p, run_id, seen_at in self.problems
        ]  # fmt: skip

    def last_seen(self) -> dict[str, dt.datetime]:
        """Canonical URL -> the run's latest sighting, of every post seen (not as a teaser)."""
        return {url: seen.last for url, seen in self.posts.items()}

    def excerpts(self) -> list[str]:
        """The run's posts known only by their excerpt (the corpus has no full copy either)."""
        return sorted(u for u, s in self.posts.items() if s.source == EXCERPT and s.row != STANDS)

    def see_post(self, post: Post, order: tuple[dt.datetime, int], source: str) -> None:
        # Hashes stand in for comparing whole records (64 bits: a collision is negligible).
        url, at, ranked = key(post.url), order[0], versions.rank(post, order)
        own = sorted(set(post.categories)), sorted(set(post.tags))
        fields = (post.title, post.heading, post.date, post.published_at, post.text)
        content, version = hash((*fields, *own[0], "", *own[1])), hash(post)
        values, source = versions.fillable(post), EXCERPT if post.excerpt_only else source
        seen = self.posts.get(url)
        if seen is None:
            row, h, head = self._row(url, post, own, values)
            excerpt = content if post.excerpt_only else None
            self.posts[url] = _PostSeen(
                row, version, content, own, h, head, ranked, at, at, source, set(own[0]),
                set(own[1]), values=values, excerpt=excerpt,
            )  # fmt: skip
            return
        seen.first, seen.last = min(seen.first, at), max(seen.last, at)
        seen.categories.update(own[0])
        seen.tags.update(own[1])
        # Comparing each version with the first of its kind, or the winner, finds any two
        # that differ; an excerpt never equals its full post.
        if post.excerpt_only:
            seen.excerpt = content if seen.excerpt is None else seen.excerpt
            seen.conflict = seen.conflict or content != seen.excerpt
        elif seen.rank[0]:
            seen.conflict = seen.conflict or content != seen.content
        if ranked <= seen.rank:
            seen.fills = versions.offered(seen.values, seen.fills, values, ranked)
            return
        seen.fills = versions.carried(values, seen.values, seen.rank, seen.fills)
        if version != seen.version:
            effective = versions.filled(values, seen.fills)
            seen.row, seen.hash, seen.head = self._row(url, post, own, effective)
            seen.version = version
        seen.content, seen.own, seen.rank, seen.source = content, own, ranked, source
        seen.values = values

    def _row(
        self, url: str, post: Post, own: tuple[list[str], list[str]], values: Fillable
    ) -> tuple[int, str, tuple[str, str, dt.date | None, dt.datetime | None, bytes] | None]:
        """(row, hash, head) of a winning version (`values`: its fields as filled so far):
        no row when the corpus holds it as is, or holds in full a post seen as an excerpt."""
        if post.excerpt_only and url in self.stored and url not in self.partial:
            return STANDS, "", None
        digest = text_digest(post.text)
        fields = (post.title, post.heading, values[1][0] if values[1] else None, values[2])
        h = hash_head(*fields, digest, *own)
        stored = self.stored.get(url)
        if stored is not None and (
            h == stored or (len(stored) == V1_DIGITS and same_content(stored, post, *own))
        ):
            return STORED, h, (*fields, digest)
        return self.rows.add(post, h), h, None

    def see_teaser(self, teaser: Teaser, order: tuple[dt.datetime, int], source: str) -> None:
        url = key(teaser.url)
        seen = self.teasers.get(url)
        if seen is not None:
            seen.observe(teaser, order, source)
        else:
            self.teasers[url] = TeaserSeen(teaser, order, order[0], order[0], source)


def _page_row(p: Page, fetched_at: dt.datetime, run_id: str, status: int | None) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "url": p.url,
        "term_kind": p.term_kind,
        "term": p.term,
        "page": p.page,
        "status": status,
        "fetched_at": fetched_at,
        "teasers": len(p.teasers),
        "posts": len(p.posts),
        "problems": [pr.code for pr in p.problems],
    }
