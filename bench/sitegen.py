"""Generate a static snapshot of any size in the site's markup, for benchmarks.

    python -m bench.sitegen OUT_DIR --posts 3000 --tags 50 --seed 1
    python -m bench.sitegen OUT_DIR --pages 10000          # posts chosen to give ~N archive pages
    python -m bench.sitegen OUT_DIR --shape deep           # a named shape (bench.siteplan.SHAPES)

The folder has the layout of tests/fixtures/site/snapshot-N (files mirror URL paths, links
absolute on https://cssamerica.com), so the replay server serves it as it serves those. What a
correct crawl must find is written beside it, never inside the served tree:
OUT_DIR.expected.json (archive first pages with their page counts, and every post's facts).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import sitemarkup as m
from bench.siteplan import (
    SHAPES,
    Plan,
    PlannedPost,
    Shape,
    plan_site,
    posts_for_pages,
    utc_stamp,
)
from bench.sitetext import make_body

SITEMAP_LIMIT = 2000  # URLs per WordPress core sitemap file
TIPS = 10


@dataclass(frozen=True, slots=True)
class ExpectedPost:
    url: str
    wp_id: int
    heading: str  # decoded, texturized: "Title – 6/28/22"
    title: str
    date: str  # ISO date: the heading's, else the publication's local date
    published_at: str  # UTC, "...Z"
    categories: tuple[str, ...]
    tags: tuple[str, ...]  # sorted


@dataclass(frozen=True, slots=True)
class ArchiveInfo:
    url: str  # first page
    kind: str  # "category" or "tag"
    name: str
    pages: int
    posts: int


@dataclass(frozen=True, slots=True)
class SiteInfo:
    out_dir: Path
    expected_path: Path
    seed: int
    archives: tuple[ArchiveInfo, ...]
    posts: tuple[ExpectedPost, ...]  # newest first
    files: int
    bytes: int
    seconds: float

    @property
    def post_count(self) -> int:
        return len(self.posts)

    @property
    def archive_pages(self) -> int:
        return sum(a.pages for a in self.archives)


class _Writer:
    """Writes files under the root and counts them."""

    def __init__(self, root: Path) -> None:
        self.root, self.files, self.bytes = root, 0, 0

    def page(self, url: str, text: str) -> None:
        """The page of an absolute URL ending in `/`, as URL_PATH/index.html."""
        path = url.removeprefix(m.SITE).strip("/")
        self.file(f"{path}/index.html" if path else "index.html", text)

    def file(self, rel: str, text: str) -> None:
        data = text.encode("utf-8")
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files += 1
        self.bytes += len(data)


def _article(p: PlannedPost, body: str) -> m.Article:
    return m.Article(p.wp_id, p.url, p.heading, p.published, p.categories, p.tags, body)


def _write_posts(out: _Writer, plan: Plan, seed: int) -> list[str]:
    """Every post page; returns each post's archive `article` HTML, in plan order."""
    bodies = [make_body(random.Random(seed * 1_000_003 + p.wp_id)) for p in plan.posts[:TIPS]]
    tips = m.latest_tips(
        [(p.url, p.heading, b[1]) for p, b in zip(plan.posts, bodies, strict=False)]
    )
    cats = sorted((t for t, _ in plan.archives if t.kind == "category"), key=lambda t: t.slug)
    tags = sorted((t for t, _ in plan.archives if t.kind == "tag"), key=lambda t: t.name)
    side, side_tips = m.sidebar(cats, tags), m.sidebar(cats, tags, tips)
    articles = []
    for i, p in enumerate(plan.posts):
        body = bodies[i][0] if i < TIPS else make_body(random.Random(seed * 1_000_003 + p.wp_id))[0]
        a = _article(p, body)
        out.page(p.url, m.post_page(a, side_tips))
        articles.append(m.article(a, single=False))
    out.file("index.html", m.home_page("".join(articles[: plan.per_page]), tips, side))
    _write_archives(out, plan, articles, tips, side)
    return articles


def _write_archives(out: _Writer, plan: Plan, articles: list[str], tips: str, side: str) -> None:
    n = plan.per_page
    for term, members in plan.archives:
        last = math.ceil(len(members) / n)
        for page in range(1, last + 1):
            chunk = "".join(articles[i] for i in members[(page - 1) * n : page * n])
            out.page(term.page_url(page), m.archive_page(term, page, last, chunk, tips, side))


def _write_sitemaps(out: _Writer, plan: Plan) -> None:
    entries = [(p.url, p.published.isoformat()) for p in plan.posts]
    names = []
    for k in range(0, len(entries), SITEMAP_LIMIT):
        names.append(f"wp-sitemap-posts-post-{k // SITEMAP_LIMIT + 1}.xml")
        out.file(names[-1], m.urlset(entries[k : k + SITEMAP_LIMIT]))
    for kind, wp_name in (("category", "category"), ("tag", "post_tag")):
        terms = sorted((t for t, _ in plan.archives if t.kind == kind), key=lambda t: t.slug)
        names.append(f"wp-sitemap-taxonomies-{wp_name}-1.xml")
        out.file(names[-1], m.urlset([(t.url, "") for t in terms]))
    out.file("wp-sitemap.xml", m.sitemap_index(names))
    out.file("robots.txt", m.ROBOTS)
    out.file("404.html", m.not_found_page())


def _expected(plan: Plan) -> tuple[tuple[ArchiveInfo, ...], tuple[ExpectedPost, ...]]:
    archives = tuple(
        ArchiveInfo(t.url, t.kind, t.name, math.ceil(len(ms) / plan.per_page), len(ms))
        for t, ms in plan.archives
    )
    posts = tuple(
        ExpectedPost(
            url=p.url,
            wp_id=p.wp_id,
            heading=m.texturize(p.heading),
            title=p.title,
            date=p.date.isoformat(),
            published_at=utc_stamp(p.published),
            categories=tuple(t.name for t in p.categories),
            tags=tuple(sorted(t.name for t in p.tags)),
        )
        for p in plan.posts
    )
    return archives, posts


def expected_path(out_dir: Path) -> Path:
    """Where the expected facts of a site go: beside its folder, outside the served tree."""
    return out_dir.with_name(out_dir.name + ".expected.json")


def write_plan(out_dir: Path, plan: Plan, seed: int) -> SiteInfo:
    """Render a plan into out_dir (absent or empty) and write the expected facts beside it."""
    started = time.perf_counter()
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    out = _Writer(out_dir)
    _write_posts(out, plan, seed)
    _write_sitemaps(out, plan)
    archives, posts = _expected(plan)
    facts = {
        "seed": seed,
        "posts_count": len(posts),
        "archive_pages": sum(a.pages for a in archives),
        "files": out.files,
        "bytes": out.bytes,
        "archives": [asdict(a) for a in archives],
        "posts": [asdict(p) for p in posts],
    }
    path = expected_path(out_dir)
    path.write_text(json.dumps(facts, ensure_ascii=False, indent=0), encoding="utf-8")
    seconds = time.perf_counter() - started
    return SiteInfo(out_dir, path, seed, archives, posts, out.files, out.bytes, seconds)


def generate_site(
    out_dir: Path, *, posts: int, tags: int, categories: int = 6, seed: int = 0, per_page: int = 3
) -> SiteInfo:
    """Generate a site of `posts` posts; deterministic for the arguments."""
    return write_plan(out_dir, plan_site(posts, tags, categories, seed, per_page), seed)


def generate_site_pages(
    out_dir: Path,
    *,
    pages: int,
    tags: int = 50,
    categories: int = 6,
    seed: int = 0,
    per_page: int = 3,
) -> SiteInfo:
    """Generate a site whose category and tag archives have about `pages` pages in all."""
    return write_plan(out_dir, posts_for_pages(pages, tags, categories, seed, per_page), seed)


def generate_shape(out_dir: Path, shape: Shape, per_page: int = 3) -> SiteInfo:
    """Generate a named shape (bench.siteplan.SHAPES); deterministic for the shape."""
    return write_plan(out_dir, shape.plan(per_page), shape.seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sitegen", description=__doc__.split("\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--posts", type=int, default=3000)
    ap.add_argument("--pages", type=int, help="aim at about N archive pages (overrides --posts)")
    ap.add_argument("--shape", choices=sorted(SHAPES), help="a named shape (overrides the rest)")
    ap.add_argument("--tags", type=int, default=50)
    ap.add_argument("--categories", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-page", type=int, default=3)
    ap.add_argument("--force", action="store_true", help="replace an earlier generated site")
    args = ap.parse_args(argv)
    out: Path = args.out_dir
    if args.force and (out / "wp-sitemap.xml").exists():
        shutil.rmtree(out)  # only ever a folder that holds a generated (or snapshot) site
    kw = {"tags": args.tags, "categories": args.categories, "seed": args.seed}
    try:
        if args.shape:
            info = generate_shape(out, SHAPES[args.shape], per_page=args.per_page)
        elif args.pages:
            info = generate_site_pages(out, pages=args.pages, per_page=args.per_page, **kw)
        else:
            info = generate_site(out, posts=args.posts, per_page=args.per_page, **kw)
    except (FileExistsError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(
        f"{info.post_count} posts, {len(info.archives)} archives, {info.archive_pages} archive "
        f"pages, {info.files} files, {info.bytes / 1e6:.1f} MB in {info.seconds:.1f} s -> {out}"
        f"\nexpected facts: {info.expected_path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
