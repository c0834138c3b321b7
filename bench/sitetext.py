"""Realistic titles and bodies, drawn from the real posts in the expected fixture records.

Sentences of the real post texts are recombined into paragraphs, and title words of the real
headings into new titles with the site's quirks (leading digits, curly quotes, `?`, `…`,
colons, inner dashes), so the parser meets the characters and lengths it meets on the site.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench.sitemarkup import SITE, esc

_POSTS_JSON = (
    Path(__file__).resolve().parents[1] / "tests/fixtures/site/expected/snapshot-2/posts.json"
)

# Closing paragraphs the contract names as boilerplate, in the snapshot's own markup.
BOILERPLATE = (
    f'<p style="text-align: center;"><a href="{SITE}/tips/">Signup for FREE Tips!</a>'
    f'&nbsp;&nbsp;&nbsp; <a href="{SITE}/contact-us/">Contact Us</a>&nbsp;&nbsp;&nbsp; '
    f'<a href="{SITE}/resources/">More Resources for You</a>&nbsp;&nbsp;&nbsp; '
    f'<a href="{SITE}/">Visit Our Home Page</a></p>',
    "<p>Interested in improving your company&#8217;s customer service? See more at our new "
    "website! http://www.cssamerica.com/</p>",
    "<p>Listen to our latest podcast episode of &#8220;Stepping Up Service&#8221; on The MESH "
    "Network at http://themesh.tv/stepping-up-service/</p>",
    "<p>Read our New Book &#8211; &#8220;Ask Yourself&#8230;Am I GREAT at Customer "
    "Service?&#8221; http://www.amigreatat.com/</p>",
    "<p>Did you like this post? Here are other Sports-related posts:</p>",
    "<p>Learn about our CSS Government services at: http://cssamerica.com/cssgovt.htm</p>",
)
SPACER = "<p>&nbsp;</p>"
EXCERPT_WORDS = 55


@dataclass(frozen=True, slots=True)
class Corpus:
    sentences: tuple[tuple[str, int], ...]  # (sentence, its word count)
    title_words: tuple[str, ...]


@cache
def corpus() -> Corpus:
    records = json.loads(_POSTS_JSON.read_text(encoding="utf-8"))
    sentences: dict[str, int] = {}  # a dict keeps first-seen order: deterministic
    words: dict[str, None] = {}
    for r in records:
        for s in re.split(r"(?<=[.!?])\s+", r["text"]):
            n = len(s.split())
            if 3 <= n <= 45:
                sentences.setdefault(s, n)
        for w in r["title"].replace(" – ", " ").split():
            if w.strip("?….:,“”\"'") and not w[0].isdigit():
                words[w.strip('?…:,“”"')] = None
    return Corpus(tuple(sentences.items()), tuple(w for w in words if w))


def make_title(rng: random.Random) -> str:
    """A new title in the shapes of the real ones."""
    words = rng.choices(corpus().title_words, k=rng.randint(3, 8))
    words[0] = words[0][:1].upper() + words[0][1:]  # "you" may end up first
    if rng.random() < 0.08:
        words.insert(0, str(rng.choice((3, 4, 5, 6, 7, 10, 2024))))
    if rng.random() < 0.08:
        words.insert(rng.randint(1, len(words) - 1), "5-Minute")
    title = " ".join(words)
    roll = rng.random()
    if roll < 0.06:
        i = title.find(" ", len(title) // 3)
        title = title[:i] + ":" + title[i:]  # "Wrap It Up Right: Why ..."
    elif roll < 0.11:
        i = title.find(" ", len(title) // 2)
        title = title[:i] + " -" + title[i:]  # "Customer for Life - The Final Step"
    elif roll < 0.16:
        title = f"“{title}”"
    elif roll < 0.20:
        title = title.replace(" ", " '", 1) + "'"  # straight quotes, as some real titles
    ending = rng.random()
    if ending < 0.10:
        title += "?"
    elif ending < 0.13:
        title += "…"
    elif ending < 0.15:
        title += "..."
    return title


def slugify(title: str) -> str:
    """WordPress' sanitize_title for these titles: quotes dropped, other runs become `-`."""
    plain = re.sub(r"[’‘'“”\"]", "", title.lower())
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def paragraph(rng: random.Random, low: int, high: int) -> str:
    """Sentences until the paragraph has between low and high words (about)."""
    target = rng.randint(low, high)
    sentences = corpus().sentences
    out: list[str] = []
    n = 0
    while n < target:
        s, k = sentences[rng.randrange(len(sentences))]
        out.append(s)
        n += k
    # the site's editors often typed two spaces after a full stop
    return ("  " if rng.random() < 0.3 else " ").join(out)


def make_body(rng: random.Random) -> tuple[str, str]:
    """(body HTML, excerpt text): 5-15 paragraphs of 40-120 words, lists, spacers, boilerplate."""
    texts = [paragraph(rng, 40, 120) for _ in range(rng.randint(5, 15))]
    blocks = [f"<p>{esc(t)}</p>\n" for t in texts]
    if rng.random() < 0.15:
        items = [paragraph(rng, 10, 40) for _ in range(rng.randint(3, 5))]
        lis = "".join(f"<li>{esc(t)}</li>\n" for t in items)
        blocks.insert(rng.randint(2, len(blocks)), f"<ul>\n{lis}</ul>\n")
    if rng.random() < 0.2:
        blocks.insert(rng.randint(2, len(blocks)), SPACER + "\n")
    if rng.random() < 0.5:
        blocks += [b + "\n" for b in rng.sample(BOILERPLATE, rng.randint(1, 2))]
    excerpt = " ".join(" ".join(texts[:2]).split()[:EXCERPT_WORDS])
    return "".join(blocks), excerpt
