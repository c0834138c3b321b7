"""Categories and tags: a post's term links, and the name of the archive's own term.

A link is a category or a tag by its `rel` (classic themes: "category tag" vs "tag"), its
URL (`/category/<slug>/`, `/tag/<slug>/`) or the post_class() word for its slug
(`category-<slug>`, `tag-<slug>`); block themes print rel="tag" for both. Names are the
links' texts, never slugs (the category `service-advice` is "Business Advice").
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from etl.parse import selectors as sel
from etl.parse.site import ARCHIVE_PATH, host_of, slug_of
from etl.parse.tree import Ctx, Node, attr, excerpt, first, not_inside, select, text
from etl.records import TermKind

_SANITIZE = re.compile(r"%[0-9a-fA-F]{2}|[^A-Za-z0-9_-]")  # as sanitize_html_class() does
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—·»•]|-|::)\s+")
_PREFIX = re.compile(r"^[^:]{1,40}:\s*")  # "Category: ", "Kategorie: ", "Catégorie : "
_KINDS: tuple[TermKind, ...] = ("category", "tag")
_FIELDS: dict[TermKind, str] = {"category": "categories", "tag": "tags"}
_POST_CLASS_TERM = re.compile(r"(?:^|\s)(category|tag)-(\S+)")  # post_class() words


@functools.lru_cache(maxsize=8192)
def _href_kind(href: str) -> tuple[TermKind | None, str]:
    """(kind by the URL's path, sanitized slug) of a term link."""
    path = urlsplit(href.strip()).path
    m = ARCHIVE_PATH.search(path)
    kind: TermKind | None = None
    if m is not None and m["n"] is None:
        kind = "category" if m["kind"] == "category" else "tag"
    return kind, _SANITIZE.sub("", slug_of(href.strip())).lower()


def _kind(rel: str, href: str, shown: dict[TermKind, set[str]]) -> tuple[TermKind | None, str]:
    by_url, slug = _href_kind(href)
    if "category" in rel:
        return "category", slug
    if by_url is not None:
        return by_url, slug
    if slug in shown["category"]:
        return "category", slug
    if slug in shown["tag"] or "tag" in rel:
        return "tag", slug
    return None, slug


def _term_links(item: Node) -> tuple[list[tuple[Node, str, str]], str]:
    """(link, rel, href) of the block's term links, and the rule: rel words, else URLs."""
    (rule, tagged), (_, categorized), (by_url, urls) = sel.TERM_LINKS
    links = [(a, a.attrs.get("rel") or "", a.attrs.get("href") or "") for a in item.css(tagged)]
    if not any("category" in rel for _, rel, _ in links):  # plain permalinks: rel="category"
        links += [(a, "category", a.attrs.get("href") or "") for a in item.css(categorized)]
    if links:
        return links, rule
    outside_body = select(item, not_inside(urls, sel.BODY))
    return [(a, "", attr(a, "href") or "") for a in outside_body], by_url


def post_terms(
    item: Node,
    ctx: Ctx,
    term_kind: TermKind | None,
    term: str | None,
    url: str,
    found: dict[str, str | None],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(categories in document order, tags sorted) of one post block."""
    links, rule = _term_links(item)
    shown: dict[TermKind, set[str]] = {"category": set(), "tag": set()}  # by post_class()
    for kind, slug in _POST_CLASS_TERM.findall(item.attrs.get("class") or ""):
        shown["category" if kind == "category" else "tag"].add(slug)
    names: dict[TermKind, dict[str, None]] = {"category": {}, "tag": {}}
    slugs: dict[TermKind, set[str]] = {"category": set(), "tag": set()}
    for link, rel, href in links:
        kind, slug = _kind(rel, href, shown)
        name = text(link)
        if kind is None or not name or not href:
            continue
        if not names[kind]:
            found[_FIELDS[kind]] = f"rel_{kind}" if rule == "rel" else rule
        names[kind][name] = None
        slugs[kind].add(slug)
    for kind in _KINDS:  # the archive's own term: every post it lists carries it
        if term_kind == kind and term and term not in names[kind]:
            if not names[kind]:
                found[_FIELDS[kind]] = "archive_term"
            names[kind][term] = None
        if missing := shown[kind] - slugs[kind]:
            _unread(item, ctx, kind, missing, not slugs[kind], url)
    return tuple(names["category"]), tuple(sorted(names["tag"]))


def _unread(
    item: Node, ctx: Ctx, kind: TermKind, missing: set[str], none_read: bool, url: str
) -> None:
    """Drift: post_class() lists a term the block links to (or the profile reads) unread."""
    field = _FIELDS[kind]
    query = ", ".join(f'a[href*="/{slug}"]' for slug in sorted(missing))
    shown = [a for a in select(item, query) if _href_kind(attr(a, "href") or "")[1] in missing]
    expected = none_read and ctx.preferred.get(field) in ("rel_category", "rel_tag", "term_url")
    if shown or expected:
        where = "links to them" if shown else "the site's profile reads them here"
        detail = f"{field} on {ctx.url}: post_class() lists {sorted(missing)} and {where}, unread"
        sample = excerpt(shown[0]) if shown else excerpt(item)
        ctx.problem(
            f"drift.{field}_unread", detail, drift=True, record_kind="post", url=url, excerpt=sample
        )


def archive_term(
    tree: Node, ctx: Ctx, term_kind: TermKind | None, slug: str | None
) -> tuple[str | None, str | None]:
    """The archive's term name and the rule that found it (title forms, <title>, links)."""
    node, rule = _title_node(tree, ctx)
    if node is not None:
        spans = node.css("span")
        full = text(node)
        last = text(spans[-1]) if spans else ""
        if last and not last.endswith(":") and full.endswith(last):
            return last, f"{rule}_span"  # core since 5.5: `Category: <span>X</span>`
        name, how = _verified(tree, ctx, full, term_kind, slug)
        if name:
            return name, f"{rule}_{how}"
    head = tree.css_first("title")
    if head is not None and (full := _TITLE_SEPARATORS.split(text(head))[0]):
        name, how = _verified(tree, ctx, full, term_kind, slug)
        if name:
            return name, f"document_title_{how}"
    names = _link_names(tree, ctx, term_kind, slug)
    return (names[0], "term_link") if names else (None, None)


def _title_node(tree: Node, ctx: Ctx) -> tuple[Node | None, str | None]:
    for h1 in tree.css("h1"):
        words = attr(h1, "class") or ""
        if any(word in words for word in sel.ARCHIVE_TITLE_WORDS):
            return h1, sel.ARCHIVE_TITLE[0][0]
    return first(tree, ctx.rules("term", sel.ARCHIVE_TITLE))


def _verified(
    tree: Node, ctx: Ctx, full: str, term_kind: TermKind | None, slug: str | None
) -> tuple[str, str]:
    """A title's text less its prefix, checked against the term's links when the page has any."""
    names = _link_names(tree, ctx, term_kind, slug)
    for name in names:  # "Kategorie: X", "Archive for X", "X Archives": the link says which
        if full == name or full.endswith((f" {name}", f":{name}")) or full.startswith(f"{name} "):
            return name, "link"
    if not full:
        return "", ""
    bare = _PREFIX.sub("", full, count=1)
    return (bare, "prefix") if bare != full and bare else (full, "text")


def _link_names(tree: Node, ctx: Ctx, term_kind: TermKind | None, slug: str | None) -> list[str]:
    """The texts of links on the page to this archive's first page (widgets, post terms)."""
    if not slug:
        return []
    base, host = ctx.at.base, ctx.at.host
    quoted = slug.replace("\\", "\\\\").replace('"', '\\"')
    names = []
    for link in tree.css(f'a[href*="/{quoted}"]'):
        href = attr(link, "href") or ""
        if urlsplit(href).path.rstrip("/") + "/" != base or host_of(href) not in ("", host):
            continue
        if (name := text(link)) and name not in names:
            names.append(name)
    return names
