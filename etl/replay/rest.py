"""The WordPress REST API as the replay server answers it from whole collections: paged,
filtered and cut to fields by the query string, as WordPress does."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def rest_query(
    data: Any, route: str, query: Mapping[str, list[str]], url: str
) -> tuple[int, tuple[tuple[str, str], ...], Any]:
    """WordPress' answer to a GET on a REST route: (status, headers, JSON value).

    A collection is filtered by `after` / `modified_after` (local ISO times), paged
    (`per_page` 1-100, default 10; `page`) and cut to `_fields`; a posts page past the last is
    an error, a terms page past the last an empty list, as in WordPress.
    """
    arg = {k: v[-1] for k, v in query.items()}
    names = {f.strip() for f in arg.get("_fields", "").split(",") if f.strip()}
    if not isinstance(data, list):
        return 200, (), data
    try:
        per_page, page = int(arg.get("per_page", "10")), int(arg.get("page", "1"))
    except ValueError:
        per_page = page = 0
    if not 1 <= per_page <= 100 or page < 1:
        message = "Invalid parameter(s): per_page, page"
        return 400, (), {"code": "rest_invalid_param", "message": message, "data": {"status": 400}}
    rows = data
    for name, field in (("after", "date"), ("modified_after", "modified")):
        if name in arg:
            rows = [d for d in rows if d.get(field, "") > arg[name]]
    total, pages = len(rows), math.ceil(len(rows) / per_page)
    if page > max(pages, 1) and route.endswith("posts"):
        message = "The page number requested is larger than the number of pages available."
        error = {"code": "rest_post_invalid_page_number", "message": message}
        return 400, (), error | {"data": {"status": 400}}
    chunk = rows[(page - 1) * per_page : page * per_page]
    headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
    if page < pages:
        headers.append(("Link", f'<{url}?per_page={per_page}&page={page + 1}>; rel="next"'))
    chunk = [{k: v for k, v in d.items() if not names or k in names} for d in chunk]
    return 200, tuple(headers), chunk
