"""The REST API against the parsed records, field by field (pure), and the reading of REST
answers: what a closed API looks like, items that are no posts, term lists page by page."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from etl.crawl.rest import MAX_TERM_PAGES, RestPost, RestView, read_posts, read_rest, why_not
from etl.crawl.session import open_session
from etl.load.agreement import CACHE_LAG, Row, compare, rest_title
from etl.records import Fetch
from etl.settings import Settings

SITE = "https://blog.example.org"
NOON = dt.datetime(2024, 6, 25, 12, 0, tzinfo=dt.UTC)
FETCHED = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)


def post(**changes: object) -> RestPost:
    values: dict[str, object] = {
        "link": f"{SITE}/dont-assume/",
        "title": "Don&#8217;t Assume Their Motivation &#8211; 6/28/22",
        "date_gmt": NOON,
        "modified_gmt": NOON,
        "categories": (3,),
        "tags": (7, 8),
    }
    return RestPost(**{**values, **changes})  # type: ignore[arg-type]


def row(**changes: object) -> Row:
    values: dict[str, object] = {
        "url": f"{SITE}/dont-assume/",
        "title": "Don’t Assume Their Motivation",
        "published_at": NOON,
        "categories": ("Tips",),
        "tags": ("empathy", "Q&A"),
        "seen_at": FETCHED,
    }
    return Row(**{**values, **changes})  # type: ignore[arg-type]


def view(*posts: RestPost) -> RestView:
    return RestView("ok", posts, {3: "Tips"}, {7: "empathy", 8: "Q&A"})


def test_every_field_agrees_when_the_record_reads_what_the_api_says() -> None:
    found = compare(view(post()), [row()])
    assert found.compared == 1 and found.disagreements == ()
    assert found.fields == {f: (1, 1) for f in ("title", "published_at", "categories", "tags")}


@pytest.mark.parametrize(
    ("rendered", "heading_dates", "title"),
    [
        ("Don&#8217;t Assume &#8211; 6/28/22", True, "Don't Assume"),
        ("Get Back in the Good Graces &#8211; 12/12/17 TOW", True, "Get Back in the Good Graces"),
        ("<em>Pruning</em> Roses &#8211; A Beginner&#8217;s Guide", False,
         "Pruning Roses - A Beginner's Guide"),
        ("The Bees Are Back&#8230;", True, "The Bees Are Back..."),
        ("Kitchen &amp; Harvest:  &#8220;Pickling&#8221;", True, 'Kitchen & Harvest: "Pickling"'),
    ],
)  # fmt: skip
def test_the_api_title_as_the_parser_would_read_the_heading(
    rendered: str, heading_dates: bool, title: str
) -> None:
    assert rest_title(rendered, heading_dates) == title


def test_a_raw_title_on_the_page_agrees_with_the_texturized_api_title() -> None:
    # A theme may print the title as typed (" - ", "...") where the API gives wptexturize's.
    found = compare(view(post()), [row(title="Don't Assume Their Motivation")])
    assert found.fields["title"] == (1, 1)


def test_a_disagreement_names_the_post_the_field_and_both_values() -> None:
    found = compare(view(post(tags=(7,))), [row()])
    [d] = found.disagreements
    assert (d.url, d.field, d.site, d.page) == (f"{SITE}/dont-assume/", "tags", "[empathy]",
                                                "[Q&A, empathy]")  # fmt: skip
    assert d.line() == f"{SITE}/dont-assume/: tags: REST API [empathy], page [Q&A, empathy]"
    assert found.fields["tags"] == (0, 1) and found.lagging == ()


def test_publication_time_is_compared_to_the_second_and_never_with_the_tip_date() -> None:
    later = compare(view(post(date_gmt=NOON + dt.timedelta(hours=1))), [row()])
    assert [d.field for d in later.disagreements] == ["published_at"]
    assert later.disagreements[0].site == "2024-06-25T13:00:00Z"
    # A theme without a machine-readable time: nothing to compare, no failure.
    bare = compare(view(post()), [row(published_at=None)])
    assert bare.fields["published_at"] == (0, 0) and bare.disagreements == ()


def test_an_edit_after_the_fetch_is_lagging_not_failing() -> None:
    edited = post(tags=(7,), modified_gmt=FETCHED + dt.timedelta(minutes=1))
    found = compare(view(edited), [row()])
    assert found.disagreements == () and [d.field for d in found.lagging] == ["tags"]
    # Just before the fetch (a page cache may serve the older page): lagging too.
    cached = post(tags=(7,), modified_gmt=FETCHED - CACHE_LAG / 2)
    assert compare(view(cached), [row()]).lagging
    # Long before: the page should show it.
    old = post(tags=(7,), modified_gmt=FETCHED - 2 * CACHE_LAG)
    assert compare(view(old), [row()]).disagreements


def test_unknown_term_ids_and_posts_not_in_the_corpus_are_not_compared() -> None:
    found = compare(view(post(tags=(99,)), post(link=f"{SITE}/other/")), [row()])
    assert found.fields["tags"] == (0, 0) and found.disagreements == ()
    assert found.not_in_corpus == (f"{SITE}/other/",) and found.compared == 1


def test_a_closed_api_compares_nothing_and_says_why() -> None:
    found = compare(RestView("HTTP 401: the REST API is closed to visitors"), [row()])
    assert found.status.startswith("HTTP 401") and found.compared == 0
    assert found.to_json()["fields"] == {}


def fetch(status: int, body: bytes = b"[]", kind: str = "application/json") -> Fetch:
    return Fetch(f"{SITE}/wp-json/wp/v2/posts", status, FETCHED, (("Content-Type", kind),), body)


def test_why_not_names_each_way_an_api_is_closed() -> None:
    assert why_not(None) is not None and "robots.txt" in (why_not(None) or "")
    assert (why_not(fetch(401)) or "").startswith("HTTP 401: the REST API is closed")
    assert (why_not(fetch(404)) or "").startswith("HTTP 404: no REST API")
    assert (why_not(fetch(200, b"<html>", "text/html")) or "").startswith("not JSON (text/html)")
    assert why_not(fetch(200)) is None


def test_items_that_are_no_posts_are_named_and_skipped() -> None:
    items = [
        {"link": f"{SITE}/a/", "title": {"rendered": "A"}, "date_gmt": "2024-06-25T12:00:00",
         "categories": [1], "tags": []},
        {"title": {"rendered": "no link"}},
        "not an object",
    ]  # fmt: skip
    posts, problems = read_posts(items)
    assert [p.link for p in posts] == [f"{SITE}/a/"] and posts[0].date_gmt == NOON
    assert len(problems) == 2 and all("not a post" in p for p in problems)


def reply(value: object, headers: dict[str, str]) -> httpx.Response:
    """A JSON answer as a stream (the client reads bodies as they arrive)."""
    kind = {"Content-Type": "application/json; charset=UTF-8"}
    return httpx.Response(
        200, headers=kind | headers, stream=httpx.ByteStream(json.dumps(value).encode())
    )


def test_term_lists_are_read_page_by_page_and_at_most_max_term_pages(tmp_path: Path) -> None:
    asked: list[str] = []
    many = [{"id": i, "name": f"tag {i}"} for i in range(1, 1001)]

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404, stream=httpx.ByteStream(b""))
        page, per = int(request.url.params.get("page", 1)), int(request.url.params["per_page"])
        if request.url.path.endswith("/posts"):
            body = [{"link": f"{SITE}/a/", "title": {"rendered": "A"}, "categories": [1],
                     "tags": [5, 950]}]  # fmt: skip
            return reply(body, {"X-WP-Total": "1"})
        rows = many if request.url.path.endswith("/tags") else many[:3]
        pages = -(-len(rows) // per)
        chunk = rows[(page - 1) * per : page * per]
        return reply(chunk, {"X-WP-TotalPages": str(pages)})

    settings = Settings(
        site=SITE, data_dir=tmp_path, rate=0, progress=False, contact="tests@example.org"
    )

    async def read() -> RestView:
        async with open_session(settings, transport=httpx.MockTransport(answer)) as session:
            return await read_rest(session)

    found = asyncio.run(read())
    assert found.answered and found.total == 1 and found.categories == {1: "tag 1", 2: "tag 2",
                                                                       3: "tag 3"}  # fmt: skip
    assert 5 in found.tags and 950 not in found.tags  # past MAX_TERM_PAGES pages of 100
    assert asked.count("/wp-json/wp/v2/tags") == MAX_TERM_PAGES
    assert asked.count("/wp-json/wp/v2/categories") == 1
    assert found.requests == 1 + 1 + MAX_TERM_PAGES
    assert any("past 5 pages" in p for p in found.problems)
    assert json.dumps(compare(found, []).to_json())  # plain JSON for the run report
