"""`etl probe`'s output: one screen for a person, JSON for scripts (`--json`)."""

from __future__ import annotations

from typing import Any

from etl.parse.profile import rule_counts
from etl.probe.look import MAX_REQUESTS, Findings
from etl.probe.verdict import Probe
from etl.records import Page, Post

# The fields a person checks first, as named in the run report's rule counts.
SHOWN_RULES = (
    ("title", "post.title"),
    ("date", "post.date"),
    ("published", "post.published_at"),
    ("categories", "post.categories"),
    ("tags", "post.tags"),
    ("text", "post.text"),
    ("term", "page.term"),
    ("pagination", "page.next"),
    ("teaser block", "page.teasers"),
)
SAMPLE_POSTS = 3


def to_json(p: Probe) -> dict[str, Any]:
    """The probe for scripts (`etl probe --json`)."""
    f, page = p.findings, p.findings.sample_page
    return {
        "site": f.site,
        "verdict": "ready" if p.verdict.ready else "fail",
        "headline": p.verdict.headline,
        "problems": list(p.verdict.problems),
        "notes": list(p.verdict.notes),
        "requests": f.requests,
        "wordpress": f.signs.found if f.signs else [],
        "theme": _theme(f),
        "rest_api": {"status": f.rest, "total": f.rest_total},
        "sitemaps": [{"url": s.url, "status": s.status} for s in f.sitemaps],
        "feeds": list(f.signs.feeds) if f.signs else [],
        "archives": list(f.archives),
        "archives_from": list(f.archives_from),
        "profile": {"stored": p.stored, "theme": p.profile.theme},
        "excerpts_only": f.excerpts_only,
        "sample": None if page is None else _page_json(page),
        "next_page": None if f.following is None else _next_json(f),
    }


def _page_json(page: Page) -> dict[str, Any]:
    return {
        "url": page.url,
        "kind": page.kind,
        "term": page.term,
        "rules": rule_counts([page]),
        "posts": [_post_json(post) for post in page.posts[:SAMPLE_POSTS]],
        "post_count": len(page.posts),
        "teaser_block": page.teaser_block,
        "teasers": len(page.teasers),
        "next_url": page.next_url,
        "last_page": page.last_page,
        "shows_pagination": page.shows_pagination,
        "excerpts_only": page.excerpts_only,  # this page; the probe's verdict: the top level
        "drift": [{"code": d.code, "url": d.url, "detail": d.detail} for d in page.drift],
    }


def _post_json(post: Post) -> dict[str, Any]:
    return {
        "url": post.url,
        "title": post.title,
        "date": post.date.isoformat() if post.date else None,
        "date_source": post.date_source,
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "categories": list(post.categories),
        "tags": list(post.tags),
        "words": len(post.text.split()),
    }


def _next_json(f: Findings) -> dict[str, Any]:
    assert f.following is not None
    posts = len(f.following_page.posts) if f.following_page else None
    return {"url": f.following.url, "status": f.following.status, "posts": posts}


def _theme(f: Findings) -> str | None:
    page_theme = f.sample_page.theme if f.sample_page else None
    return page_theme or (f.signs.theme if f.signs else None)


def render(p: Probe) -> str:
    """The probe on one screen: what the site is, one archive page as a run reads it, the
    verdict."""
    f, v = p.findings, p.verdict
    rows = [("site", f"{f.site}: {f.requests} requests (at most {MAX_REQUESTS})")]
    if f.signs is not None:
        wp = ", ".join(f.signs.found)
        rows.append(("WordPress", f"yes: {wp}" if f.signs.wordpress else "no sign of it"))
    if f.signs is not None and f.signs.wordpress:
        rows += _site_rows(p)
    if f.sample_page is not None:
        rows += _sample_rows(f, f.sample_page)
    rows += [("note", n) for n in v.notes]
    rows.append(("verdict", v.headline))
    rows += [("  -", problem) for problem in v.problems]
    return "\n".join(_table(rows))


def _site_rows(p: Probe) -> list[tuple[str, str]]:
    f = p.findings
    short = _short(f.site)
    rest = f"answers: {f.rest_total} posts (X-WP-Total)" if f.rest == "ok" else f"{f.rest}"
    sitemaps = ", ".join(short(s.url) + ("" if s.ok else f" ({s})") for s in f.sitemaps)
    named = ": the archives are named in the settings" if f.archives_from == ("settings",) else ""
    kinds = [u for u in f.archives if "/category/" in u]
    archives = f"{len(f.archives)}: {len(kinds)} categories, {len(f.archives) - len(kinds)} tags"
    if f.archives_from:
        archives += f" (from {', '.join(f.archives_from)})"
    profile = (
        f"stored (learned on theme {p.profile.theme})"
        if p.stored
        else "none stored yet: the first full run learns it"
    )
    return [
        ("theme", _theme(f) or "unknown"),
        ("REST API", rest),
        ("sitemaps", sitemaps or f"none asked{named}"),
        ("feeds", ", ".join(short(u) for u in f.signs.feeds) if f.signs else "none"),
        ("archives", archives),
        ("profile", profile),
    ]


def _sample_rows(f: Findings, page: Page) -> list[tuple[str, str]]:
    short = _short(f.site)
    counts = rule_counts([page])
    total = max(len(page.posts), 1)
    rules = []
    for label, name in SHOWN_RULES:
        hits = counts.get(name, {})
        per = "page" if name.startswith("page.") else "post"
        shown = ", ".join(f"{rule} {n}/{1 if per == 'page' else total}" for rule, n in hits.items())
        rules.append(f"{label}: {shown or 'none'}")
    rows = [
        ("sample page", f"{short(page.url)}: {page.term_kind or page.kind} {page.term!r}, "
         f"{len(page.posts)} posts"),
        ("  rules", "; ".join(rules)),
    ]  # fmt: skip
    rows += [("  post", _post_line(post)) for post in page.posts[:SAMPLE_POSTS]]
    block = f"{page.teaser_block}: {len(page.teasers)} teasers" if page.teaser_block else "none"
    rows += [("  teaser block", block), ("  pagination", _pagination(f, page))]
    shows = "excerpts" if f.excerpts_only else "full posts"
    if f.excerpts_only and f.post_page is not None and f.post_page.posts:
        words = len(f.post_page.posts[0].text.split())
        shows += f"; the post page {short(f.post_page.url)} reads as one post of {words} words"
    rows.append(("  archives show", shows))
    return rows


def _post_line(post: Post) -> str:
    date = f"{post.date} ({post.date_source})" if post.date else "no date"
    categories = ", ".join(post.categories) or "none"
    tags = ", ".join(post.tags) or "none"
    words = len(post.text.split())
    return f"{post.title!r} · {date} · categories: {categories} · tags: {tags} · {words} words"


def _pagination(f: Findings, page: Page) -> str:
    short = _short(f.site)
    if page.next_url:
        text = f"next page {short(page.next_url)} ({_rule(page, 'next')})"
    else:
        text = "no next page shown" if page.shows_pagination else "the page shows none"
    if page.last_page:
        text += f", last page {page.last_page}"
    if f.following is not None:
        after = f.following_page
        got = f"{len(after.posts)} posts" if after is not None else f"{f.following}"
        text += f"; {short(f.following.url)}: {got}"
    return text


def _rule(page: Page, name: str) -> str:
    return next((rule or "none" for field, rule in page.found_by if field == name), "none")


def _short(site: str) -> Any:
    """URLs on the site without its origin, for a narrow screen."""
    return lambda url: url[len(site) :] or "/" if url.startswith(site) else url


def _table(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(label) for label, _ in rows)
    return [f"{label:<{width}}  {value}" for label, value in rows]
