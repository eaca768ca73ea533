"""The report page: the executive summary a manager reads first, status badges, and the export order.

A report opens with its summary (KPI tiles, the verdict, the key findings and the top actions, each
linking to the section that supports it), then a table of contents, the sections with their Method
notes folded in ``<details>``, and the housekeeping in an appendix. In the notebook the summary is
computed last (it needs every result); the export moves it to the top:

- cells tagged ``report-summary`` go right after the title cell;
- cells tagged ``report-appendix`` go to the end;
- markdown cells tagged ``lang-zh-CN`` or ``lang-en`` are kept only in their language, so a notebook
  carries its narrative in both languages and each report shows one.

Section headings carry an anchor, ``## <a id="kpi"></a>1. KPI 计分卡``, so summary lines link to
``#kpi`` in either language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from helpers import i18n
from helpers.i18n import N_

TEMPLATES = Path(__file__).parent / "templates"
SUMMARY_TAG = "report-summary"
APPENDIX_TAG = "report-appendix"
LANGUAGE_TAG_PREFIX = "lang-"

#: Status code → (shape, label, css class). The shape keeps the status readable printed in grey.
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "healthy": ("●", N_("healthy"), "good"),
    "watch": ("◆", N_("watch"), "watch"),
    "at risk": ("▲", N_("at risk"), "bad"),
    "info": ("○", N_("info"), "info"),
    "insufficient data": ("…", N_("insufficient data"), "info"),
    "ship": ("●", N_("ship"), "good"),
    "don't ship": ("▲", N_("don't ship"), "bad"),
    "keep running": ("◆", N_("keep running"), "watch"),
    "invalid": ("▲", N_("invalid"), "bad"),
    "good": ("●", "", "good"),
    "bad": ("▲", "", "bad"),
    "neutral": ("○", "", "info"),
}


def status_label(code: str) -> str:
    """A status as a reader sees it, shape first: "▲ 风险" / "▲ at risk"; unknown codes as given."""
    shape, label, _ = STATUS_STYLE.get(code, ("", code, "info"))
    text = i18n.gettext(label) if label else ""
    return f"{shape} {text}".strip()


def verdict_badge(code: str, verdict: str) -> str:
    """The badge before a verdict: the shape alone when the verdict already starts with the status word."""
    label = status_label(code)
    word = label.partition(" ")[2]
    return label.partition(" ")[0] if word and verdict.startswith(word) else label


def status_class(code: str) -> str:
    """The CSS class of a status (good, watch, bad, info)."""
    return STATUS_STYLE.get(code, ("", "", "info"))[2]


@dataclass(frozen=True)
class Tile:
    """One KPI tile: the label, the actual, the status and up to three comparison lines."""

    label: str
    value: str
    status: str = "info"
    lines: tuple[str, ...] = ()
    href: str = ""


@dataclass(frozen=True)
class Line:
    """A finding or an action in the summary, linking to the section that supports it."""

    text: str
    href: str = ""
    status: str = ""


@dataclass(frozen=True, repr=False)
class Summary:
    """The first screen of a report, built by each analysis' findings from its results."""

    title: str
    subtitle: str = ""
    verdict: str = ""
    verdict_status: str = ""
    verdict_href: str = ""
    tiles: tuple[Tile, ...] = ()
    findings: tuple[Line, ...] = ()
    actions: tuple[Line, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def _repr_html_(self) -> str:
        return render_summary(self)

    def __repr__(self) -> str:
        return summary_text(self)


def headline_record(summary: Summary, tiles: int = 3) -> dict[str, Any]:
    """The part of a summary a pack index and a notification show: verdict, its status and the first tiles."""
    return {"verdict": summary.verdict, "status": summary.verdict_status,
            "tiles": [{"label": t.label, "value": t.value, "status": t.status, "lines": list(t.lines)}
                      for t in summary.tiles[:tiles]]}


@cache
def environment() -> Any:
    """The Jinja2 environment of the page templates (autoescaped; status helpers as globals)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(status_label=status_label, status_class=status_class, verdict_badge=verdict_badge)
    return env


def render_summary(summary: Summary) -> str:
    """The summary as HTML (Jinja2 template ``summary.html.j2``, every text escaped)."""
    words = {"findings": i18n.gettext("Key findings"), "actions": i18n.gettext("What to do"),
             "see": i18n.gettext("see section"), "heading": i18n.gettext("Summary")}
    return str(environment().get_template("summary.html.j2").render(s=summary, words=words))


def summary_text(summary: Summary) -> str:
    """The summary as plain text (the notebook's text/plain output, what nbval and logs read)."""
    lines = [summary.title]
    if summary.subtitle:
        lines.append(summary.subtitle)
    if summary.verdict:
        lines.append(f"{verdict_badge(summary.verdict_status, summary.verdict)} {summary.verdict}".strip())
    lines += [f"{t.label}: {t.value} {status_label(t.status)}".rstrip() + ("; " + "; ".join(t.lines) if t.lines
                                                                          else "") for t in summary.tiles]
    if summary.findings:
        lines.append(i18n.gettext("Key findings") + ":")
        lines += [f"- {f.text}" for f in summary.findings]
    if summary.actions:
        lines.append(i18n.gettext("What to do") + ":")
        lines += [f"{n}. {a.text}" for n, a in enumerate(summary.actions, 1)]
    lines += list(summary.notes)
    return "\n".join(lines)


# ---------------------------------------------------------------- the export

_ANCHOR = re.compile(r'<a\s+id="([^"]+)"\s*>\s*</a>')
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Heading:
    """A section of the report: its anchor and its title as shown."""

    anchor: str
    title: str


def cell_language(cell: Any) -> str:
    """The language a cell is written in ('' for a cell shown in every language)."""
    for tag in cell.get("metadata", {}).get("tags", []):
        if tag.startswith(LANGUAGE_TAG_PREFIX):
            return str(tag[len(LANGUAGE_TAG_PREFIX):])
    return ""


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def report_cells(cells: Sequence[Any], lang: str) -> list[Any]:
    """The cells of the report in `lang`, summary first and appendix last (see the module docstring)."""
    kept = [c for c in cells if cell_language(c) in ("", lang)]
    summary = [c for c in kept if SUMMARY_TAG in _tags(c)]
    appendix = [c for c in kept if APPENDIX_TAG in _tags(c) and SUMMARY_TAG not in _tags(c)]
    body = [c for c in kept if c not in summary and c not in appendix]
    title, rest = body[:1], body[1:]
    return title + summary + rest + appendix


def section_headings(cells: Sequence[Any]) -> list[Heading]:
    """The level-2 headings with an anchor, in order: the table of contents."""
    headings = []
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in str(cell.get("source", "")).splitlines():
            if not line.startswith("## "):
                continue
            anchor = _ANCHOR.search(line)
            if anchor:
                title = html.unescape(_TAG.sub("", line[3:])).strip()
                headings.append(Heading(anchor.group(1), title))
    return headings


def brand_name(names: Sequence[str]) -> str:
    """What the accounts have in common: the brand before "·" when every name shares it, else the names."""
    brands = {n.split("·", 1)[0].strip() for n in names}
    if len(names) > 1 and len(brands) == 1 and all("·" in n for n in names):
        return brands.pop()
    return i18n.listed(names)


def report_title(*parts: str) -> str:
    """The page title: report, account and period joined by " · " (empty parts left out)."""
    return " · ".join(p for p in parts if p)


#: Notebook → its report's name, for the pack index.
REPORT_NAMES: dict[str, str] = {
    "period_review": N_("Period review"), "audience_profiling": N_("Audience profile"),
    "competitor_analysis": N_("Competitor analysis"), "content_planning": N_("Content planning"),
    "experiment_evaluation": N_("Experiment evaluation"), "voice_of_customer": N_("Voice of the customer"),
    "account_plan": N_("Account plan"),
    "kol_evaluation": N_("KOL vetting"),
}
