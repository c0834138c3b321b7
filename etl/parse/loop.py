"""The main loop: which blocks of a page are its posts.

What post_class() marks (any element), else hAtom, a Query Loop's items, `article`s, else
structure (sibling blocks each holding a heading that links to a post of this site); on a
post page, the block body_class()'s postid-N names, else the region that holds the post's
title and body. Blocks in widgets, sidebars, the site footer or the teaser block are never
posts.
"""

from __future__ import annotations

from etl.parse import selectors as sel
from etl.parse.site import post_url
from etl.parse.tree import Ctx, Node, attr, classes, first, not_inside, select

HEADING_LINKS = "h1 a[href], h2 a[href], h3 a[href], h4 a[href]"


def loop_query(selector: str, exclude: str | None) -> str:
    """The rule's blocks that are not in widgets, footers or the teaser block.

    (A block nested in another is kept: a page cut and pasted into itself still shows
    both, and nothing may be dropped quietly.)
    """
    outside = f"{sel.OUTSIDE_LOOP}, {exclude}" if exclude else sel.OUTSIDE_LOOP
    return not_inside(selector, "", outside)  # (a post block is never a widget itself)


def find_items(
    tree: Node, ctx: Ctx, exclude: str | None, single: bool
) -> tuple[list[Node], str | None]:
    """The main loop's blocks and the rule that found them; `exclude`: the teaser block.
    `single`: a post page, whose one post may be no marked block at all."""
    for name, selector in ctx.rules("posts", sel.POST_ITEMS):
        items = tree.css(loop_query(selector, exclude))
        if items:
            return items, name
    if single:
        return post_region(tree, ctx, exclude), "title_and_body"
    return _sibling_run(tree, ctx, exclude), "sibling_run"


def post_region(tree: Node, ctx: Ctx, exclude: str | None) -> list[Node]:
    """A post page with no post_class() block (block themes' single template): the smallest
    element holding both the post's title and its body."""
    outside = f"{sel.OUTSIDE_LOOP}, {exclude}" if exclude else sel.OUTSIDE_LOOP
    title, _ = first(tree, tuple((n, not_inside(s, outside)) for n, s in sel.POST_TITLE))
    body, _ = first(tree, tuple((n, not_inside(s, outside)) for n, s in sel.CONTENT))
    if title is None or body is None:
        return []
    above = set()
    node = title
    while node is not None:
        above.add(node.mem_id)
        node = node.parent
    node = body
    while node is not None and node.mem_id not in above:
        node = node.parent
    return [node] if node is not None and node.tag not in ("html", "body") else []


def _sibling_run(tree: Node, ctx: Ctx, exclude: str | None) -> list[Node]:
    """Structure: the blocks under one parent each holding a heading linking to a post."""
    outside = f"{sel.OUTSIDE_LOOP}, {exclude}" if exclude else sel.OUTSIDE_LOOP
    by_parent: dict[int, list[Node]] = {}
    for link in select(tree, not_inside(HEADING_LINKS, outside)):
        if post_url(ctx.origin, attr(link, "href")) is None:
            continue
        block = link.parent  # the heading; its ancestors up to the run's parent
        for _ in range(4):
            if block.parent is None or block.parent.tag in ("body", "html"):
                break
            siblings = by_parent.setdefault(block.parent.mem_id, [])
            if siblings and siblings[-1].mem_id == block.mem_id:
                break
            siblings.append(block)
            block = block.parent
    runs = [blocks for blocks in by_parent.values() if len(blocks) >= 2]
    return max(runs, key=len) if runs else []


def the_post(
    tree: Node,
    ctx: Ctx,
    block: str | None,
    body_classes: list[str],
    items: list[Node],
    rule: str | None,
) -> tuple[list[Node], str | None]:
    """A post page's own post: the block body_class()'s postid-N names (`post-N`), not a
    list of more posts below it; else the region holding the title and the body."""
    wanted = next((f"post-{w[7:]}" for w in body_classes if w.startswith("postid-")), None)
    if wanted is None:
        return items[:1], rule
    mine = [item for item in items if wanted in classes(item)]
    if mine:
        return mine[:1], rule
    return post_region(tree, ctx, block), "title_and_body"
