"""Pure text rules: white space folding and a post body as clean paragraphs."""

from __future__ import annotations

import re
from typing import Any

from etl.parse import selectors as sel

# Paragraphs that close many posts and are not the post's text (matched on folded text).
BOILERPLATE: tuple[str, ...] = (
    r"Signup for FREE Tips!",
    r"Interested in improving your (?:company|organization)[’']s customer service\? See more at",
    r"Listen to our latest podcast episode of",
    r"Read our New Book [-–—]",
    r"Did you like this post\? Here are other .*-related posts:?$",
    r"Learn about our CSS Government services at",
)
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE), re.IGNORECASE)


def fold(s: str) -> str:
    """Runs of white space (nbsp included) become one space; ends stripped."""
    # Fast path, the common case: str.isprintable() is False for every white space but " ",
    # so a printable string only needs its runs of spaces collapsed (~5x faster than split).
    if s.isprintable():
        while "  " in s:
            s = s.replace("  ", " ")
        return s.strip(" ")
    # str.split() splits on every Unicode space (nbsp too) and is ~5x faster than re.sub.
    return " ".join(s.split())


def is_boilerplate(paragraph: str) -> bool:
    """True for a folded paragraph that is site furniture, not the post's words."""
    return _BOILERPLATE.match(paragraph) is not None


def paragraphs(node: Any) -> list[str]:
    """Each `p` / `li` of a selectolax node, folded; empty ones and boilerplate dropped.

    Replaces the node's `<br>`s with spaces (a line break separates words): take any html
    you need from the node first.
    """
    for br in node.css("br"):
        br.replace_with(" ")
    out = []
    for block in node.css(sel.BLOCKS):
        # A p (or list) inside an li would be counted twice: the inner blocks are kept.
        # (A p cannot hold a block: the HTML parser closes it first. css() includes self.)
        if block.tag == "li" and len(block.css(sel.BLOCKS)) > 1:
            continue
        # text() keeps the spaces between inline tags; text(strip=True) would glue words.
        para = fold(block.text(deep=True, separator="", strip=False))
        if para and not is_boilerplate(para):
            out.append(para)
    return out


def body_text(node_or_html: Any) -> str:
    """The post body as text: paragraphs joined by a blank line, boilerplate out."""
    if isinstance(node_or_html, str):
        from selectolax.lexbor import LexborHTMLParser

        node_or_html = LexborHTMLParser(node_or_html).root
        if node_or_html is None:
            return ""
    return "\n\n".join(paragraphs(node_or_html))
