"""A second test blog, generated from a seed: not cssamerica, to keep the parser honest.

A community-garden journal on https://blog.example.org: titles without dates (quotes, `...`,
` - `, `&`, digits, questions), its own categories and tags (`Club News` lives at
`/category/news/`, the tag `Q&A` at `/tag/questions/`), posts on any weekday at any hour in
Europe/Berlin time (positive UTC offsets; some local dates differ from the UTC date), some
posts without tags, a sign-off paragraph repeated in many posts (learned boilerplate: not
part of `text`), links to other posts inside bodies, lists and `&nbsp;` spacers. No
latest-posts block. The same seed always gives the same blog.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import random
import re
from zoneinfo import ZoneInfo

from tests.themes.model import Post, Site, Term

ORIGIN = "https://blog.example.org"
ZONE = "Europe/Berlin"
SIGN_OFF = "Happy gardening! The plot committee meets on the first Saturday of every month."
CATEGORIES = (
    ("Garden Tips", "garden-tips"),
    ("Kitchen & Harvest", "kitchen-harvest"),
    ("Club News", "news"),
    ("Uncategorized", "uncategorized"),
    ("Wildlife", "wildlife"),
)
TAGS = (
    ("bees", "bees"),
    ("compost", "compost"),
    ("events", "events"),
    ("pruning", "pruning"),
    ("Q&A", "questions"),
    ("seedlings", "seedlings"),
    ("soil health", "soil-health"),
    ("tomatoes", "tomatoes"),
)
TITLES = (
    "Why We Don't Dig Anymore",
    'Compost 101: Hot, Cold and "Lazy"',
    "Seed Swap Recap",
    "Pruning Roses - A Beginner's Guide",
    "Ten Tomatoes Worth Growing",
    "What Is Eating My Kale?",
    "Rain Barrels & Water Butts",
    "The Bees Are Back...",
    "Our New Polytunnel",
    "Leaf Mould, Slowly",
    "Planting Garlic Before the Frost",
    "Kitchen & Harvest: Pickling Beans",
    "Notes From the AGM",
    "Mulch - How Much Is Too Much?",
    "A Pond for Frogs",
    "Chitting Potatoes on the Windowsill",
    "Saving Seeds From Heirloom Beans",
    "Five Jobs for a Wet Weekend",
    "Hedgehog Highways",
    '"No Dig" One Year On',
    "When to Sow Parsnips",
    "Courgette Glut Recipes",
    "Green Manure in Autumn",
    "Raised Beds: Wood or Stone?",
    "Open Day 2024",
    "Fruit Cage Repairs",
    "Soil Tests for Beginners",
    "Growing Sweet Peas up a Wigwam",
    "The Shed Roof...Again",
    "Ask the Plot Doctor",
    "Wormeries Explained",
    "Winter Salad Leaves",
    "Dahlias - Lift or Leave?",
    "Bird Boxes for Tits",
    "Blight-Resistant Potatoes",
    "Making Nettle Feed",
)
_WORDS = (
    "soil",
    "spade",
    "seedling",
    "compost",
    "rain",
    "barrow",
    "frost",
    "leaf",
    "bed",
    "path",
    "shed",
    "water",
    "sun",
    "shade",
    "root",
    "weed",
    "harvest",
    "mulch",
    "worm",
    "bean",
    "pea",
    "onion",
    "kale",
    "squash",
    "bloom",
    "hedge",
    "pond",
    "frog",
    "bee",
    "wasp",
    "net",
    "string",
    "cane",
    "label",
    "tray",
    "pot",
    "greenhouse",
    "gardener",
    "neighbour",
    "plot",
    "season",
    "morning",
    "evening",
    "autumn",
    "spring",
    "summer",
    "winter",
    "patience",
    "trowel",
    "fork",
    "glove",
    "tea",
    "bench",
    "sky",
    "week",
    "row",
    "crop",
)
_VERBS = (
    "needs",
    "loves",
    "keeps",
    "brings",
    "waits",
    "grows",
    "turns",
    "feeds",
    "holds",
    "gives",
    "takes",
)


def slugify(title: str) -> str:
    """sanitize_title(): lower case, punctuation out, spaces to hyphens."""
    return re.sub(r"[\s-]+", "-", re.sub(r"[^a-z0-9\s-]", "", title.lower())).strip("-")


def _sentence(rnd: random.Random) -> str:
    words = [rnd.choice(_WORDS) for _ in range(rnd.randint(5, 12))]
    words.insert(rnd.randint(1, 3), rnd.choice(_VERBS))
    if rnd.random() < 0.3:
        words[rnd.randrange(len(words))] = rnd.choice(("it’s", "don’t", "we’ve", "“proper”"))
    return " ".join(words).capitalize() + rnd.choice(".....?!")


def _paragraph(rnd: random.Random) -> str:
    return " ".join(_sentence(rnd) for _ in range(rnd.randint(2, 6)))


def _html(text: str) -> str:
    """A paragraph as WordPress stores it: quotes as numeric entities."""
    out = html.escape(text, quote=False)
    for char, entity in (("’", "&#8217;"), ("“", "&#8220;"), ("”", "&#8221;")):
        out = out.replace(char, entity)
    return out


def _body(rnd: random.Random, others: list[tuple[str, str]], sign_off: bool) -> tuple[str, str]:
    """(body HTML, expected text) of one post."""
    blocks: list[str] = []
    texts: list[str] = []
    for i in range(rnd.randint(3, 7)):
        para = _paragraph(rnd)
        markup = _html(para)
        if others and i == 1 and rnd.random() < 0.4:  # a link to another post of the blog
            slug, name = rnd.choice(others)
            link = f' See also <a href="{ORIGIN}/{slug}/">{_html(name)}</a>.'
            markup, para = markup + link, para + f" See also {name}."
        if rnd.random() < 0.2 and "." in markup:  # the first sentence in bold
            markup = "<strong>" + markup.replace(".", ".</strong>", 1)
        blocks.append(f"<p>{markup}</p>")
        texts.append(para)
        if rnd.random() < 0.15:
            blocks.append("<p>&nbsp;</p>")
        if rnd.random() < 0.2:
            items = [_sentence(rnd) for _ in range(rnd.randint(2, 4))]
            blocks.append("<ul>\n" + "".join(f"<li>{_html(t)}</li>\n" for t in items) + "</ul>")
            texts += items
    if sign_off:
        blocks.append(f"<p>{_html(SIGN_OFF)}</p>")
    return "\n".join(blocks) + "\n", "\n\n".join(texts)


def _terms() -> tuple[tuple[Term, ...], tuple[Term, ...]]:
    # Uncategorized is WordPress' term 1; the others were added later, in this order.
    order = ["uncategorized", "garden-tips", "news", "kitchen-harvest", "wildlife"]
    cats = tuple(Term("category", 1 + order.index(s) * 3, n, s) for n, s in CATEGORIES)
    tags = tuple(Term("tag", 20 + i * 2, n, s) for i, (n, s) in enumerate(TAGS))
    return cats, tags


@functools.cache
def load(seed: int = 7, count: int = 32) -> Site:
    """The second blog: `count` posts (at most len(TITLES)), newest first."""
    rnd = random.Random(seed)
    cats, tags = _terms()
    titles = rnd.sample(TITLES, count)
    zone = ZoneInfo(ZONE)
    when = dt.datetime(2023, 3, 4, 9, 30, tzinfo=zone)
    posts: list[Post] = []
    post_id = 40 + rnd.randint(0, 9)
    sign_offs = set(rnd.sample(range(count), count // 3))
    for i, title in enumerate(titles):  # oldest first: ids grow with time
        when = (when + dt.timedelta(days=rnd.randint(1, 19))).replace(
            hour=rnd.choice((0, 7, 8, 12, 17, 19, 21, 23)), minute=rnd.choice((0, 5, 30, 45))
        )
        post_id += rnd.randint(1, 6)
        chosen_cats = rnd.sample(cats[:3] + cats[4:], rnd.choice((1, 1, 2))) if i % 9 else [cats[3]]
        chosen_tags = rnd.sample(tags, rnd.choice((0, 0, 1, 2, 3)))
        others = [(p.slug, p.title) for p in posts]
        body, text = _body(rnd, others, i in sign_offs)
        posts.append(
            Post(
                id=post_id,
                slug=slugify(title),
                title=title,
                published=when.replace(tzinfo=_offset(when)),
                categories=tuple(sorted(chosen_cats, key=lambda t: t.name.lower())),
                tags=tuple(sorted(chosen_tags, key=lambda t: t.name.lower())),
                body=body,
                text=text,
            )
        )
    used = {t for p in posts for t in p.terms}  # WordPress lists no empty term
    return Site(
        key="second",
        origin=ORIGIN,
        name="Northfield Community Garden",
        tagline="Notes from the plots",
        posts=tuple(reversed(posts)),
        categories=tuple(sorted(used & set(cats), key=lambda t: t.slug)),
        tags=tuple(sorted(used & set(tags), key=lambda t: t.name.lower())),
        latest=0,
        menu=(("Home", ORIGIN + "/"), ("Garden Tips", ORIGIN + "/category/garden-tips/")),
        timezone=ZONE,
    )


def _offset(when: dt.datetime) -> dt.timezone:
    """The fixed UTC offset in force at `when` (a post's timestamp carries only that)."""
    delta = when.utcoffset()
    assert delta is not None
    return dt.timezone(delta)
