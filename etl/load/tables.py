"""The tables of the corpus: every column's Arrow type and meaning, declared once.

This is the data dictionary's source: `render_data_dictionary()` turns it into
`docs/data-dictionary.md`, and a test keeps the committed file equal to the rendered one.
Naming follows fixed suffixes: `_at` is a UTC timestamp, `_url` / `url` a canonical URL.
pyarrow is imported lazily so that `python -m etl --help` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Bump when a column is added, removed, renamed or retyped; written into every file.
SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # a key of _TYPES
    doc: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    doc: str
    order: str  # how rows are sorted: part of the determinism guarantee
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, doc: str, nullable: bool = True) -> Column:
    return Column(name, type_, doc, nullable)


_URL = _c(
    "url", "string", "Canonical post URL (https, lower-case host, trailing slash): the key.", False
)
_TITLE = _c("title", "string", "The heading without its date suffix.", False)
_HEADING = _c("heading", "string", "The heading as shown on the site.", False)
_DATE = _c("date", "date", "The tip's date (from the heading, else the publication timestamp).")
_DATE_RAW = _c("date_raw", "string", "The date text cut from the heading, e.g. `6/28/22`.")
_FIRST = _c(
    "first_seen_at", "timestamp", "When a run first saw this record (fetch time, UTC).", False
)
_LAST = _c("last_seen_at", "timestamp", "When a run last saw this record (fetch time, UTC).", False)
_CATS = _c(
    "categories", "list", "Category names, sorted (union over every archive it appeared in).", False
)
_TAGS = _c("tags", "list", "Tag names, sorted (union over every archive it appeared in).", False)
_WP_ID = _c("wp_id", "int", "WordPress post id (`article#post-NNNN`).")
_DATE_SOURCE = _c("date_source", "string", "Where `date` came from: `heading` or `published`.")
_PUBLISHED = _c("published_at", "timestamp", "Publication timestamp (`time[datetime]`), UTC.")
_WORDS = _c("word_count", "int", "Number of white-space separated words in `text`.", False)
_GONE = _c(
    "gone_at",
    "timestamp",
    "Set when a full crawl no longer found the post; cleared when seen again.",
)
_RUN = _c("run_id", "string", "The run that produced the row.", False)

POSTS = Table(
    "posts",
    "One row per post URL ever seen as a full post (archive `article` or post page).",
    "url",
    (
        _URL,
        _WP_ID,
        _TITLE,
        _HEADING,
        _DATE,
        _DATE_RAW,
        _DATE_SOURCE,
        _PUBLISHED,
        _CATS,
        _TAGS,
        _c(
            "text",
            "string",
            "Body text: paragraphs joined by a blank line, boilerplate out.",
            False,
        ),
        _c("html", "string", "The `entry-content` HTML as served (boilerplate kept).", False),
        _WORDS,
        _c(
            "content_hash",
            "string",
            "Fingerprint of the post's content as parsed: a change means the site changed it "
            "(`etl/load/hashing.py`: 32 hex digits; 64 for hashes of version 1, until seen again).",
            False,
        ),
        _c(
            "source",
            "string",
            "Where the text was read: `archive` or `post_page` (the full post), or `excerpt`: "
            "the archive showed only an excerpt and the post's own page failed, so `text` and "
            "`html` are that excerpt (later runs read its page again).",
            False,
        ),
        _FIRST,
        _LAST,
        _GONE,
    ),
)

TEASERS = Table(
    "teasers",
    "One row per post URL ever seen in a latest-tips block (heading and 55-word excerpt).",
    "url",
    (
        _URL,
        _TITLE,
        _HEADING,
        _DATE,
        _DATE_RAW,
        _c("excerpt", "string", "The first 55 words of the post, as shown in the block.", False),
        _FIRST,
        _LAST,
    ),
)

DOCUMENTS = Table(
    "documents",
    "The analyst's table: one row per distinct post URL across posts and teasers; "
    "the full post's fields where known, else the teaser's.",
    "url",
    (
        _URL,
        _WP_ID,
        _TITLE,
        _HEADING,
        _DATE,
        _c("year", "int", "Year of `date`."),
        _DATE_RAW,
        _DATE_SOURCE,
        _PUBLISHED,
        _CATS,
        _TAGS,
        _c(
            "has_full_text",
            "bool",
            "True when the full post is known, False when only its teaser or its excerpt.",
            False,
        ),
        _c(
            "text",
            "string",
            "The full text when known, else the archive's or the teaser's excerpt.",
            False,
        ),
        _WORDS,
        _FIRST,
        _LAST,
        _GONE,
    ),
)

POST_TERMS = Table(
    "post_terms",
    "Long form of the posts' categories and tags, one row per (post, term), for group-bys.",
    "url, kind, term",
    (
        _URL,
        _c("kind", "string", "`category` or `tag`.", False),
        _c("term", "string", "The category or tag name.", False),
    ),
)

PAGES = Table(
    "pages",
    "The crawl log: one row per fetched page and run.",
    "run_id, url, fetched_at",
    (
        _RUN,
        _c("url", "string", "The page's URL as fetched.", False),
        _c("term_kind", "string", "`category` or `tag` for archive pages."),
        _c("term", "string", "The archive's category or tag name."),
        _c("page", "int", "Page number within the archive (1 for the first page)."),
        _c("status", "int", "HTTP status of the response (null when none arrived)."),
        _c("fetched_at", "timestamp", "When the response was received, UTC.", False),
        _c("teasers", "int", "Teasers found on the page.", False),
        _c("posts", "int", "Full posts found on the page.", False),
        _c("problems", "list", "Codes of the problems found on the page.", False),
    ),
)

REJECTS = Table(
    "rejects",
    "Every problem a run met on a record or page, so nothing disappears without a trace.",
    "run_id, source_url, record_kind, reason, excerpt, detail, seen_at",
    (
        _RUN,
        _c("source_url", "string", "The page (or post) the problem was found on.", False),
        _c("record_kind", "string", "`page`, `teaser` or `post`.", False),
        _c(
            "reason",
            "string",
            "Short stable code, e.g. `date.impossible`, `drift.no_teasers`.",
            False,
        ),
        _c("detail", "string", "One human sentence about the problem.", False),
        _c(
            "drift",
            "bool",
            "True when the markup no longer matches the contract (fails the run).",
            False,
        ),
        _c("excerpt", "string", "A short piece of the offending input.", False),
        _c("seen_at", "timestamp", "Fetch time of the page the problem was found on, UTC.", False),
    ),
)

BOILERPLATE = Table(
    "boilerplate",
    "Learned boilerplate: paragraphs found verbatim in at least `boilerplate_min_posts` posts, "
    "dropped from `text` (kept in `html`). Once learned, a paragraph stays learned.",
    "paragraph",
    (
        _c("paragraph", "string", "The paragraph, exactly as it appeared in `text`.", False),
        _c("posts", "int", "Most distinct posts it was ever counted in.", False),
        _c(
            "learned_at",
            "timestamp",
            "When a run first learned it (that run's last fetch, UTC).",
            False,
        ),
    ),
)

TABLES: tuple[Table, ...] = (POSTS, TEASERS, DOCUMENTS, POST_TERMS, PAGES, REJECTS, BOILERPLATE)

# Written by the completeness audit on its own (`etl.crawl.audit.write_audit`), not by the merge.
AUDIT = Table(
    "audit",
    "The last audit: every post URL the sitemaps list or the corpus holds, and how the two "
    "compare. Written by `etl audit` and after every corpus run; not part of the merged set "
    "(`manifest.json` does not name it).",
    "url",
    (
        _c("url", "string", "Canonical post URL, from the sitemaps or the corpus.", False),
        _c(
            "status",
            "string",
            "`ok` (in both), `missing` (sitemap only), `extra` (corpus only), `stale` (the "
            "sitemap's lastmod is newer than our copy) or `healed` (was missing or stale, fetched "
            "from its own page by this run).",
            False,
        ),
        _c("lastmod", "timestamp", "The sitemap's `lastmod`, UTC (null: none, or not listed)."),
        _c("seen_at", "timestamp", "When we last saw the post (`last_seen_at`), else null."),
    ),
)
DOCUMENTED: tuple[Table, ...] = (*TABLES, AUDIT)

_TYPE_NAMES = {
    "string": "string",
    "int": "int64",
    "bool": "bool",
    "date": "date32",
    "timestamp": "timestamp[us, tz=UTC]",
    "list": "list<string>",
}


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list": pa.list_(pa.string()),
    }[name]


def arrow_schema(table: Table) -> Any:
    """The explicit `pyarrow.Schema` of a table; every file is cast to it before writing."""
    import pyarrow as pa

    return pa.schema(
        [pa.field(c.name, _arrow_type(c.type), nullable=c.nullable) for c in table.columns]
    )


def render_data_dictionary() -> str:
    """`docs/data-dictionary.md`, generated from the declarations above."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `etl/load/tables.py` by `render_data_dictionary()`; do not edit.",
        f"Schema version {SCHEMA_VERSION}. Files live in `DATA_DIR/processed/` as zstd Parquet; "
        "each file's schema metadata holds `schema_version`, `site`, `run_id` and `generated_at`, "
        "and `manifest.json` names the run that wrote the set.",
        "Timestamps are UTC (`timestamp[us, tz=UTC]`), dates are `date32`.",
        "",
    ]
    for t in DOCUMENTED:
        out += [f"## `{t.name}.parquet`", "", t.doc, "", f"Rows sorted by: {t.order}.", ""]
        out += ["| column | type | null | meaning |", "|---|---|---|---|"]
        for c in t.columns:
            null = "yes" if c.nullable else "no"
            out.append(f"| `{c.name}` | `{_TYPE_NAMES[c.type]}` | {null} | {c.doc} |")
        out.append("")
    return "\n".join(out)
