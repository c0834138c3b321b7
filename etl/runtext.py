"""The run report as text: the one-line summary, the failure text, the line of a stopped run.

The summary line is what cron mails (or, with --quiet, does not) on success; the failure
text is everything a person reading that mail needs after a failed run; an interrupted run
prints one line (`stopped_line`). The report itself is etl.runlog's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.runlog import RunReport

LONG_WAIT_S = 60.0  # a Retry-After longer than this is named in the summary and failure text
REST_WHY_CHARS = 80  # the summary line's share for why the REST API gave no second opinion


def summary_line(r: RunReport) -> str:
    p, g = r.posts, r.pages
    posts = (
        f"{p.get('new', 0)} new, {p.get('updated', 0)} updated, "
        f"{p.get('unchanged', 0)} unchanged posts ({p.get('total', 0)} in corpus)"
        if p or r.published
        else "no change, nothing published"
        if r.unchanged
        else "nothing published"
    )
    line = (
        f"etl {r.mode} run {r.run_id}: {posts}; "
        f"pages {g.get('fetched', 0)} fetched, {g.get('not_modified', 0)} not modified, "
        f"{g.get('failed', 0)} failed; {r.duration_s:.1f} s"
    )
    if r.audit and r.audit.get("recall") is not None:
        line += f"; recall {r.audit['recall']:.1%}"
    if r.rest and r.rest.get("compared"):
        agree = sum(f["agree"] for f in r.rest["fields"].values())
        total = sum(f["compared"] for f in r.rest["fields"].values())
        line += f"; REST API agrees on {agree}/{total} fields of {r.rest['compared']} posts"
    if why := _rest_unused(r):
        line += f"; REST API not used: {why}"
    if r.site_profile and r.site_profile.get("changed"):
        line += f"; site profile changed ({len(r.site_profile['changed'])} items)"
    if long := len(long_waits(r)):
        line += f"; {long} URL(s) asked to wait over {LONG_WAIT_S:g} s (Retry-After)"
    return line + _excerpts_line(r)


def _rest_unused(r: RunReport) -> str:
    """Why the REST API gave no second opinion although it was asked (closed, not JSON, ...),
    cut short; "" when it answered or was not asked (nothing new, rest_check off)."""
    status = str((r.rest or {}).get("status") or "")
    if status in ("", "ok") or status.startswith("not asked"):
        return ""
    return status if len(status) <= REST_WHY_CHARS else status[: REST_WHY_CHARS - 1] + "…"


def _excerpts_line(r: RunReport) -> str:
    e = r.excerpts or {}
    line = ""
    if e.get("archives_show_excerpts"):
        line += f"; archives show excerpts: {e['post_pages']} posts read from their own page"
    if kept := e.get("kept"):
        line += f"; {len(kept)} post(s) known only by their excerpt"
    return line


def long_waits(r: RunReport) -> list[dict[str, Any]]:
    return [w for w in r.waits.get("by_url", ()) if w["asked_s"] > LONG_WAIT_S]


def stopped_line(r: RunReport) -> str:
    """The one line an interrupted run prints: what was kept, whether it published."""
    return f"etl: run {r.run_id} {r.reason}: {_kept(r)}"


def _kept(r: RunReport) -> str:
    from etl.crawl.stop import Kept

    kept = (r.stopped or {}).get("kept")
    tables = "the run's tables published" if r.published else "published tables unchanged"
    return f"{Kept(**kept) if kept else 'nothing fetched yet'}; {tables}"


def failure_text(r: RunReport) -> str:
    """Everything a person reading the cron mail needs after a failed run."""
    lines = [f"etl: run {r.run_id} failed: {r.reason}", summary_line(r)]
    lines += [
        f"  FAILED {f['url']} (status {f['status']}, {f['reason']}, "
        f"{f['attempts']} attempts): {f['detail']}"
        for f in r.failures
    ]
    lines += [f"  DRIFT {d['url']}: {d['code']}: {d['detail']}" for d in r.drift]
    lines += [
        f"  DISAGREE {d['url']}: {d['field']}: REST API {d['site']}, page {d['page']}"
        for d in (r.rest or {}).get("disagreements", ())
    ]
    lines += [f"  PROFILE {c}" for c in (r.site_profile or {}).get("changed", ())]
    lines += [f"  EXCERPT ONLY {url}" for url in (r.excerpts or {}).get("kept", ())]
    lines += [
        f"  WAITED {w['url']}: asked for up to {w['asked_s']:.0f} s (Retry-After, status "
        f"{w['status']}) {w['waits']} time(s), waited {w['waited_s']:.1f} s (retry_max_wait)"
        for w in long_waits(r)
    ]
    if r.stopped:
        lines += [f"  PENDING {p}" for p in r.stopped["pending"]]
        lines.append(f"  {_kept(r)}")
    elif r.not_published:
        lines.append(f"  NOT PUBLISHED: {r.not_published}")
    if r.audit and r.audit.get("missing"):
        missing = r.audit["missing"]
        lines += [f"  MISSING {url}" for url in missing[:20]]
        if len(missing) > 20:
            lines.append(f"  ... and {len(missing) - 20} more missing posts")
    return "\n".join(lines)
