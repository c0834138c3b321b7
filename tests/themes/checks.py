"""Helpers of the fixture tests: render every (theme, blog) once, check well-formedness."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from tests.themes import BLOGS, THEMES, render_fixture

# HTML elements without an end tag.
VOID = frozenset(
    (
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    )
)


def render_all(base: Path) -> dict[tuple[str, str], Path]:
    """Every theme in every blog, under base/<theme>-<blog>/."""
    return {
        (theme, blog): render_fixture(theme, blog, base / f"{theme}-{blog}")
        for theme in THEMES
        for blog in BLOGS
    }


def html_files(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.rglob("*.html"))


class _Balance(HTMLParser):
    """Every element closed, in order (the fixtures never rely on implied end tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)
        if len({name for name, _ in attrs}) != len(attrs):
            self.errors.append(f"<{tag}> repeats an attribute")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """`<input ... />`, `<path ... />`: complete in themselves."""
        if len({name for name, _ in attrs}) != len(attrs):
            self.errors.append(f"<{tag}> repeats an attribute")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"</{tag}> closes a void element")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def malformed(text: str) -> list[str]:
    """What is wrong with a page's markup: unbalanced tags, repeated attributes, no doctype."""
    checker = _Balance()
    checker.feed(text)
    checker.close()
    errors = checker.errors + [f"<{t}> never closed" for t in checker.stack]
    if not text.lstrip().lower().startswith("<!doctype html>"):
        errors.append("no <!DOCTYPE html>")
    return errors[:5]
