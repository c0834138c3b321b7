"""`etl report`: one self-contained HTML page about the corpus, written beside the tables.

Charts are drawn with matplotlib and inlined as SVG. Why matplotlib: it is well kept and
offline, needs no JavaScript runtime in the page (so the report opens anywhere, even with
scripts blocked, and a Content-Security-Policy can forbid every external load), and its SVG
output embeds cleanly in HTML with text left as text. We draw on `matplotlib.figure.Figure`
directly, never through pyplot, so there is no global backend or figure state; matplotlib is
imported lazily because `etl --help` must stay fast.

Every number comes from `etl.analysis.summary.summarize`; every string from the corpus is escaped.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from etl.analysis.summary import Item, Summary, summarize
from etl.files import atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

REPORT_NAME = "report.html"
MAX_ITEMS = 50  # rows listed per "worth a look" section; the count says how many in all
COLOR = "#2b6cb0"

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1a202c;
padding:0 1rem} h1{font-size:1.6rem}
h2{border-bottom:1px solid #cbd5e0;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.5rem 0} td,th{padding:.15rem .7rem;text-align:left;
border-bottom:1px solid #edf2f7;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1.5rem}
figure{margin:0} svg{max-width:100%;height:auto} .muted{color:#718096} .ok{color:#276749}
details{margin:.3rem 0}
"""


def _svg(fig: Figure, name: str, label: str) -> str:
    """The figure as an inline <svg> element (no XML prolog, text kept as text)."""
    import matplotlib

    buffer = io.StringIO()
    # A per-chart salt keeps generated ids unique within the page and stable across runs.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # The RDF metadata block only names namespaces; it adds bytes and nothing for a reader.
    start, end = svg.find("<metadata>"), svg.find("</metadata>")
    if 0 <= start < end:
        svg = svg[:start] + svg[end + len("</metadata>") :]
    return svg.replace("<svg", f'<svg role="img" aria-label="{escape(label)}" id="{name}"', 1)


def _figure(height: float = 3.2) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, height), layout="constrained")
    return fig


def bar_chart(
    name: str, label: str, pairs: Sequence[tuple[object, int]], *, horizontal: bool
) -> str:
    """A bar chart of (label, count) pairs; horizontal for long labels, most common on top."""
    fig = _figure(max(2.4, 0.28 * len(pairs) + 1) if horizontal else 3.2)
    ax = fig.add_subplot()
    labels = [str(k) for k, _ in pairs]
    counts = [v for _, v in pairs]
    if horizontal:
        ax.barh(labels[::-1], counts[::-1], color=COLOR)
        ax.set_xlabel("posts")
    else:
        ax.bar(labels, counts, color=COLOR)
        ax.set_ylabel("posts")
        ax.tick_params(axis="x", labelrotation=45 if len(labels) > 8 else 0)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, name, label)


def histogram(name: str, label: str, values: Sequence[int]) -> str:
    fig = _figure()
    ax = fig.add_subplot()
    ax.hist(values, bins=min(30, max(5, len(values) // 5)), color=COLOR)
    ax.set_xlabel("words per post")
    ax.set_ylabel("posts")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, name, label)


def crawl_chart(summary: Summary) -> str:
    """Pages fetched, not modified (304) and failed, per run, stacked."""
    runs = summary.runs
    fig = _figure()
    ax = fig.add_subplot()
    labels = [r.run_id[:15] for r in runs]
    from matplotlib.patches import Patch

    bottom = [0] * len(runs)
    handles = []
    for part, color in (("fetched", COLOR), ("not_modified", "#a0aec0"), ("failed", "#c53030")):
        values = [getattr(r, part) for r in runs]
        ax.bar(labels, values, bottom=bottom, color=color)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        handles.append(Patch(color=color, label=part.replace("_", " ")))
    ax.set_ylabel("pages")
    ax.tick_params(axis="x", labelrotation=30)
    # Above the plot: inside it, the grey swatch would vanish against a grey bar.
    fig.legend(handles=handles, loc="outside upper center", ncols=3, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "chart-crawl", "pages per run")


def _table(table_id: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(tag: str, value: object) -> str:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        css = ' class="n"' if numeric else ""
        return (
            f"<{tag}{css}>{value if str(value).startswith('<a ') else escape(str(value))}</{tag}>"
        )

    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _link(url: str, text: str) -> str:
    # Only web links become anchors: a corpus value can never smuggle in `javascript:`.
    if url.startswith(("https://", "http://")):
        return f'<a href="{escape(url)}">{escape(text or url)}</a>'
    return escape(text or url)


def _items(section_id: str, items: Sequence[Item], none: str) -> str:
    if not items:
        return f'<p id="{section_id}" class="ok">{escape(none)}</p>'
    rows = [(_link(i.url, i.title), str(i.date or ""), i.note) for i in items[:MAX_ITEMS]]
    more = len(items) - MAX_ITEMS
    tail = f'<p class="muted">and {more} more</p>' if more > 0 else ""
    table = _table(section_id, ("post", "date", "note"), rows)
    return f"<details><summary>{len(items)} posts</summary>{table}{tail}</details>"


def _section(title: str, anchor: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def _words(summary: Summary) -> str:
    words = summary.word_counts
    if not words:
        return "<p>No posts.</p>"
    stats = [
        ("posts", len(words)),
        ("min", words[0]),
        ("median", words[len(words) // 2]),
        ("mean", round(sum(words) / len(words))),
        ("max", words[-1]),
    ]
    return histogram("chart-words", "words per post", words) + _table(
        "word-stats", ("", "words"), stats
    )


def _crawl(summary: Summary) -> str:
    if not summary.runs:
        return '<p class="muted">No run reports in runs/ yet.</p>'
    head = (
        "run",
        "mode",
        "exit",
        "duration s",
        "fetched",
        "304",
        "failed",
        "retries",
        "drift",
        "rejects",
    )
    rows = [
        (r.run_id, r.mode, "" if r.exit_status is None else r.exit_status,
         "" if r.duration_s is None else round(r.duration_s, 1), r.fetched, r.not_modified,
         r.failed, r.retries, r.drift, r.rejects)
        for r in summary.runs
    ]  # fmt: skip
    return crawl_chart(summary) + _table("runs", head, rows)


def render(summary: Summary, *, generated_at: dt.datetime) -> str:
    """The whole page as a string: pure, so tests read the numbers straight from it."""
    sections = [*_distributions(summary), *_quality(summary)]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        # Nothing may load from anywhere: the page is complete as written.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Corpus report</title><style>{CSS}</style></head><body>"
        "<h1>cssamerica.com tip-of-the-week corpus</h1>"
        f'<p class="muted">Generated {generated_at:%Y-%m-%d %H:%M} UTC '
        "by <code>etl report</code>.</p>" + "".join(sections) + "</body></html>\n"
    )


def _distributions(s: Summary) -> list[str]:
    """The corpus at a glance, and how its posts spread over years, categories, tags, words."""
    return [
        _section("The corpus at a glance", "glance", _table("glance", ("", ""), s.glance.rows())),
        _section(
            "Posts per year",
            "years",
            bar_chart("chart-years", "posts per year", s.posts_per_year, horizontal=False),
            _table("posts-per-year", ("year", "posts"), s.posts_per_year),
        ),
        '<div class="grid">'
        + _section(
            "Posts per category",
            "categories",
            bar_chart(
                "chart-categories", "posts per category", s.posts_per_category, horizontal=True
            ),
            _table("posts-per-category", ("category", "posts"), s.posts_per_category),
        )
        + _section(
            "Top tags",
            "tags",
            bar_chart("chart-tags", "top tags", s.top_tags, horizontal=True),
            _table("top-tags", ("tag", "posts"), s.top_tags),
        )
        + "</div>",
        _section("Words per post", "words", _words(s)),
    ]


def _quality(s: Summary) -> list[str]:
    """What deserves a look: excerpt-only posts, date quality, crawl health."""
    return [
        _section(
            "Posts with only an excerpt",
            "excerpts",
            "<p>Known only from a teaser: "
            f'<b id="excerpt-only-count">{len(s.excerpt_only)}</b>.</p>',
            _items("excerpt-only", s.excerpt_only, "Every post has its full text."),
        ),
        _section(
            "Date quality",
            "dates",
            _table("date-sources", ("date_source", "posts"), s.date_sources),
            f'<h3>Posts without a date: <span id="undated-count">{len(s.undated)}</span></h3>',
            _items("undated", s.undated, "Every post has a date."),
            "<h3>Tip dates not on a Tuesday: "
            f'<span id="not-tuesday-count">{len(s.not_tuesday)}</span></h3>',
            _items("not-tuesday", s.not_tuesday, "Every heading date is a Tuesday."),
            "<h3>Heading date vs publication date, more than 2 days apart: "
            f'<span id="conflicts-count">{len(s.conflicts)}</span></h3>',
            _items("conflicts", s.conflicts, "No such conflict."),
        ),
        _section("Checks against the site", "site-checks", *_checks(s)),
        _section(
            "Crawl health",
            "crawl",
            _crawl(s),
            "<h3>Rejected records by reason</h3>",
            _table("rejects-by-reason", ("reason", "records"), s.rejects_by_reason),
        ),
    ]


def _checks(s: Summary) -> list[str]:
    """The REST API's second opinion, the rule that read each field, the site profile."""
    c = s.checks
    rest = [(name, agree, n) for name, agree, n in c.agreement]
    parts = [
        f'<h3>The REST API against the pages</h3><p id="rest-status">{escape(c.rest_text())}</p>',
        _table("rest-agreement", ("field", "agree", "compared"), rest) if rest else "",
    ]
    if c.disagreements:
        rows = [(_link(url, url), field, site, page) for url, field, site, page in c.disagreements]
        parts.append(_table("rest-disagreements", ("post", "field", "REST API", "page"), rows))
    rules = [(label, rule, n) for label, hits in c.rules for rule, n in hits]
    parts.append(f"<h3>Which rule read each field (run {escape(c.rules_run or 'none')})</h3>")
    parts.append(_table("rule-counts", ("field", "rule", "records"), rules))
    theme = escape(c.profile_theme or "not learned yet")
    parts.append(f'<h3>Site profile</h3><p id="site-profile">theme {theme}</p>')
    parts += [f'<p class="muted">changed: {escape(line)}</p>' for line in c.profile_changed]
    return parts


def load_summary(data_dir: str | Path | None = None) -> Summary:
    """Read the tables the report needs and summarize them."""
    from etl.analysis import corpus

    # All from one run, even while a run publishes.
    names, optional = ("posts", "teasers", "documents", "rejects"), ("documents", "rejects")
    found = corpus.read_tables(names, data_dir, optional=optional)
    posts, teasers = found["posts"], found["teasers"]
    assert posts is not None and teasers is not None
    return summarize(posts, teasers, found["documents"], corpus.runs(data_dir), found["rejects"])


def write_report(
    data_dir: str | Path | None = None,
    output: Path | None = None,
    *,
    now: dt.datetime | None = None,
) -> Path:
    """Write the report (default `DATA_DIR/processed/report.html`) atomically; return its path."""
    from etl.analysis import corpus

    summary = load_summary(data_dir)
    path = output or corpus.resolve_data_dir(data_dir) / "processed" / REPORT_NAME
    page = render(summary, generated_at=now or dt.datetime.now(dt.UTC))
    with atomic(path, "w", encoding="utf-8") as out:  # a reader never sees half a report
        out.write(page)
    return path
