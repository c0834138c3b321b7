"""Plan a generated site: its posts (titles, dates, terms) and its archives, without any HTML.

Planning is cheap (no bodies), so `posts_for_pages` can plan a few times to hit a target
number of archive pages.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from bench.sitemarkup import SITE, Term, texturize
from bench.sitetext import make_title, slugify

NEWEST = date(2025, 1, 21)  # a Tuesday: the newest tip of every generated site
OLDEST = date(2001, 1, 2)  # two-digit years read as 20YY, so no tip may be older
_WEEKS = (NEWEST - OLDEST).days // 7 + 1

# The real categories first ("Business Advice" lives at service-advice), then made-up ones.
_CATEGORIES = (
    ("Customer Service Tip of the Week", "customer-service-tip-of-the-week"),
    ("Business Advice", "service-advice"),
    ("Carolinas", "carolinas"),
    ("Government", "government"),
    ("Sports", "sports"),
    ("World of Customer Service", "world-of-customer-service"),
)
_MORE_CATEGORIES = "Healthcare Retail Hospitality Utilities Education Banking Leadership Training"
_TAGS = (
    "government resolve retention,service recovery,empathy,listening,loyalty,complaints,"
    "call center,front line,leadership,training,teamwork,communication,apology,co-workers,"
    "first impressions,feedback,surveys,culture,empowerment,engagement,follow-up,trust,"
    "patience,attitude,respect,kindness,self-service,technology,social media,email,phone,"
    "hiring,coaching,recognition,burnout,stress,conflict,difficult customers,expectations,"
    "consistency,quality,speed,convenience,personalization,relationships,referrals,reviews,"
    "ratings,sales,upselling,onboarding,retirement,holidays,sports fans,season tickets,"
    "internal customers,metrics,research,strategy,change,remote work,covid-19,accessibility"
).replace(" resolve retention", ",resolve,retention")


@dataclass(frozen=True, slots=True)
class PlannedPost:
    wp_id: int
    url: str
    heading: str  # as typed: "Title - 6/28/22", "Title - 6/25/13 TOW" or "Title"
    title: str  # as the parser must report it (texturized)
    date: date
    published: datetime  # local time with its UTC offset
    categories: tuple[Term, ...]
    tags: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Mix:
    """How posts spread over the terms (the defaults: the real blog's proportions)."""

    all_tips: bool = False  # every post is also in the first category (the tips)
    most_tags: int = 3  # each post has 0 to this many tags


@dataclass(frozen=True, slots=True)
class Shape:
    """A named site of fixed proportions, for benchmarks that need more than a page count."""

    name: str
    posts: int
    tags: int
    categories: int = 6
    mix: Mix = Mix()
    seed: int = 0

    def plan(self, per_page: int = 3) -> Plan:
        return plan_site(self.posts, self.tags, self.categories, self.seed, per_page, self.mix)


@dataclass(frozen=True, slots=True)
class Plan:
    posts: tuple[PlannedPost, ...]  # newest first
    archives: tuple[tuple[Term, tuple[int, ...]], ...]  # term -> indexes into posts
    per_page: int

    @property
    def archive_pages(self) -> int:
        return sum(math.ceil(len(m) / self.per_page) for _, m in self.archives)


def _eastern(day: date, clock: time) -> datetime:
    """Local time in US Eastern, with the daylight-saving offset WordPress would print."""
    if day.year >= 2007:  # second Sunday of March to first Sunday of November
        start = date(day.year, 3, 8) + timedelta(days=(6 - date(day.year, 3, 8).weekday()))
        end = date(day.year, 11, 1) + timedelta(days=(6 - date(day.year, 11, 1).weekday()))
    else:  # first Sunday of April to last Sunday of October
        start = date(day.year, 4, 1) + timedelta(days=(6 - date(day.year, 4, 1).weekday()))
        end = date(day.year, 10, 31) - timedelta(days=(date(day.year, 10, 31).weekday() + 1) % 7)
    hours = -4 if start <= day < end else -5
    return datetime.combine(day, clock, timezone(timedelta(hours=hours)))


def _terms(kind: str, names: list[tuple[str, str]]) -> list[Term]:
    return [Term(kind, name, slug) for name, slug in names]


def _categories(n: int) -> list[Term]:
    names = list(_CATEGORIES) + [(c, c.lower()) for c in _MORE_CATEGORIES.split()]
    names += [(f"Topic {i}", f"topic-{i}") for i in range(len(names) + 1, n + 1)]
    return _terms("category", names[: max(n, 1)])


def _tags(n: int) -> list[Term]:
    names = _TAGS.split(",")
    names += [f"topic {i}" for i in range(len(names) + 1, n + 1)]
    return _terms("tag", [(t, slugify(t)) for t in names[:n]])


_Draft = tuple[str, str, str, date, datetime, bool]


def _draft(rng: random.Random, week: int, taken: set[str]) -> _Draft:
    """(url, heading, title, date, published, dated) of one new post in the given week."""
    tuesday = NEWEST - timedelta(days=7 * week)
    dated = rng.random() < 0.88
    while True:
        title = make_title(rng)
        d = f"{tuesday.month}-{tuesday.day}-{tuesday.year % 100:02d}"
        slug = f"{slugify(title)}-{d}-customer-service-tip" if dated else slugify(title)
        if slug not in taken:
            taken.add(slug)
            break
    if not dated:
        day = tuesday + timedelta(days=rng.randint(0, 3))
        published = _eastern(day, time(rng.randint(7, 16), 15 * rng.randint(0, 3)))
        return f"{SITE}/{slug}/", title, texturize(title), day, published, False
    heading = f"{title} - {d.replace('-', '/')}" + (" TOW" if rng.random() < 0.08 else "")
    if rng.random() < 0.12:  # a tip for Tuesday published Monday evening
        clock, day = time(rng.randint(20, 23), 15 * rng.randint(0, 3)), tuesday - timedelta(1)
    else:
        clock, day = time(rng.randint(6, 11), 15 * rng.randint(0, 3)), tuesday
    return f"{SITE}/{slug}/", heading, texturize(title), tuesday, _eastern(day, clock), True


def _pick_terms(
    rng: random.Random,
    dated: bool,
    cats: list[Term],
    tags: list[Term],
    tag_weights: list[float],
    mix: Mix,
) -> tuple[list[Term], list[Term]]:
    tip, others = cats[0], cats[1:]
    beyond_tips = 0.25 if dated else 0.8  # most undated posts are business advice and such
    if others and rng.random() < beyond_tips:
        chosen = [tip] if dated else [rng.choice(others)]
        if rng.random() < 0.3:
            chosen.append(rng.choice(others))
    else:
        chosen = [tip]
    if mix.all_tips and tip not in chosen:
        chosen.insert(0, tip)
    wanted = rng.randint(0, mix.most_tags) if tags else 0
    picked = rng.choices(tags, cum_weights=tag_weights, k=wanted) if wanted else []
    return list(dict.fromkeys(chosen)), list(dict.fromkeys(picked))


def _cover(rng: random.Random, terms: list[Term], assigned: list[list[Term]], most: int) -> None:
    """Give every term at least one post: an empty archive would look like drift."""
    used = {t for ts in assigned for t in ts}
    for term in terms:
        if term not in used:
            room = [ts for ts in assigned if len(ts) < most]
            if room:
                rng.choice(room).append(term)


def plan_site(
    posts: int,
    tags: int,
    categories: int = 6,
    seed: int = 0,
    per_page: int = 3,
    mix: Mix = Mix(),
) -> Plan:
    """Decide every post and archive of a site; deterministic for the arguments."""
    if posts < 1 or per_page < 1:
        raise ValueError("a site needs at least one post and one post per page")
    rng = random.Random(seed)
    cats, tag_terms = _categories(categories), _tags(tags)
    weights = [1 / math.sqrt(i + 1) for i in range(len(tag_terms))]  # a few tags are popular
    cum = [sum(weights[: i + 1]) for i in range(len(weights))]
    per_week = math.ceil(posts / _WEEKS)
    taken: set[str] = set()
    drafts: list[_Draft] = []
    post_cats: list[list[Term]] = []
    post_tags: list[list[Term]] = []
    for i in range(posts):
        draft = _draft(rng, i // per_week, taken)
        c, t = _pick_terms(rng, draft[5], cats, tag_terms, cum, mix)
        drafts.append(draft)
        post_cats.append(c)
        post_tags.append(t)
    _cover(rng, cats, post_cats, 2)
    _cover(rng, tag_terms, post_tags, 3)
    order = sorted(range(posts), key=lambda i: (drafts[i][4], -i), reverse=True)
    planned = tuple(
        PlannedPost(
            wp_id=1000 + posts - rank,
            url=drafts[i][0],
            heading=drafts[i][1],
            title=drafts[i][2],
            date=drafts[i][3],
            published=drafts[i][4],
            categories=tuple(sorted(post_cats[i], key=lambda t: t.name)),
            tags=tuple(sorted(post_tags[i], key=lambda t: t.name)),
        )
        for rank, i in enumerate(order)
    )
    members: dict[Term, list[int]] = {t: [] for t in cats + tag_terms}
    for index, p in enumerate(planned):
        for term in p.categories + p.tags:
            members[term].append(index)
    archives = tuple((t, tuple(m)) for t, m in members.items() if m)
    return Plan(planned, archives, per_page)


def posts_for_pages(
    pages: int, tags: int, categories: int = 6, seed: int = 0, per_page: int = 3
) -> Plan:
    """The plan whose number of archive pages is closest to `pages` (within ~1%)."""
    guess = max(1, round(pages * per_page / 2.7))  # about 2.7 archive slots per post
    best = plan_site(guess, tags, categories, seed, per_page)
    for _ in range(8):
        if abs(best.archive_pages - pages) <= pages * 0.01:
            break
        guess = max(1, round(len(best.posts) * pages / max(best.archive_pages, 1)))
        candidate = plan_site(guess, tags, categories, seed, per_page)
        if abs(candidate.archive_pages - pages) < abs(best.archive_pages - pages):
            best = candidate
        else:
            break
    return best


def utc_stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# A blog whose weekly tips all stand in one archive: with 3 posts a page the tips archive is
# posts/3 pages deep, the rest 53 shallow archives (3,000 posts: 54 archives, ~3,200 pages,
# the deepest 1,000 pages). A crawl that follows next links one by one spends its tail here.
SHAPES: dict[str, Shape] = {
    "deep": Shape("deep", posts=3000, tags=48, mix=Mix(all_tips=True, most_tags=4), seed=1),
    "deep-quick": Shape("deep-quick", posts=150, tags=8, mix=Mix(all_tips=True, most_tags=4)),
}
