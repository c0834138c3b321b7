"""What a run learns about the site beside its records.

- **The site profile** (etl.parse.profile): the stored one (`DATA_DIR/profile.json`) with the
  settings' rules is what the run parses with; a full run learns a new one from its first
  archive pages, writes it, and names every change in the run report (a change of theme).
- **Pages read again**: where the sample pages together show a teaser block no page alone
  could tell (a row of the newest posts in the main column, printed as the loop's posts are),
  a run whose pages were read without it reads them again from its raw archive
  (`read_again`), so the row's posts are teasers, not posts with every archive's terms.
- **Rule counts**: per field, how many records each extraction rule read it on ("none": no
  rule did), so a rule that stops matching shows in the report instead of fewer records.
- **A second opinion**: on full runs and on runs that found new or changed posts, one page
  of the REST API's newest posts and the term lists (etl.crawl.rest), compared with the
  corpus's records of the same posts (etl.load.agreement); a disagreement fails the run.

The pipeline shows it every parsed page (`saw`), lets it `ask` the site before the crawl's
session closes, and has it `finish` the report once the corpus is merged.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from etl.crawl.rest import RestView, read_rest
from etl.load.agreement import Agreement, Row, compare
from etl.load.profile_store import (
    configured,
    for_run,
    profile_path,
    read_profile,
    settle,
    write_profile,
)
from etl.parse.decode import decode
from etl.parse.page import parse_fetch
from etl.parse.profile import Profile, describe_change, learn_profile, rule_counts
from etl.parse.site import archive_page
from etl.records import Fetch, Page, Post
from etl.urls import canonical_url

if TYPE_CHECKING:
    from etl.crawl.session import Session
    from etl.runlog import RunReport
    from etl.settings import Settings

log = logging.getLogger(__name__)

# A full run learns the profile from the first two pages of the first archives in URL order
# (categories before tags): the same pages whichever answers first, so a profile changes only
# when the site does.
SAMPLE_ARCHIVES = 6
SAMPLE_DEPTH = 2


class Known(Protocol):
    """The corpus's posts, as the incremental stop rule sees them."""

    def all_unchanged(self, posts: Sequence[Post]) -> bool: ...


class SiteWatch:
    """One run's profile, rule counts and second opinion (mutable, like the session)."""

    def __init__(self, settings: Settings, mode: str, known: Known | None = None) -> None:
        self.settings = settings
        self.mode = mode  # full | incremental | rebuild
        self.known = known
        self.stored, self.unreadable = read_profile(settings.data_dir)
        self.profile = for_run(settings, self.stored)  # what the parser is given
        self.sample: dict[tuple[str, int], tuple[str, str]] = {}  # (archive, page) -> url, html
        self.rules: dict[str, Counter[str]] = {}
        self.changed = False  # a parsed post the corpus does not hold as it is
        self.rest: RestView | None = None
        self._learned: Profile | None = None
        self.not_asked = "not asked (no network in this run)"

    def saw(self, fetch: Fetch, page: Page) -> Page:
        """Every parsed page of the run, on its way to the collector: counted by rule, kept
        when the profile learns from it. Returns the page."""
        for name, counts in rule_counts((page,)).items():
            self.rules.setdefault(name, Counter()).update(counts)
        if page.posts and not self.changed:
            self.changed = self.known is None or not self.known.all_unchanged(page.posts)
        if self.mode == "full" and page.kind == "archive":
            self._sample(fetch)
        return page

    def _sample(self, fetch: Fetch) -> None:
        at = archive_page(fetch.url)
        if at.number > SAMPLE_DEPTH:
            return
        archives = sorted({base for base, _ in self.sample} | {at.base})
        if at.base not in archives[:SAMPLE_ARCHIVES]:
            return
        text = decode(fetch.body, fetch.header("content-type")).text
        self.sample[at.base, at.number] = (fetch.url, text)
        for key in [k for k in self.sample if k[0] not in archives[:SAMPLE_ARCHIVES]]:
            del self.sample[key]  # an archive earlier in URL order took its place

    async def ask(self, session: Session) -> None:
        """The REST API's view, when this run needs a second opinion: on full runs and runs
        that parsed new or changed posts (asked before the session closes: its requests are
        the run's, polite and archived)."""
        if not self.settings.rest_check:
            self.not_asked = "not asked (rest_check is off)"
        elif self.mode != "full" and not self.changed:
            self.not_asked = "not asked: no new or changed posts in this run"
        else:
            self.rest = await read_rest(session)

    def finish(self, report: RunReport, posts: Any) -> None:
        """Rule counts, the profile (learned and written on a full run), and the second
        opinion on `posts` (the merged corpus's posts table) into the report."""
        report.rules = {name: dict(sorted(c.items())) for name, c in sorted(self.rules.items())}
        report.site_profile = self._profile()
        agreement = self.agreement(posts)
        report.rest = agreement.to_json()
        if self.rest is not None:
            report.rest["requests"] = self.rest.requests
        if agreement.disagreements:
            first = agreement.disagreements[0]
            report.fail(
                f"the REST API disagrees with the pages on {len(agreement.disagreements)} "
                f"field(s), first {first.line()}"
            )
        for late in agreement.lagging:
            log.warning("REST API shows a newer edit than the page: %s", late.line())

    def learned(self) -> Profile | None:
        """What a full run's sample pages say about the site (learned once); None when the
        run learns nothing (not a full run, or no archive page read)."""
        if self._learned is None and self.mode == "full" and self.sample:
            pages = [self.sample[k] for k in sorted(self.sample)]
            learned = learn_profile(pages, base=configured(self.settings))
            self._learned = settle(self.settings, learned)
        return self._learned

    def read_again(self, raw_dir: Path, run_id: str) -> Iterator[tuple[Fetch, Page]] | None:
        """The run's archive and post pages read again from its raw archive, when only the
        pages together showed the teaser block they were read without; else None.

        The rule counts start again with them (the pages are counted once)."""
        learned = self.learned()
        if learned is None or learned.rule("teasers") != "repeated_block":
            return None
        if learned.teaser_block == self.profile.teaser_block:
            return None
        log.warning("the teaser block is %s: the run's pages are read again", learned.teaser_block)
        self.profile, self.rules = learned, {}
        return _pages_of(raw_dir, run_id, learned)

    def _profile(self) -> dict[str, Any]:
        profile, path = self.profile, profile_path(self.settings.data_dir)
        info: dict[str, Any] = {"path": str(path), "learned": False, "changed": []}
        if (learned := self.learned()) is not None:
            profile = learned
            changes = describe_change(self.stored, profile) if self.stored else []
            for line in changes:
                log.warning("site profile changed: %s", line)
            write_profile(profile, self.settings.data_dir)
            info.update(learned=True, changed=changes, first=self.stored is None)
        info.update(
            theme=profile.theme,
            from_pages=profile.pages,
            teaser_block=profile.teaser_block if profile.has_teasers else None,
            heading_dates=profile.heading_dates,
            excerpts_only=profile.excerpts_only,
            unreadable=self.unreadable,
        )
        return info

    def agreement(self, posts: Any) -> Agreement:
        if self.rest is None:
            return Agreement(self.not_asked)
        urls = {canonical_url(p.link) for p in self.rest.posts}
        return compare(self.rest, rows(posts, urls), heading_dates=self.profile.heading_dates)


def _pages_of(raw_dir: Path, run_id: str, profile: Profile) -> Iterator[tuple[Fetch, Page]]:
    """One run's archive and post pages from the raw archive, in the order fetched."""
    from etl.crawl.raw import RawArchive

    archive = RawArchive(raw_dir)
    for entry in archive.entries():
        if entry.run_id == run_id and entry.status == 200 and entry.warc is not None:
            fetch = archive.read(entry)
            page = parse_fetch(fetch, profile)
            if page.kind in ("archive", "post"):  # robots.txt, sitemaps, the home page: no
                yield fetch, page


def rows(posts: Any, urls: set[str]) -> list[Row]:
    """The posts table's rows of these URLs, as the comparison reads them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if posts is None or not posts.num_rows or not urls:
        return []
    names = ["url", "title", "published_at", "categories", "tags", "last_seen_at"]
    picked = posts.filter(pc.is_in(posts["url"], value_set=pa.array(sorted(urls))))
    return [
        Row(r["url"], r["title"], r["published_at"], tuple(r["categories"] or ()),
            tuple(r["tags"] or ()), r["last_seen_at"])
        for r in picked.select(names).to_pylist()
    ]  # fmt: skip
