"""The REST API's data of a `Site` (`/wp-json/wp/v2/posts`, `/categories`, `/tags`).

Written as whole collections under `wp-json/` in a rendered folder; etl.replay.server pages
and filters them by the query string (`per_page`, `page`, `_fields`, `after`, …) and sends
`X-WP-Total` / `X-WP-TotalPages`, as WordPress' REST controllers do
(wp-includes/rest-api/endpoints/class-wp-rest-posts-controller.php, …-terms-controller.php).

Field values as WordPress returns them: `title.rendered` is texturized HTML, `date` local
time without offset, `date_gmt` / `modified_gmt` UTC, `link` the permalink, `categories` and
`tags` term ids; terms carry `id, count, description, link, name, slug, taxonomy`.

Tests change the data with `disagree_on_tag` (the API contradicts the HTML on one post) and
turn the API off with `api_off` (401, 404 or an HTML page, as security plugins do).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

from tests.themes import wp
from tests.themes.model import Post, Site, Term

API = "wp-json"
POSTS, CATEGORIES, TAGS = "/wp-json/wp/v2/posts", "/wp-json/wp/v2/categories", "/wp-json/wp/v2/tags"


def _local(when: dt.datetime) -> str:
    return when.replace(tzinfo=None).isoformat()


def _gmt(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def post_json(site: Site, post: Post) -> dict[str, Any]:
    """One item of /wp/v2/posts (context=view), without `_links`."""
    words, cut = wp.auto_excerpt(post)
    more = " [&hellip;]" if cut else ""
    modified = post.modified or post.published
    return {
        "id": post.id,
        "date": _local(post.published),
        "date_gmt": _gmt(post.published),
        "guid": {"rendered": site.url(f"/?p={post.id}")},
        "modified": _local(modified),
        "modified_gmt": _gmt(modified),
        "slug": post.slug,
        "status": "publish",
        "type": "post",
        "link": site.url(post.path),
        "title": {"rendered": wp.title(post)},
        "content": {"rendered": post.body, "protected": False},
        "excerpt": {"rendered": f"<p>{words}{more}</p>\n", "protected": False},
        "author": 1,
        "featured_media": 0,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": {"footnotes": ""},
        "categories": [t.id for t in post.categories],
        "tags": [t.id for t in post.tags],
        "class_list": wp.post_class(post).split(),
    }


def term_json(site: Site, term: Term) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": term.id,
        "count": len(site.members(term)),
        "description": "",
        "link": site.url(term.path),
        "name": html.escape(term.name, quote=False),  # stored escaped, returned as stored
        "slug": term.slug,
        "taxonomy": term.taxonomy,
    }
    if term.kind == "category":
        item["parent"] = 0
    return item | {"meta": []}


def data(site: Site) -> dict[str, Any]:
    """Relative file name -> JSON value: the index and the three collections."""
    by_name = lambda t: t.name.lower()  # noqa: E731 - the terms controller orders by name
    return {
        "index.json": {
            "name": site.name,
            "description": site.tagline,
            "url": site.origin,
            "home": site.origin,
            "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1"],
            "routes": {
                r: {"namespace": "wp/v2", "methods": ["GET"]}
                for r in ("/wp/v2/posts", "/wp/v2/categories", "/wp/v2/tags")
            },
        },
        "wp/v2/posts.json": [post_json(site, p) for p in site.posts],
        "wp/v2/categories.json": [term_json(site, t) for t in sorted(site.categories, key=by_name)],
        "wp/v2/tags.json": [term_json(site, t) for t in sorted(site.tags, key=by_name)],
    }


def _dump(value: Any, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # PHP's json_encode, as WordPress sends it: \uXXXX escapes and escaped slashes.
    target.write_text(json.dumps(value, separators=(",", ":")).replace("/", "\\/"), "utf-8")


def write(site: Site, out: Path) -> None:
    for name, value in data(site).items():
        _dump(value, out / API / name)


def disagree_on_tag(folder: Path, post_id: int | None = None) -> tuple[str, int, list[int]]:
    """Make the API contradict the HTML on one post's tags: (link, post id, its API tags).

    The post (default: the first with tags) loses its first tag in the API's data, or gains
    the site's first tag when it has none.
    """
    path = folder / API / "wp" / "v2" / "posts.json"
    posts = json.loads(path.read_text("utf-8"))
    tags = json.loads((folder / API / "wp" / "v2" / "tags.json").read_text("utf-8"))
    item = next(p for p in posts if (p["id"] == post_id if post_id else p["tags"]))
    item["tags"] = item["tags"][1:] if item["tags"] else [tags[0]["id"]]
    _dump(posts, path)
    return item["link"], item["id"], item["tags"]


def api_off(server: Any, how: str = "401") -> None:
    """Close the REST API on a running replay server: "401", "404" or "html" (a 200 page)."""
    answers = {
        "401": (
            401,
            b'{"code":"rest_not_logged_in","message":"You are not currently logged in.",'
            b'"data":{"status":401}}',
            "application/json; charset=UTF-8",
        ),
        "404": (
            404,
            b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>",
            "text/html; charset=UTF-8",
        ),
        "html": (
            200,
            b'<!DOCTYPE html><html><body><form id="loginform"></form></body></html>',
            "text/html; charset=UTF-8",
        ),
    }
    status, body, kind = answers[how]
    for path in ("/wp-json/", POSTS, CATEGORIES, TAGS):
        server.override(path, status, body, [("Content-Type", kind)])
