"""Write a run's artefacts (summary.json, tables/*.csv, figures/*.png) in one fixed shape.

Every notebook writes its results only through `RunOutputs`, so schedulers, dashboards and tests
can read any run the same way. CSV files are UTF-8 with a BOM so Excel shows Chinese text intact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers import config, data, i18n, page
from helpers.i18n import N_

CSV_ENCODING = "utf-8-sig"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas values, dataclasses and frames into plain JSON types (NaN → null)."""
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is pd.NA or value is pd.NaT or value is None:
        return None
    return value


def format_number(value: float) -> str:
    """Readable numbers for tables and axes, in the run's language (see `helpers.i18n.fmt_number`)."""
    return i18n.fmt_number(value)


PERCENT_HINTS: tuple[str, ...] = ("rate", "share", "ctr", "cvr", "drop_off", "attainment", "_pct", "er_mean", "rel_",
                                  "er_ci", "removal_effect", "conversion_from")
TEXT_COLUMNS: tuple[str, ...] = ("title", "description", "finding", "action", "mitigation", "reason", "text")

#: Display labels of columns many tables share; an analysis passes its own on top (`styled(labels=...)`).
COLUMN_LABELS: dict[str, str] = {
    "account_id": N_("Account"), "account": N_("Account"), "name": N_("Account"), "platform": N_("Platform"),
    "date": N_("Date"), "published_at": N_("Published"), "title": N_("Title"), "format": N_("Format"),
    "pillar": N_("Content pillar"), "topic": N_("Topic"), "posts": N_("Posts"), "impressions": N_("Impressions"),
    "reach": N_("Reach"), "views": N_("Views"), "likes": N_("Likes"), "comments": N_("Comments"),
    "shares": N_("Shares"), "saves": N_("Saves"), "engagements": N_("Engagements"),
    "engagement_rate": N_("Engagement rate"), "followers": N_("Followers"), "kpi": N_("KPI"), "label": N_("KPI"),
    "actual": N_("Actual"), "target": N_("Target"), "attainment": N_("Attainment"), "status": N_("Status"),
    "previous": N_("Previous period"), "last_year": N_("Same period last year"),
    "change_pct": N_("Change vs previous period"), "yoy_pct": N_("Change vs last year"),
    "priority": N_("Priority"), "area": N_("Area"), "finding": N_("Finding"), "action": N_("Action"),
    "owner": N_("Owner"), "users": N_("Users"), "share": N_("Share"), "conversions": N_("Conversions"),
    "revenue": N_("Revenue"), "spend": N_("Spend"), "ctr": "CTR", "roas": "ROAS", "cpa": "CPA", "cpm": "CPM",
    "cpc": "CPC", "channel": N_("Channel"), "campaign": N_("Campaign"), "variant": N_("Variant"),
    "metric": N_("Metric"), "segment": N_("Segment"), "day": N_("Day"), "hour": N_("Hour"), "week": N_("Week"),
    "month": N_("Month"), "reason": N_("Reason"),
}


#: Characters a cell of data text (a post's title, a comment, a topic, a name) shows in a report table; a longer one is
#: cut with "…" and shown whole on hover (up to HOVER_CHARS). The CSV keeps every character.
CELL_CHARS = 80
#: Characters any other text cell shows: the sentences the suite writes (findings, actions, reasons) stay whole,
#: while a runaway value in an unexpected column cannot fill the page.
SENTENCE_CHARS = 400
#: Characters of the hover text (the cell's title attribute) of a cut cell: enough to read a long title or comment,
#: without carrying a 100,000-character value into the page; the CSV has it whole.
HOVER_CHARS = 2000
#: Columns of data text, by a part of their machine name: cut at CELL_CHARS.
DATA_TEXT_HINTS: tuple[str, ...] = ("title", "text", "topic", "comment", "caption", "content", "name", "term",
                                    "keyword", "quote", "example", "sample")


def cell_text(value: object, limit: int = CELL_CHARS) -> str:
    """One text cell of a report table as HTML: escaped, and cut at `limit` characters (not bytes: a Chinese
    character counts one) with "…", the text (to HOVER_CHARS) in a title attribute, so it reads on hover.

    >>> cell_text("<b>礼盒</b>开箱", limit=5)
    '<span title="&lt;b&gt;礼盒&lt;/b&gt;开箱">&lt;b&gt;礼…</span>'
    """
    text = str(value)
    if len(text) <= limit:
        return html.escape(text)
    hover = text if len(text) <= HOVER_CHARS else text[:HOVER_CHARS - 1] + "…"
    return f'<span title="{html.escape(hover, quote=True)}">{html.escape(text[:limit - 1])}…</span>'


def data_text_columns(columns: Any) -> list[Any]:
    """The columns holding data text (titles, comments, topics, names), by their machine names (DATA_TEXT_HINTS)."""
    return [c for c in columns if any(h in str(c).lower() for h in DATA_TEXT_HINTS)]


def date_format(values: pd.Series) -> str:
    """strftime format for a datetime column: the date alone when every value is at midnight, else to the minute."""
    present = values.dropna()
    midnight = present.empty or bool((present == present.dt.normalize()).all())
    return "{:%Y-%m-%d}" if midnight else "{:%Y-%m-%d %H:%M}"


def _whole_numbers(column: pd.Series) -> bool:
    present = column.dropna()
    return not present.empty and bool((present == present.round()).all())


def display_labels(columns: Any, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Column → the label a reader sees, in the run's language (the analysis' labels over the shared ones)."""
    merged = {**COLUMN_LABELS, **(labels or {})}
    return {str(c): i18n.gettext(merged[str(c)]) if str(c) in merged else str(c) for c in columns}


def styled(frame: pd.DataFrame, percent: tuple[str, ...] | None = None, labels: Mapping[str, str] | None = None,
           counts: tuple[str, ...] | None = None) -> Any:
    """A display Styler in the run's language: headers as labels, text HTML-escaped, no index.

    Rates are percentages with two decimals (4.91%), whole-number columns are counts (20,015; 1,586.6万 in
    zh-CN), other numbers 3 significant digits, flags 是/否 (yes/no), dates without a time at
    midnight. Text is cut (`cell_text`): data text (titles, comments, ...: `data_text_columns`) at
    CELL_CHARS characters, other text at SENTENCE_CHARS, the text shown on hover. The CSV written by
    `RunOutputs.table` keeps the raw values, whole, and machine column names.
    """
    if percent is None:
        percent = tuple(c for c in frame.columns
                        if any(h in str(c) for h in PERCENT_HINTS) and pd.api.types.is_float_dtype(frame[c])
                        and not str(c).startswith(("posts_", "n_")))  # posts_with_rate counts posts
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c]) and c not in percent]
    if counts is None:
        counts = tuple(c for c in numeric if _whole_numbers(frame[c]))
    style = frame.style.format(lambda v: cell_text(v, SENTENCE_CHARS), na_rep=i18n.MISSING)
    style = style.format(cell_text, subset=data_text_columns(frame.columns), na_rep=i18n.MISSING)
    style = style.format(lambda v: i18n.fmt_percent(v, 2), subset=list(percent), na_rep=i18n.MISSING)
    style = style.format(i18n.fmt_count, subset=[c for c in numeric if c in counts], na_rep=i18n.MISSING)
    style = style.format(i18n.fmt_number, subset=[c for c in numeric if c not in counts], na_rep=i18n.MISSING)
    flags = [c for c in frame.columns if pd.api.types.is_bool_dtype(frame[c])]
    style = style.format(i18n.yes_no, subset=flags, na_rep=i18n.MISSING)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            style = style.format(date_format(frame[column]), subset=[column], na_rep=i18n.MISSING)
    wide = [c for c in frame.columns if any(str(c).startswith(t) or str(c).endswith(t) for t in TEXT_COLUMNS)]
    if wide:  # long data text gets room instead of one character per line
        style = style.set_properties(subset=wide, **{"min-width": "12em", "text-align": "left"})
    style = style.relabel_index(list(display_labels(frame.columns, labels).values()), axis="columns")
    return style.hide(axis="index")


def _check_name(name: str) -> str:
    if not _SAFE_NAME.match(name):
        raise ValueError(f"artefact name {name!r} must use only letters, digits, '_', '-', '.'")
    return name


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as UTF-8 CSV with a BOM (Excel opens Chinese text correctly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding=CSV_ENCODING)
    return path


def default_output_dir(notebook: str) -> Path:
    """Where an interactive (non-runner) session writes: outputs/<notebook>/interactive."""
    return config.OUTPUTS / notebook / "interactive"


def save_png(fig: Any, target: Path, dpi: int) -> None:
    """Write a figure as PNG with one draw: the same bytes as ``fig.savefig(target, dpi=dpi)``.

    savefig draws a figure with a layout engine twice: once with rendering off for the layout, once for the
    pixels. Agg's own draw executes the constrained layout inside its single draw, so the figure is drawn
    once (issue 22; tests/test_report_png.py compares the bytes with savefig's). Figures without a layout
    engine, or with other savefig settings, go through savefig.
    """
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    rc = mpl.rcParams
    if (not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine) or rc["savefig.bbox"] == "tight"
            or rc["savefig.facecolor"] != "auto" or rc["savefig.edgecolor"] != "auto" or rc["savefig.transparent"]):
        fig.savefig(target, dpi=dpi)
        return
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.dpi = dpi
    canvas.draw()
    mpl.image.imsave(target, canvas.buffer_rgba(), format="png", origin="upper", dpi=dpi,
                     metadata={"Software": f"Matplotlib version{mpl.__version__}, https://matplotlib.org/"})


class RunOutputs:
    """Collects one run's summary, tables and figures and writes them under one folder.

    Made in each notebook's set-up cell right after `session.prepare`, it takes the data notes the loading
    step recorded (`helpers.data.take_data_notes`: rows left out, optional tables without rows), prints them
    there in the run's language, and writes them to summary.json `data_notes` (with any a later load adds).
    """

    def __init__(self, notebook: str, output_dir: str | Path | None = None) -> None:
        self.notebook = notebook
        self.path = Path(output_dir) if output_dir else default_output_dir(notebook)
        self.summary: dict[str, Any] = {"notebook": notebook}
        self.tables: list[str] = []
        self.figures: list[str] = []
        self.path.mkdir(parents=True, exist_ok=True)
        self.data_notes: list[data.DataNote] = data.take_data_notes()
        if self.data_notes:
            print(data.data_notes_text(self.data_notes))

    def __repr__(self) -> str:
        return (f"RunOutputs({self.notebook!r}, path={str(self.path)!r}, "
                f"{len(self.tables)} tables, {len(self.figures)} figures, keys={list(self.summary)})")

    def add(self, key: str, value: Any) -> None:
        """Record a headline result under `key` in summary.json."""
        self.summary[key] = value

    def update(self, values: Mapping[str, Any]) -> None:
        """Record several headline results at once (e.g. a findings.summary(...) dict)."""
        self.summary.update(values)

    def headline(self, summary: page.Summary) -> page.Summary:
        """Record the executive summary's verdict and first tiles (summary.json "headline") and return it to show.

        The run's data notes (rows left out, tables read as empty) join the summary's notes, so the first
        screen says what the numbers leave out, not only the set-up output at the end of the report.
        """
        self.data_notes += [n for n in data.take_data_notes() if n not in self.data_notes]
        shown = tuple(note.text() for note in self.data_notes if note.text() not in summary.notes)
        if shown:
            summary = dataclasses.replace(summary, notes=(*summary.notes, *shown))
        self.summary["headline"] = page.headline_record(summary)
        return summary

    def table(self, name: str, frame: pd.DataFrame) -> None:
        """Write tables/<name>.csv (UTF-8 with BOM)."""
        write_csv(frame, self.path / "tables" / f"{_check_name(name)}.csv")
        self.tables.append(name)

    def tables_from(self, frames: Mapping[str, pd.DataFrame | None]) -> None:
        """Write each named table (tables/<name>.csv); None entries (a skipped section) are left out."""
        for name, frame in frames.items():
            if frame is not None:
                self.table(name, frame)

    def figure(self, name: str, fig: Any, dpi: int = 110) -> Any:
        """Save a matplotlib figure as figures/<name>.png, close it, and return the PNG for display.

        Displaying the saved PNG (rather than the figure) renders each chart once, not twice.
        """
        import matplotlib.pyplot as plt
        from IPython.display import Image

        target = self.path / "figures" / f"{_check_name(name)}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        save_png(fig, target, dpi)
        plt.close(fig)
        self.figures.append(name)
        return Image(filename=str(target))

    def figures_from(self, figures: Mapping[str, Any]) -> list[Any]:
        """Save each named figure (figures/<name>.png, closed) and return the PNGs for display, in order."""
        return [self.figure(name, fig) for name, fig in figures.items()]

    def file(self, name: str, data: bytes | str) -> Path:
        """Write an extra artefact at the top of the run folder (e.g. calendar.ics) and list it in summary.json.

        Text is written as UTF-8; give bytes for an exact encoding (e.g. a CSV with a BOM).
        """
        target = self.path / _check_name(name)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        files = self.summary.setdefault("files", [])
        if name not in files:
            files.append(name)
        return target

    def write(self) -> Path:
        """Write summary.json (with the list of tables and figures) and return its path."""
        self.summary["tables"] = [f"tables/{n}.csv" for n in self.tables]
        self.summary["figures"] = [f"figures/{n}.png" for n in self.figures]
        self.data_notes += [n for n in data.take_data_notes() if n not in self.data_notes]
        self.summary["data_notes"] = [note.record() for note in self.data_notes]
        self.summary["written_at"] = dt.datetime.now().isoformat(timespec="seconds")
        self.summary.setdefault("lang", i18n.current_language())
        path = self.path / "summary.json"
        path.write_text(json.dumps(to_jsonable(self.summary), ensure_ascii=False, indent=2), encoding="utf-8")
        return path


def read_summary(run_dir: str | Path) -> dict[str, Any]:
    """Read a run's summary.json."""
    return json.loads((Path(run_dir) / "summary.json").read_text(encoding="utf-8"))
