"""Pure text rules: white space folding and a post body as clean paragraphs."""

from __future__ import annotations

import functools
import re
from typing import Any

from etl.parse import selectors as sel

# Paragraphs that close many posts and are not the post's text (matched on folded text):
# cssamerica's, the default of a site profile (another blog sets its own).
BOILERPLATE: tuple[str, ...] = (
    r"Signup for FREE Tips!",
    r"Interested in improving your (?:company|organization)[’']s customer service\? See more at",
    r"Listen to our latest podcast episode of",
    r"Read our New Book [-–—]",
    r"Did you like this post\? Here are other .*-related posts:?$",
    r"Learn about our CSS Government services at",
)


@functools.lru_cache(maxsize=16)
def boilerplate_rule(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled pattern for a profile's boilerplate paragraphs (None: it has none)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_BOILERPLATE = boilerplate_rule(BOILERPLATE)


def fold(s: str) -> str:
    """Runs of white space (nbsp included) become one space; ends stripped."""
    # Fast path, the common case: str.isprintable() is False for every white space but " ",
    # so a printable string only needs its runs of spaces collapsed (~5x faster than split).
    # Line breaks and nbsp, the white space HTML text holds most, are made spaces first
    # (replace is a fast scan) so that their paragraphs take the fast path too.
    s = s.replace("\n", " ").replace("\xa0", " ")
    if s.isprintable():
        while "  " in s:
            s = s.replace("  ", " ")
        return s.strip(" ")
    # str.split() splits on every Unicode space (nbsp too) and is ~5x faster than re.sub.
    return " ".join(s.split())


def is_boilerplate(paragraph: str, rule: re.Pattern[str] | None = _BOILERPLATE) -> bool:
    """True for a folded paragraph that is site furniture, not the post's words."""
    return rule is not None and rule.match(paragraph) is not None


def paragraphs(node: Any, rule: re.Pattern[str] | None = _BOILERPLATE) -> list[str]:
    """Each `p` / `li` of a selectolax node, folded; empty ones and boilerplate dropped.

    Replaces the node's `<br>`s with spaces (a line break separates words): take any html
    you need from the node first.
    """
    for br in node.css("br"):
        br.replace_with(" ")
    out = []
    blocks = node.css(sel.BLOCKS)
    for block in blocks:
        # A p (or list) inside an li would be counted twice: the inner blocks are kept.
        # (A p cannot hold a block: the HTML parser closes it first. css() includes self.)
        if block.tag == "li" and len(block.css(sel.BLOCKS)) > 1:
            continue
        # text() keeps the spaces between inline tags; text(strip=True) would glue words.
        para = fold(block.text(deep=True, separator="", strip=False))
        if para and not (rule is not None and rule.match(para)):
            out.append(para)
    if not blocks and (para := fold(node.text(deep=True, separator="", strip=False))):
        out.append(para)  # words straight in the container, no p or li around them
    return out


def body_text(node_or_html: Any, rule: re.Pattern[str] | None = _BOILERPLATE) -> str:
    """The post body as text: paragraphs joined by a blank line, boilerplate out."""
    if isinstance(node_or_html, str):
        from selectolax.lexbor import LexborHTMLParser

        node_or_html = LexborHTMLParser(node_or_html).root
        if node_or_html is None:
            return ""
    return "\n\n".join(paragraphs(node_or_html, rule))
