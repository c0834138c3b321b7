"""Pure: (html, url[, site profile]) -> Page with its teasers, posts and problems. Never raises.

One lexbor tree per page, rules as CSS selectors (etl/parse/selectors.py), tried in order
per field; every record says which rule found each field. Where a field is shown but no
rule reads it, or the markup no longer has what the site profile expects, the page carries
named drift Problems instead of fewer records.
"""

from __future__ import annotations

from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser

from etl.parse import navigation as nav
from etl.parse import selectors as sel
from etl.parse.decode import damaged_records, decode
from etl.parse.loop import find_items, the_post
from etl.parse.posts import Where, read_post
from etl.parse.profile import DEFAULT, Profile
from etl.parse.site import absolute, page_url, post_url
from etl.parse.teasers import Found, find_block, find_by_structure
from etl.parse.terms import archive_term
from etl.parse.text import boilerplate_rule
from etl.parse.tree import Ctx, Node, attr, classes, excerpt, not_inside, select
from etl.records import Fetch, Page, Post, Problem, Teaser


def parse_fetch(fetch: Fetch, profile: Profile | None = None) -> Page:
    """Decode a fetched body the way a browser would, then parse it."""
    decoded = decode(fetch.body, fetch.header("content-type"))
    html = decoded.text
    page = parse_page(html, fetch.url, profile)
    found = []
    if decoded.problem:
        found.append(Problem(code="page.decoding", url=fetch.url, detail=decoded.problem))
    found += damaged_records(page, decoded)  # the records that hold U+FFFD
    if fetch.status == 200 and not fetch.body.strip():
        detail = "the server answered 200 with no body"
        found.append(Problem(code="page.empty", url=fetch.url, detail=detail, drift=True))
    elif page.kind in ("archive", "post") and not _whole(html):
        # Cut short: the last record may be cut too, and a later fetch would win the merge.
        lost = f"{len(page.posts)} posts and {len(page.teasers)} teasers not loaded"
        detail = f"page ends before </html> (truncated?): {lost}"
        found.append(
            Problem(code="page.truncated", url=fetch.url, detail=detail, drift=True,
                    record_kind="page", excerpt=html[-200:])
        )  # fmt: skip
        page = replace(page, posts=(), teasers=())
    return replace(page, problems=(*found, *page.problems)) if found else page


def _whole(html: str) -> bool:
    """A complete document has its closing html tag near the end (caches add comments after)."""
    return "</html>" in html[-4096:].lower()


def parse_page(html: str, url: str, profile: Profile | None = None) -> Page:
    """Everything one page says: its kind, its term, where it leads, its records."""
    tree = LexborHTMLParser(html)
    site = profile or DEFAULT
    body_classes = classes(tree.body) if tree.body is not None else []
    ctx = Ctx(
        at=page_url(url),
        heading_dates=site.heading_dates,
        boilerplate=boilerplate_rule(site.boilerplate),
        language=site.language or attr(tree.root, "lang"),
        preferred={k: v for k, v in site.rules if v is not None},
    )
    kind = nav.page_kind(tree, ctx.at, body_classes)
    teasers, block, block_rule = _teasers(tree, ctx, site, kind.kind)
    if kind.kind == "post":  # a Query Loop on a post page lists other posts
        beside = f"{block}, {sel.MORE_POSTS}" if block else sel.MORE_POSTS
        items, items_rule = find_items(tree, ctx, beside, single=True)
        items, items_rule = the_post(tree, ctx, beside, body_classes, items, items_rule)
    else:
        items, items_rule = find_items(tree, ctx, block, single=False)
    kind = _post_page(kind, items)
    term, term_rule = (None, None)
    if kind.kind == "archive":
        term, term_rule = nav_term(tree, ctx, kind)
    if block is None and site.has_teasers is not False and kind.kind != "other":
        teasers, block, block_rule = _structural_teasers(tree, ctx, items, items_rule)
    where = _where(tree, ctx, kind, term, body_classes)
    posts = _posts(items, ctx, where)
    pages = nav.pagination(tree, ctx) if kind.kind in ("archive", "home") else None
    _check(tree, ctx, kind.kind, site, teasers, block, posts, items, items_rule)
    return Page(
        url=url,
        kind=kind.kind,
        term_kind=kind.term_kind,
        term=term,
        term_slug=kind.slug,
        page=kind.number,
        next_url=pages.next_url if pages else None,
        teasers=teasers,
        posts=posts,
        problems=tuple(ctx.problems),
        last_page=pages.last_page if pages else None,
        shows_pagination=pages.shown if pages else False,
        excerpts_only=kind.kind != "post" and bool(posts) and all(p.excerpt_only for p in posts),
        found_by=(
            ("kind", kind.rule),
            ("term", term_rule),
            ("posts", items_rule if items else None),
            ("next", pages.next_rule if pages else None),
            ("last_page", pages.last_rule if pages else None),
            ("teasers", block_rule),
        ),
        teaser_block=block,
        theme=nav.theme(html, body_classes),
    )


def nav_term(tree: Node, ctx: Ctx, kind: nav.Kind) -> tuple[str | None, str | None]:
    term, rule = archive_term(tree, ctx, kind.term_kind, kind.slug)
    if term is None:
        ctx.problem("drift.no_term", "archive page without a term name", drift=True)
    return term, rule


def _teasers(
    tree: Node, ctx: Ctx, site: Profile, kind: str
) -> tuple[tuple[Teaser, ...], str | None, str | None]:
    """The teaser block by its known markups (or where the profile says it sits)."""
    if site.has_teasers is False:
        return (), None, None  # the site shows none: nothing to look for
    return _read_teasers(find_block(tree, ctx, site.teaser_block), ctx)


def _structural_teasers(
    tree: Node, ctx: Ctx, items: list[Node], items_rule: str | None
) -> tuple[tuple[Teaser, ...], str | None, str | None]:
    loop = dict(sel.POST_ITEMS).get(items_rule or "") if items else None
    return _read_teasers(find_by_structure(tree, ctx, loop), ctx)


def _read_teasers(
    found: Found | None, ctx: Ctx
) -> tuple[tuple[Teaser, ...], str | None, str | None]:
    """(teasers, where the block sits, the rule that found it); the block's problems noted."""
    if found is None:
        return (), None, None
    read = found.block
    for issue in read.issues:
        drift = issue.code.startswith("drift.")
        ctx.problem(
            issue.code, issue.detail, drift=drift, record_kind="teaser", excerpt=issue.excerpt
        )
    if read.teasers and read.more > read.units:
        # Every teaser ends in "Read more": more such links than teasers means some were missed.
        detail = f"{read.more} Read more links but only {read.units} teasers found"
        ctx.problem("drift.teasers_missing", detail, drift=True)
    return read.teasers, found.where, found.rule


def _post_page(kind: nav.Kind, items: list[Node]) -> nav.Kind:
    """A page no URL or body class names, showing one post whose title is no link: a post."""
    if kind.kind != "other" or len(items) != 1:
        return kind
    if items[0].css_first("h1") is not None and items[0].css_first("h1 a") is None:
        return nav.Kind("post", None, None, None, "post_title")
    return kind


def _where(
    tree: Node, ctx: Ctx, kind: nav.Kind, term: str | None, body_classes: list[str]
) -> Where:
    own, jsonld, body_id = ctx.url, None, None
    if kind.kind == "post":
        href = attr(tree.css_first(sel.CANONICAL), "href")
        href = href or attr(tree.css_first(sel.OG_URL), "content")
        own = absolute(ctx.url, href or ctx.url)
        if tree.css_first("time[datetime], [itemprop=datePublished]") is None:
            jsonld = nav.jsonld_published(tree)
        ids = [w[7:] for w in body_classes if w.startswith("postid-") and w[7:].isdigit()]
        body_id = int(ids[0]) if ids else None
    return Where(kind.kind, kind.term_kind, term, own, jsonld, body_id)


def _posts(items: list[Node], ctx: Ctx, where: Where) -> tuple[Post, ...]:
    return tuple(post for item in items if (post := read_post(item, ctx, where)) is not None)


def _check(
    tree: Node,
    ctx: Ctx,
    kind: str,
    site: Profile,
    teasers: tuple[Teaser, ...],
    block: str | None,
    posts: tuple[Post, ...],
    items: list[Node],
    items_rule: str | None,
) -> None:
    """Page-level drift: no posts, no teasers where they are shown or expected, lost blocks."""
    if kind == "archive" and not posts:
        ctx.problem("drift.no_posts", "archive page without any post", drift=True)
    if kind not in ("archive", "post"):
        return
    loop = dict(sel.POST_ITEMS).get(items_rule or "", "article")
    if block is None and not teasers:  # "Read more" beside the loop: teasers were shown
        more = select(tree, not_inside(sel.MORE_LINK, loop))
        if more:
            detail = "page has Read more links but no teaser was found"
            ctx.problem("drift.no_teasers", detail, drift=True, excerpt=excerpt(more[0]))
        elif kind == "archive" and site.has_teasers:
            detail = f"the site's profile expects a teaser block ({site.teaser_block}); none here"
            ctx.problem("drift.no_teasers", detail, drift=True)
    _unread_titles(tree, ctx, posts, teasers, {n.mem_id for n in items})
    if items_rule == "article" or not items:
        return
    articles = sum(1 for n in items if n.tag == "article")
    if len(tree.css("article")) == articles:
        return  # every article is a post read (the common case: one cheap query)
    seen = {n.mem_id for n in items}
    skip = f"{sel.OUTSIDE_LOOP}, {block}" if block else sel.OUTSIDE_LOOP
    for article in tree.css(not_inside("article", skip, loop)):
        if article.mem_id not in seen:
            detail = f"an article that is not {loop} was skipped"
            ctx.problem(
                "drift.article_unclassed",
                detail,
                drift=True,
                record_kind="post",
                excerpt=excerpt(article),
            )


def _unread_titles(
    tree: Node,
    ctx: Ctx,
    posts: tuple[Post, ...],
    teasers: tuple[Teaser, ...],
    items: set[int],
) -> None:
    """A post title (hAtom `entry-title`) linking to a post of this site that gave neither a
    post nor a teaser: its post was lost (say, its block broken apart), and says so. (In an
    article that is no post block, it is that article's: named as an unclassed article.)"""
    read = {p.url for p in posts} | {t.url for t in teasers}
    skip = f"{sel.OUTSIDE_LOOP}, {sel.MORE_POSTS}"
    for link in select(tree, not_inside(sel.UNREAD_TITLE, skip)):
        url = post_url(ctx.origin, attr(link, "href"))
        if url is None or url in read:
            continue
        article = link.parent
        while article is not None and article.tag != "article":
            article = article.parent
        if article is None or article.mem_id in items:
            ctx.problem(
                "drift.post_unread", f"the post titled here was not read: {url}", drift=True,
                record_kind="post", excerpt=excerpt(link),
            )  # fmt: skip
            read.add(url)
