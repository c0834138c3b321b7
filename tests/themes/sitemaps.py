"""robots.txt and WordPress core sitemaps (wp-includes/sitemaps/, since 5.5) of a `Site`.

Byte for byte the layout of tests/fixtures/site/snapshot-2: the index, one posts sitemap
with `lastmod` (newest first), one per taxonomy (by slug). Core splits at 2,000 URLs per
file; the fixture blogs stay far below.
"""

from __future__ import annotations

from tests.themes.model import Site

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def robots(site: Site) -> str:
    """The robots.txt WordPress serves when no file exists (do_robots + the sitemap line)."""
    return (
        "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
        f"Sitemap: {site.url('/wp-sitemap.xml')}\n"
    )


def _urlset(entries: list[tuple[str, str]]) -> str:
    urls = "".join(
        f"<url><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
        for u, m in entries
    )
    return f"{_XML}<urlset {_NS}>{urls}</urlset>\n"


def files(site: Site) -> dict[str, str]:
    """File name -> content: robots.txt, wp-sitemap.xml and its three sub-sitemaps."""
    out = {
        "wp-sitemap-posts-post-1.xml": _urlset(
            [(site.url(p.path), (p.modified or p.published).isoformat()) for p in site.posts]
        ),
        "wp-sitemap-taxonomies-category-1.xml": _urlset(
            [(site.url(t.path), "") for t in sorted(site.categories, key=lambda t: t.slug)]
        ),
        "wp-sitemap-taxonomies-post_tag-1.xml": _urlset(
            [(site.url(t.path), "") for t in sorted(site.tags, key=lambda t: t.slug)]
        ),
    }
    maps = "".join(f"<sitemap><loc>{site.url('/' + name)}</loc></sitemap>" for name in out)
    out["wp-sitemap.xml"] = f"{_XML}<sitemapindex {_NS}>{maps}</sitemapindex>\n"
    out["robots.txt"] = robots(site)
    return out
