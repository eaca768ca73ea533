"""The content calendar (排期表) as an HTML month grid: weeks as rows, Mon–Sun columns, every slot readable.

`month_grid_view(slots, month, key_dates)` turns the calendar's slots (schedule.SLOT_COLUMNS) into a
`MonthGrid`: one `GridDay` per cell of the month's weeks (days of the neighbouring months are empty
cells), each listing its slots in time order with the time, the platform's name, the tier (a shape
and a word, so the tier survives grey printing), the topic and the format; reserve slots say 预留位 /
reserve; key dates are named on their day. Each slot's reason shows as one short line (its first
clause) with the whole reason on demand in `<details>`.

`MonthGrid` renders with the Jinja2 template ``templates/month_grid.html.j2`` (autoescape: topics
and key-date names are data text) as its `_repr_html_`, and as plain text for its `repr` (what a
log or nbval reads). Every word a reader sees is in the run's language (helpers.i18n).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import i18n
from helpers.errors import require_columns
from helpers.i18n import _
from helpers.planning.schedule import WEEKDAY_LABELS, format_name, tier_name

TEMPLATES = Path(__file__).parent / "templates"
#: The reason's clauses are joined by this separator (schedule); the first clause is the short line.
REASON_SEPARATOR = "; "

#: Tier code → shape: the shape keeps the tier readable in grey print (the word comes with it).
TIER_SHAPES: dict[str, str] = {"flagship": "★", "series": "◆", "daily": "●", "reserve": "○"}


def tier_label(tier: str) -> str:
    """A tier as a reader sees it, shape first: "★ 旗舰" / "★ flagship"; unknown codes as given."""
    return f"{TIER_SHAPES.get(str(tier), '')} {tier_name(str(tier))}".strip()


def format_label(fmt: str) -> str:
    """A post format as a reader names it: 短视频 / short video; unknown codes as given."""
    return format_name(str(fmt))


@dataclass(frozen=True)
class GridSlot:
    """One slot in a day cell, every field display text (escaped by the template)."""

    time: str
    platform: str
    tier: str  # the code (flagship, series, daily, reserve): the CSS class
    tier_text: str
    topic: str
    format: str
    reason_short: str
    reason: str
    reserve: bool


@dataclass(frozen=True)
class GridDay:
    """One cell of the grid: a day of the month (or None for a day of a neighbouring month)."""

    day: dt.date | None
    weekday: int
    key_dates: tuple[str, ...] = ()
    slots: tuple[GridSlot, ...] = ()


@dataclass(frozen=True, repr=False)
class MonthGrid:
    """The month's calendar as weeks × Mon–Sun days; shown as HTML in a notebook, as text in a log."""

    month: str
    title: str
    weeks: tuple[tuple[GridDay, ...], ...]
    words: Mapping[str, Any]

    @property
    def days(self) -> list[GridDay]:
        """The days of the month, in order."""
        return [d for week in self.weeks for d in week if d.day is not None]

    def _repr_html_(self) -> str:
        return render_month_grid(self)

    def __repr__(self) -> str:
        return month_grid_text(self)


def _first_clause(reason: str) -> str:
    return reason.split(REASON_SEPARATOR, 1)[0].strip()


def _key_date_names(key_dates: pd.DataFrame | None) -> tuple[dict[dt.date, list[str]], dict[str, str]]:
    """Day → the key dates' display names, and machine name → display name (name_zh in zh-CN when given)."""
    by_day: dict[dt.date, list[str]] = {}
    names: dict[str, str] = {}
    if key_dates is None or key_dates.empty:
        return by_day, names
    for r in key_dates.to_dict(orient="records"):
        zh = r.get("name_zh")
        shown = str(zh) if i18n.is_chinese() and isinstance(zh, str) and zh.strip() else str(r["name"])
        names[str(r["name"])] = shown
        day = pd.Timestamp(r["date"]).date()
        if shown not in by_day.setdefault(day, []):
            by_day[day].append(shown)
    return by_day, names


def key_date_name(name: str, key_dates: pd.DataFrame | None) -> str:
    """A key date's name in the run's language (its name_zh in zh-CN when the table gives one)."""
    return _key_date_names(key_dates)[1].get(str(name), str(name))


def _slot(row: Mapping[str, Any]) -> GridSlot:
    reserve = bool(row["is_reserve"])
    reason = str(row.get("reason") or "")
    return GridSlot(time=str(row["time"]), platform=i18n.platform_name(str(row["platform"])),
                    tier="reserve" if reserve else str(row["tier"]),
                    tier_text=tier_label("reserve" if reserve else str(row["tier"])),
                    topic="" if reserve else str(row.get("topic") or ""), format=format_label(str(row["format"])),
                    reason_short=_first_clause(reason), reason=reason, reserve=reserve)


def month_grid_view(slots: pd.DataFrame, month: str, key_dates: pd.DataFrame | None = None,
                    title: str = "") -> MonthGrid:
    """The slots of `month` ('YYYY-MM') as a MonthGrid; key dates (date, name, optional name_zh) named on their day.

    Slots outside the month are an error (ValueError): the grid shows every slot exactly once.
    """
    require_columns(slots, ["date", "time", "platform", "tier", "format", "topic", "reason", "is_reserve"], "slots")
    year, mon = int(month[:4]), int(month[5:7])
    n_days = _calendar.monthrange(year, mon)[1]
    first = dt.date(year, mon, 1)
    dates = pd.to_datetime(slots["date"]).dt.date
    outside = sorted({d for d in dates if not (first <= d <= dt.date(year, mon, n_days))})
    if outside:
        raise ValueError(f"slots dated outside {month}: {[d.isoformat() for d in outside[:5]]}")
    by_day, _names = _key_date_names(key_dates)
    ordered = slots.assign(day_=dates).sort_values(["day_", "time"], kind="stable")
    cells: dict[dt.date, list[GridSlot]] = {}
    for row in ordered.to_dict(orient="records"):
        cells.setdefault(row["day_"], []).append(_slot(row))
    start = first - dt.timedelta(days=first.weekday())
    weeks = []
    for w in range((n_days + first.weekday() + 6) // 7):
        week = []
        for wd in range(7):
            day = start + dt.timedelta(days=7 * w + wd)
            if day.month != mon:
                week.append(GridDay(None, wd))
            else:
                week.append(GridDay(day, wd, tuple(by_day.get(day, [])), tuple(cells.get(day, []))))
        weeks.append(tuple(week))
    words = {"weekdays": [_(w) for w in WEEKDAY_LABELS], "reason": _("Reason"),
             "legend": [(t, tier_label(t)) for t in TIER_SHAPES], "key_date": _("key date"),
             "no_posts": _("no posts"), "caption": title or _("Content calendar {month}").format(
                 month=i18n.fmt_month(first))}
    return MonthGrid(month=f"{year:04d}-{mon:02d}", title=str(words["caption"]), weeks=tuple(weeks), words=words)


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


def render_month_grid(grid: MonthGrid) -> str:
    """The grid as HTML (template ``month_grid.html.j2``; every text escaped)."""
    return str(_environment().get_template("month_grid.html.j2").render(g=grid, w=grid.words))


def month_grid_text(grid: MonthGrid) -> str:
    """The grid as plain text: the title, then one line per day with slots (date weekday: time platform tier …)."""
    lines = [grid.title]
    weekdays = grid.words["weekdays"]
    for day in grid.days:
        if not day.slots and not day.key_dates:
            continue
        head = f"{day.day:%Y-%m-%d} {weekdays[day.weekday]}" + (f" [{', '.join(day.key_dates)}]"
                                                                if day.key_dates else "")
        lines.append(head)
        lines += [f"  {s.time} {s.platform} {s.tier_text} {s.topic} ({s.format})".replace("  (", " (")
                  for s in day.slots]
    return "\n".join(lines)
