"""Pure: the run reports -> what the runs checked against the site itself, for `etl stats`
and the report: the REST API's agreement with the parsed records, the rule that read each
field (and how many records none did), the site profile's last change.

The rule counts are the last run's; the agreement is the last run's that compared anything
(an unchanged nightly refresh asks the API nothing), else why the last run did not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The fields a reader looks at first, as named in the run report ("post.tags", ...).
KEY_FIELDS = (
    ("title", "post.title"),
    ("date", "post.date"),
    ("published_at", "post.published_at"),
    ("categories", "post.categories"),
    ("tags", "post.tags"),
    ("text", "post.text"),
    ("teaser block", "page.teasers"),
    ("pagination", "page.next"),
    ("term", "page.term"),
)


@dataclass(frozen=True, slots=True)
class SiteChecks:
    rules_run: str | None = None
    rules: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()  # field -> (rule, records)
    rest_run: str | None = None
    rest_status: str | None = None  # "ok", or why nothing was compared
    agreement: tuple[tuple[str, int, int], ...] = ()  # field, agree, compared
    disagreements: tuple[tuple[str, str, str, str], ...] = ()  # url, field, REST API, page
    lagging: int = 0  # disagreements on posts edited after their page was fetched
    profile_theme: str | None = None
    profile_changed: tuple[str, ...] = ()  # the last run that learned the profile: changes

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for `etl stats`."""
        rows = [("REST API", self.rest_text())]
        rows += [("  " + d[1], f"{d[0]}: REST API {d[2]}, page {d[3]}") for d in self.disagreements]
        if self.rules:
            rows.append(("rules", f"(run {self.rules_run})"))
            rows += [("  " + label, _hits(hits)) for label, hits in self.rules]
        theme = self.profile_theme or "not learned yet"
        rows.append(("site profile", theme + (" (changed)" if self.profile_changed else "")))
        rows += [("  changed", line) for line in self.profile_changed]
        return rows

    def rest_text(self) -> str:
        if not self.agreement:
            return self.rest_status or "no run compared the REST API yet"
        fields = ", ".join(f"{name} {agree}/{n}" for name, agree, n in self.agreement)
        late = f"; {self.lagging} edited after the fetch" if self.lagging else ""
        return f"agrees on {fields} (run {self.rest_run}){late}"


def _hits(hits: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{rule} {n}" for rule, n in hits) or "none"


def site_checks(reports: Sequence[Mapping[str, Any]]) -> SiteChecks:
    """From the run reports (`corpus.run_reports()`, oldest first)."""
    if not reports:
        return SiteChecks()
    last = reports[-1]
    compared = [r for r in reports if _rest(r).get("status") == "ok"]
    rest_run = compared[-1] if compared else last
    rest = _rest(rest_run)
    learned = [r for r in reports if (r.get("site_profile") or {}).get("learned")]
    profile = (learned[-1] if learned else last).get("site_profile") or {}
    rules = last.get("rules") or {}
    return SiteChecks(
        rules_run=last.get("run_id") if rules else None,
        rules=tuple(
            (label, tuple(sorted(rules[name].items(), key=lambda kv: (-kv[1], kv[0]))))
            for label, name in KEY_FIELDS
            if name in rules
        ),
        rest_run=rest_run.get("run_id"),
        rest_status=rest.get("status"),
        agreement=tuple(
            (name, int(f.get("agree", 0)), int(f.get("compared", 0)))
            for name, f in sorted((rest.get("fields") or {}).items(), key=_field_order)
        ),
        disagreements=tuple(
            (d["url"], d["field"], d["site"], d["page"]) for d in rest.get("disagreements") or ()
        ),
        lagging=len(rest.get("lagging") or ()),
        profile_theme=profile.get("theme"),
        profile_changed=tuple(profile.get("changed") or ()),
    )


def _field_order(item: tuple[str, Any]) -> int:
    order = ("title", "published_at", "categories", "tags")
    return order.index(item[0]) if item[0] in order else len(order)


def _rest(report: Mapping[str, Any]) -> Mapping[str, Any]:
    value = report.get("rest")
    return value if isinstance(value, Mapping) else {}
