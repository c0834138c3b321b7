"""Small helpers over a lexbor tree, and the state of one page's parse (`Ctx`)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from etl.parse.selectors import Rule
from etl.parse.site import PageURL
from etl.parse.text import fold
from etl.records import Problem

Node = Any  # selectolax ships no type hints


def attr(node: Node | None, name: str) -> str | None:
    """An attribute's value, None when the node or the value is missing or blank."""
    if node is None:
        return None
    value = node.attrs.get(name)
    return value if isinstance(value, str) and value.strip() else None


def empty(node: Node) -> bool:
    """No element and no words inside (Astra prints an empty entry-content on archives)."""
    child = node.child
    if child is None:
        return True
    if child.next is not None or child.tag != "-text":
        return False
    return not child.text_content.strip()


def text(node: Node | None) -> str:
    # text() keeps the spaces between inline tags; fold() then tidies them.
    return fold(node.text(deep=True, separator="", strip=False)) if node is not None else ""


def excerpt(node: Node) -> str:
    """A short piece of a node's html, for the rejects table."""
    return (node.html or "")[:200]


def select(node: Node, selector: str) -> list[Node]:
    """`node.css(selector)` without repeats: lexbor lists a node once per matching part of a
    selector list (`a.x, a[rel]` gives an `a.x[rel]` twice), adjacent, in document order."""
    out: list[Node] = []
    last = None
    for found in node.css(selector):
        if found.mem_id != last:
            out.append(found)
            last = found.mem_id
    return out


@functools.lru_cache(maxsize=256)
def not_inside(selector: str, containers: str, ancestors: str = "") -> str:
    """`selector` less the nodes that are (or are inside) `containers`, or are inside
    `ancestors`: one query that lexbor answers in C.

    (selectolax's css_matches is true when any node of the subtree matches, so "is this
    node inside a widget" is asked as a selector: `a:not(.widget, .widget *)`.)
    """
    parts = [f"{p}, {p} *" for p in _parts(containers)] + [f"{p} *" for p in _parts(ancestors)]
    if not parts:
        return selector
    inside = ", ".join(parts)
    return ", ".join(f"{s}:not({inside})" for s in _parts(selector))


def _parts(selectors: str) -> list[str]:
    return [p.strip() for p in selectors.split(",") if p.strip()]


def first(node: Node, rules: tuple[Rule, ...]) -> tuple[Node | None, str | None]:
    """The first rule's first match inside `node`, and that rule's name."""
    for name, selector in rules:
        found = node.css_first(selector)
        if found is not None:
            return found, name
    return None, None


@functools.lru_cache(maxsize=256)
def preferring(rules: tuple[Rule, ...], name: str | None) -> tuple[Rule, ...]:
    """The rules with the one a site profile names first (the rest keep their order)."""
    if name is None:
        return rules
    return tuple(r for r in rules if r[0] == name) + tuple(r for r in rules if r[0] != name)


def classes(node: Node) -> list[str]:
    value = node.attrs.get("class")
    return value.split() if isinstance(value, str) else []


@dataclass(slots=True)
class Ctx:
    """What one page's parse knows and collects: its URL, the site's rules, its problems."""

    at: PageURL  # the page's own URL, split
    heading_dates: bool
    boilerplate: re.Pattern[str] | None
    language: str | None
    preferred: dict[str, str]  # field -> the rule the site profile found it with
    problems: list[Problem] = field(default_factory=list)

    def problem(
        self,
        code: str,
        detail: str,
        *,
        drift: bool = False,
        record_kind: str = "page",
        excerpt: str = "",
        url: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                code=code,
                url=url or self.at.url,
                detail=detail,
                drift=drift,
                record_kind=record_kind,
                excerpt=excerpt,
            )
        )

    @property
    def url(self) -> str:
        return self.at.url

    @property
    def origin(self) -> str:
        """scheme://host[:port] of the page: links elsewhere are not this site's."""
        return self.at.origin

    def rules(self, field_name: str, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
        name = self.preferred.get(field_name)
        return rules if name is None else preferring(rules, name)
