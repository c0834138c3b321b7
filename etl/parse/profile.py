"""A site profile: what the parser learned about one site, and the site's own rules.

Frozen and JSON-serialisable. `learn_profile(pages)` (pure: a few pages in, a profile out)
records which rule found each field on most pages, where the teaser block sits, posts per
page, whether headings carry dates; `parse_page(html, url, profile)` then reads one page
right even where a single page cannot tell (which block of post links is the teaser
block). The site's rules are parameters too: the heading-date rule on or off, the known
boilerplate paragraphs. `describe_change(old, new)` says in words what changed (a change
of theme shows as a profile change in the run report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from etl.parse import selectors as sel
from etl.parse.site import archive_page, post_url
from etl.parse.teasers import path_locator
from etl.parse.text import BOILERPLATE
from etl.parse.tree import attr, first, select
from etl.records import FoundBy, Page
from etl.urls import origin

VERSION = 1
_TRUE_SHARE = 0.25  # headings with a date: at least this share turns the heading-date rule on
_REPEATS = 3  # pages that show the same block of post items before it is the teaser block
_ANY_ITEM = ", ".join(selector for _, selector in sel.POST_ITEMS)


@dataclass(frozen=True, slots=True)
class Profile:
    """What the parser knows about a site; `Profile()` is cssamerica's defaults."""

    theme: str | None = None  # wp-content/themes/<name>
    # field -> the rule that found it on most records (posts, title, date, tags, term, ...).
    rules: FoundBy = ()
    teaser_block: str | None = None  # a CSS selector for the block; None: not known
    has_teasers: bool | None = None  # None: not learned; False: the site shows no block
    per_page: int | None = None  # posts on a full archive page ("Blog pages show at most")
    heading_dates: bool = True  # titles end in the tip's date: `Title - 6/28/22`
    excerpts_only: bool = False  # archives show excerpts: the text is on each post's page
    shows_pagination: bool | None = None  # None: no page seen with pagination
    language: str | None = None  # <html lang>, for dates shown as words
    boilerplate: tuple[str, ...] = BOILERPLATE  # paragraph patterns that are not the post's
    pages: int = 0  # how many pages it was learned from
    version: int = VERSION

    def rule(self, field: str) -> str | None:
        return next((rule for name, rule in self.rules if name == field), None)


DEFAULT = Profile()


def to_json(profile: Profile) -> dict[str, Any]:
    """The profile as plain JSON data (lists for tuples)."""
    out: dict[str, Any] = {}
    for f in fields(profile):
        value = getattr(profile, f.name)
        out[f.name] = [list(v) for v in value] if f.name == "rules" else value
        if f.name == "boilerplate":
            out[f.name] = list(value)
    return out


def from_json(data: Any) -> Profile:
    """A profile from `to_json`'s data; ValueError naming the field when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("site profile: expected a JSON object")
    if data.get("version") != VERSION:
        raise ValueError(f"site profile: version {data.get('version')!r}, expected {VERSION}")
    known = {f.name for f in fields(Profile)}
    if unknown := sorted(set(data) - known):
        raise ValueError(f"site profile: unknown field(s) {', '.join(unknown)}")
    try:
        rules = tuple((str(k), None if v is None else str(v)) for k, v in data.get("rules", []))
        boilerplate = tuple(str(p) for p in data.get("boilerplate", BOILERPLATE))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"site profile: rules or boilerplate malformed: {exc}") from None
    values = {k: v for k, v in data.items() if k not in ("rules", "boilerplate")}
    profile = Profile(**values, rules=rules, boilerplate=boilerplate)
    for f in fields(profile):
        _check(f.name, getattr(profile, f.name))
    return profile


_TYPES: dict[str, tuple[type, ...]] = {
    "theme": (str, type(None)),
    "teaser_block": (str, type(None)),
    "has_teasers": (bool, type(None)),
    "per_page": (int, type(None)),
    "heading_dates": (bool,),
    "excerpts_only": (bool,),
    "shows_pagination": (bool, type(None)),
    "language": (str, type(None)),
    "pages": (int,),
    "version": (int,),
}


def _check(name: str, value: Any) -> None:
    types = _TYPES.get(name)
    if types is not None and not isinstance(value, types):
        raise ValueError(f"site profile: {name} is {value!r}, not {types[0].__name__}")


def learn_profile(pages: Iterable[Page | tuple[str, str]], *, base: Profile = DEFAULT) -> Profile:
    """What a few pages (parsed, or (url, html) to parse) say about the site.

    `base` carries the site's configured rules (boilerplate, heading dates when set by the
    user); everything else is learned. Archive pages say the most: give a few of them, of
    more than one archive (raw pages also show which block repeats from page to page).
    """
    from etl.parse.page import parse_page

    pages = list(pages)
    repeated = repeated_block([p for p in pages if not isinstance(p, Page)])
    reading = base
    if repeated is not None:  # read the pages knowing it: its posts are no main loop
        reading = replace(base, teaser_block=repeated, rules=(("teasers", "repeated_block"),))
    parsed = [p if isinstance(p, Page) else parse_page(p[1], p[0], reading) for p in pages]
    archives = [p for p in parsed if p.kind == "archive"] or parsed
    if not archives:
        return base
    posts = [post for p in archives for post in p.posts]
    rules = _majority([p.found_by for p in archives] + [post.found_by for post in posts])
    blocks = Counter(p.teaser_block for p in archives if p.teaser_block)
    block = blocks.most_common(1)[0][0] if blocks else None
    full = [len(p.posts) for p in archives if p.next_url]
    dated = sum(1 for post in posts if post.date_source == "heading")
    return replace(
        base,
        theme=Counter(p.theme for p in parsed).most_common(1)[0][0],
        rules=rules,
        teaser_block=block,
        has_teasers=block is not None and blocks[block] * 2 >= len(archives),
        per_page=max(full) if full else max((len(p.posts) for p in archives), default=None),
        heading_dates=base.heading_dates and dated >= _TRUE_SHARE * max(1, len(posts)),
        excerpts_only=sum(p.excerpts_only for p in archives) * 2 > len(archives),
        shows_pagination=True if any(p.shows_pagination for p in archives) else None,
        pages=len(parsed),
    )


def repeated_block(raw: Sequence[tuple[str, str]]) -> str | None:
    """A block of post items that lists the same posts on pages of different archives is
    the site's teaser block, whatever its markup (each archive's main loop differs).

    Asked only of pages that show more than one block of post items (a lone main loop is
    never taken for a teaser block, even where two small archives hold the same posts).
    """
    seen: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for url, html in raw:
        groups = _item_groups(LexborHTMLParser(html), origin(url))
        if len(groups) < 2:
            continue
        for where, urls in groups.items():
            seen.setdefault(where, []).append((archive_page(url).base, urls))
    for where, shown in seen.items():
        urls, count = Counter(u for _, u in shown).most_common(1)[0]
        if count >= _REPEATS and len({b for b, u in shown if u == urls}) >= 2:
            return where
    return None


def _item_groups(tree: Any, site: str) -> dict[str, tuple[str, ...]]:
    """Post items by the element that holds them: {its selector: the posts' URLs}."""
    groups: dict[str, list[str]] = {}
    for item in select(tree, _ANY_ITEM):
        link, _ = first(item, sel.TITLE_LINK)
        url = post_url(site, attr(link, "href"))
        if url is not None and item.parent is not None:
            groups.setdefault(path_locator(item.parent), []).append(url)
    return {where: tuple(dict.fromkeys(urls)) for where, urls in groups.items()}


def _majority(hits: Sequence[FoundBy]) -> FoundBy:
    """Per field, the rule that found it most often (fields no rule found are left out)."""
    counts: dict[str, Counter[str]] = {}
    for found in hits:
        for name, rule in found:
            if rule is not None:
                counts.setdefault(name, Counter())[rule] += 1
    return tuple(sorted((name, c.most_common(1)[0][0]) for name, c in counts.items()))


def rule_counts(pages: Iterable[Page]) -> dict[str, dict[str, int]]:
    """Per field ("post.tags", "teaser.date", "page.next"), how many records each rule found
    it on, "none" for the records no rule read it for: the run report's rule table."""
    counts: dict[str, Counter[str]] = {}
    for page in pages:
        found = [("page", page.found_by)]
        found += [("post", post.found_by) for post in page.posts]
        found += [("teaser", teaser.found_by) for teaser in page.teasers]
        for kind, hits in found:
            for field, rule in hits:
                counts.setdefault(f"{kind}.{field}", Counter())[rule or "none"] += 1
    return {field: dict(sorted(c.items())) for field, c in sorted(counts.items())}


def describe_change(old: Profile, new: Profile) -> list[str]:
    """The differences between two profiles, one line each ([] when they agree)."""
    lines = []
    for f in fields(Profile):
        if f.name in ("rules", "pages", "boilerplate"):
            continue
        before, after = getattr(old, f.name), getattr(new, f.name)
        if before != after:
            lines.append(f"{f.name.replace('_', ' ')}: {_show(before)} -> {_show(after)}")
    old_rules, new_rules = dict(old.rules), dict(new.rules)
    for name in sorted(old_rules.keys() | new_rules.keys()):
        if old_rules.get(name) != new_rules.get(name):
            before, after = _show(old_rules.get(name)), _show(new_rules.get(name))
            lines.append(f"rule for {name}: {before} -> {after}")
    if old.boilerplate != new.boilerplate:
        lines.append(f"boilerplate: {len(old.boilerplate)} -> {len(new.boilerplate)} patterns")
    return lines


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
