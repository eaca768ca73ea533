"""Review periods: ISO weeks, calendar months, quarters and years, and the periods they are compared with.

A period review (METHODOLOGY 2 and 7) sets a period's KPIs next to the previous period of the
same kind and the same period one year earlier. Weeks are ISO weeks: Monday to Sunday, labelled
by ISO year and week number, so ``2026-W01`` starts on Monday 2025-12-29 and some years have a
week 53. A year (the year-end review) is a calendar year labelled ``2026``; its previous period and
its same period last year are both the year before. Every period is a whole number of days; ``end``
is the last day and is included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from helpers.errors import DataError, ParameterError

__all__ = [
    "KINDS",
    "PeriodKind",
    "ReviewPeriod",
    "latest_complete_period",
    "parse_period",
    "period_containing",
    "requested_period",
    "resolve_period",
    "trailing_periods",
]

PeriodKind = Literal["week", "month", "quarter", "year"]

#: The period kinds a review can cover.
KINDS: tuple[str, ...] = ("week", "month", "quarter", "year")

_EXAMPLES: dict[str, str] = {
    "week": "'2026-W43' (ISO year and week number, Monday to Sunday)",
    "month": "'2026-10' (YYYY-MM)",
    "quarter": "'2026-Q4' (YYYY-Qn)",
    "year": "'2026' (YYYY)",
}
_PATTERNS: dict[str, re.Pattern[str]] = {
    "week": re.compile(r"^(\d{4})-?W(\d{1,2})$"),
    "month": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarter": re.compile(r"^(\d{4})-?Q(\d)$"),
    "year": re.compile(r"^(\d{4})$"),
}
_LATEST = ("", "latest")


@dataclass(frozen=True)
class ReviewPeriod:
    """One week, month, quarter or year under review: whole days from ``start`` to ``end`` inclusive."""

    kind: str
    label: str
    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        object.__setattr__(self, "start", _as_day(self.start))
        object.__setattr__(self, "end", _as_day(self.end))
        if self.end < self.start:
            raise ParameterError(f"period {self.label}: end {self.end:%Y-%m-%d} is before "
                                 f"start {self.start:%Y-%m-%d}.")

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return int((self.end - self.start).days) + 1

    def previous(self) -> ReviewPeriod:
        """The period of the same kind just before this one (the period-over-period baseline)."""
        return period_containing(self.kind, self.start - pd.Timedelta(days=1))

    def same_period_last_year(self) -> ReviewPeriod:
        """The same period one year earlier: month, quarter, year, or ISO week number (week 52 if no week 53)."""
        if self.kind != "week":
            return period_containing(self.kind, self.start - pd.DateOffset(years=1))
        iso = self.start.isocalendar()
        year, week = iso[0] - 1, iso[1]
        if week == 53 and not _has_week_53(year):
            week = 52
        return _week_period(year, week)

    def contains(self, when: object) -> bool:
        """Whether a date or timestamp (any time of day) falls inside the period."""
        day = _as_day(when)
        return bool(self.start <= day <= self.end)

    def __str__(self) -> str:
        return f"{self.label} ({self.start:%Y-%m-%d} – {self.end:%Y-%m-%d})"

    def __repr__(self) -> str:
        return (f"ReviewPeriod(kind={self.kind!r}, label={self.label!r}, "
                f"start='{self.start:%Y-%m-%d}', end='{self.end:%Y-%m-%d}')")


def period_containing(kind: str, when: object) -> ReviewPeriod:
    """The week, month, quarter or year that contains a given day."""
    _check_kind(kind)
    day = _as_day(when)
    if kind == "week":
        iso = day.isocalendar()
        return _week_period(iso[0], iso[1])
    if kind == "year":
        return ReviewPeriod("year", str(day.year), pd.Timestamp(year=day.year, month=1, day=1),
                            pd.Timestamp(year=day.year, month=12, day=31))
    span = pd.Period(day, freq="M" if kind == "month" else "Q")
    label = f"{span.year}-{span.month:02d}" if kind == "month" else f"{span.year}-Q{span.quarter}"
    return ReviewPeriod(kind, label, span.start_time.normalize(), span.end_time.normalize())


def parse_period(kind: str, label: str) -> ReviewPeriod:
    """The period named by a label such as '2026-10', '2026-Q4', '2026-W43' or '2026' (also '2026Q4', '2026W43')."""
    _check_kind(kind)
    text = str(label).strip().upper()
    match = _PATTERNS[kind].match(text)
    if match is None:
        raise ParameterError(f"{kind} period {label!r} is not valid: expected {_EXAMPLES[kind]}"
                             f"{_hint_other_kind(kind, text)}.")
    if kind == "year":
        return period_containing("year", pd.Timestamp(year=int(match.group(1)), month=1, day=1))
    year, number = int(match.group(1)), int(match.group(2))
    if kind == "week":
        if not 1 <= number <= (53 if _has_week_53(year) else 52):
            raise ParameterError(
                f"week period {label!r} is not valid: ISO year {year} has weeks 1 to "
                f"{53 if _has_week_53(year) else 52}; expected {_EXAMPLES['week']}."
            )
        return _week_period(year, number)
    if kind == "month" and not 1 <= number <= 12:
        raise ParameterError(f"month period {label!r} is not valid: month {number} is not 1 to 12; "
                             f"expected {_EXAMPLES['month']}.")
    if kind == "quarter" and not 1 <= number <= 4:
        raise ParameterError(f"quarter period {label!r} is not valid: quarter {number} is not 1 to 4; "
                             f"expected {_EXAMPLES['quarter']}.")
    first_month = number if kind == "month" else 3 * number - 2
    return period_containing(kind, pd.Timestamp(year=year, month=first_month, day=1))


def latest_complete_period(kind: str, dates: pd.Series | pd.DatetimeIndex) -> ReviewPeriod:
    """The most recent period whose every day lies between the first and last date in the data."""
    _check_kind(kind)
    days = _days(dates)
    first, last = days.min(), days.max()
    candidate = period_containing(kind, last)
    if candidate.end > last:
        candidate = candidate.previous()
    if candidate.start < first:
        raise ParameterError(
            f"no complete {kind} in the data: it covers {first:%Y-%m-%d} to {last:%Y-%m-%d}. "
            f"Pass an explicit period such as {_EXAMPLES[kind]} to review a partial {kind}."
        )
    return candidate


def requested_period(kind: str, label: str | None) -> ReviewPeriod | None:
    """The period a label names, checked without data; None for 'latest' (or empty), which the data resolves."""
    _check_kind(kind)
    text = "" if label is None else str(label).strip()
    return None if text.lower() in _LATEST else parse_period(kind, text)


def resolve_period(kind: str, label: str | None, dates: pd.Series | pd.DatetimeIndex) -> ReviewPeriod:
    """The period a run asked for: 'latest' (or empty) means the latest complete one; it must hold some data."""
    period = requested_period(kind, label)
    if period is None:
        return latest_complete_period(kind, dates)
    days = _days(dates)
    if not ((days >= period.start) & (days <= period.end)).any():
        first, last = days.min(), days.max()
        raise ParameterError(
            f"empty period: {period} has no data; the data covers {first:%Y-%m-%d} to {last:%Y-%m-%d}. "
            f"Choose a {kind} inside that range, or 'latest'."
        )
    return period


def trailing_periods(period: ReviewPeriod, n: int) -> list[ReviewPeriod]:
    """The n periods ending with ``period``, oldest first (the x axis of a trend chart)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"number of trailing periods must be a whole number ≥ 1, got {n!r}.")
    periods = [period]
    while len(periods) < n:
        periods.append(periods[-1].previous())
    return periods[::-1]


def _check_kind(kind: str) -> None:
    """Fail with the accepted kinds when a period kind is unknown."""
    if kind not in KINDS:
        raise ParameterError(f"period kind {kind!r} is not one of {', '.join(KINDS)} "
                             "(e.g. kind='month', label='2026-10').")


def _hint_other_kind(kind: str, text: str) -> str:
    """A hint when a label is valid for another kind, e.g. '2026-Q4' given for a month."""
    for other, pattern in _PATTERNS.items():
        if other != kind and pattern.match(text):
            return f"; {text!r} looks like a {other} label, so set the period kind to '{other}'"
    return ""


def _has_week_53(year: int) -> bool:
    """Whether an ISO year has 53 weeks (28 December always lies in the year's last week)."""
    return date(year, 12, 28).isocalendar()[1] == 53


def _week_period(year: int, week: int) -> ReviewPeriod:
    """The ISO week ``week`` of ISO year ``year``, Monday to Sunday."""
    start = pd.Timestamp(date.fromisocalendar(year, week, 1))
    return ReviewPeriod("week", f"{year}-W{week:02d}", start, start + pd.Timedelta(days=6))


def _as_day(when: object) -> pd.Timestamp:
    """A date or timestamp as a naive midnight timestamp (wall-clock day if timezone-aware)."""
    try:
        ts = pd.Timestamp(when)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{when!r} is not a date (expected e.g. '2026-10-31').") from exc
    if ts is pd.NaT:
        raise ParameterError("a missing date (NaT) was given where a date is needed.")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _days(dates: pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The days present in a collection of dates (naive, midnight), missing values dropped; never empty."""
    try:
        index = pd.DatetimeIndex(dates)
    except (TypeError, ValueError) as exc:
        raise DataError(f"dates could not be read as dates ({exc}); "
                        "expected a datetime column such as account_daily.date.") from exc
    if index.tz is not None:
        index = index.tz_localize(None)
    index = index.dropna()
    if len(index) == 0:
        raise ParameterError("no dates in the data, so no period can be chosen; "
                             "check that the data folder has daily rows.")
    return index.normalize()
