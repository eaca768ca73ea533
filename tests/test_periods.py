"""Tests of helpers.periods: ISO weeks, months, quarters and their comparison periods.

Expected dates are calendar facts written out by hand (checked against a calendar), not the
code's own output: e.g. 1 January 2026 is a Thursday, so ISO 2026-W01 starts Monday 2025-12-29
and ISO year 2026 has 53 weeks; 2025 starts on a Wednesday and is not a leap year, so it has 52.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.periods import (
    ReviewPeriod,
    latest_complete_period,
    parse_period,
    period_containing,
    resolve_period,
    trailing_periods,
)

T = pd.Timestamp


def span(p: ReviewPeriod) -> tuple[str, str, str]:
    """Label, first and last day of a period as text, for compact assertions."""
    return p.label, f"{p.start:%Y-%m-%d}", f"{p.end:%Y-%m-%d}"


# --- parsing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kind", "label", "expected", "days"),
    [
        ("month", "2026-10", ("2026-10", "2026-10-01", "2026-10-31"), 31),
        ("month", "2026-4", ("2026-04", "2026-04-01", "2026-04-30"), 30),
        ("month", "2024-02", ("2024-02", "2024-02-01", "2024-02-29"), 29),  # 2024 is a leap year
        ("month", "2026-02", ("2026-02", "2026-02-01", "2026-02-28"), 28),
        ("month", "1900-02", ("1900-02", "1900-02-01", "1900-02-28"), 28),  # century, not leap
        ("quarter", "2026-Q4", ("2026-Q4", "2026-10-01", "2026-12-31"), 92),  # 31 + 30 + 31
        ("quarter", "2026Q1", ("2026-Q1", "2026-01-01", "2026-03-31"), 90),  # 31 + 28 + 31
        ("quarter", "2024-q1", ("2024-Q1", "2024-01-01", "2024-03-31"), 91),  # 31 + 29 + 31
        ("quarter", "2026-Q2", ("2026-Q2", "2026-04-01", "2026-06-30"), 91),  # 30 + 31 + 30
        ("quarter", "2026-Q3", ("2026-Q3", "2026-07-01", "2026-09-30"), 92),  # 31 + 31 + 30
        ("week", "2026-W43", ("2026-W43", "2026-10-19", "2026-10-25"), 7),
        ("week", "2026W43", ("2026-W43", "2026-10-19", "2026-10-25"), 7),
        ("week", "2026-w5", ("2026-W05", "2026-01-26", "2026-02-01"), 7),
        # week 1 spans two calendar years
        ("week", "2026-W01", ("2026-W01", "2025-12-29", "2026-01-04"), 7),
        ("week", "2021-W01", ("2021-W01", "2021-01-04", "2021-01-10"), 7),
        # 53-week ISO years: 2020 (leap year starting on Wednesday) and 2026 (starts on Thursday)
        ("week", "2020-W53", ("2020-W53", "2020-12-28", "2021-01-03"), 7),
        ("week", "2026-W53", ("2026-W53", "2026-12-28", "2027-01-03"), 7),
        # a year (the year-end review): 365 days, 366 in a leap year
        ("year", "2026", ("2026", "2026-01-01", "2026-12-31"), 365),
        ("year", "2024", ("2024", "2024-01-01", "2024-12-31"), 366),
        ("year", " 2025 ", ("2025", "2025-01-01", "2025-12-31"), 365),
    ],
)
def test_parse_period(kind: str, label: str, expected: tuple[str, str, str], days: int) -> None:
    p = parse_period(kind, label)
    assert (p.kind, *span(p)) == (kind, *expected)
    assert p.days == days


def test_weeks_run_monday_to_sunday() -> None:
    p = parse_period("week", "2026-W43")
    assert p.start.day_name() == "Monday" and p.end.day_name() == "Sunday"


@pytest.mark.parametrize(
    ("kind", "label", "fragment"),
    [
        ("week", "2025-W53", "weeks 1 to 52"),  # 2025 has 52 ISO weeks
        ("week", "2021-W53", "weeks 1 to 52"),
        ("week", "2026-W54", "weeks 1 to 53"),
        ("week", "2026-W00", "weeks 1 to 53"),
        ("month", "2026-13", "month 13 is not 1 to 12"),
        ("month", "2026-00", "month 0 is not 1 to 12"),
        ("month", "202610", "'2026-10' (YYYY-MM)"),
        ("month", "October", "'2026-10' (YYYY-MM)"),
        ("quarter", "2026-Q5", "quarter 5 is not 1 to 4"),
        ("quarter", "2026-10", "looks like a month label"),
        ("month", "2026-Q4", "looks like a quarter label"),
        ("week", "2026-10", "'2026-W43'"),
        ("decade", "2020s", "not one of week, month, quarter, year"),
        ("year", "2026-10", "looks like a month label"),
        ("year", "26", "'2026' (YYYY)"),
        ("month", "2026", "looks like a year label"),
    ],
)
def test_parse_period_rejects_bad_labels_with_an_example(kind: str, label: str, fragment: str) -> None:
    with pytest.raises(ParameterError) as info:
        parse_period(kind, label)
    assert fragment in str(info.value)


# --- comparison periods ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kind", "label", "previous"),
    [
        ("month", "2026-03", ("2026-02", "2026-02-01", "2026-02-28")),
        ("month", "2026-01", ("2025-12", "2025-12-01", "2025-12-31")),
        ("month", "2024-03", ("2024-02", "2024-02-01", "2024-02-29")),
        ("quarter", "2026-Q1", ("2025-Q4", "2025-10-01", "2025-12-31")),
        ("quarter", "2026-Q3", ("2026-Q2", "2026-04-01", "2026-06-30")),
        ("week", "2026-W01", ("2025-W52", "2025-12-22", "2025-12-28")),
        ("week", "2021-W01", ("2020-W53", "2020-12-28", "2021-01-03")),
        ("week", "2026-W43", ("2026-W42", "2026-10-12", "2026-10-18")),
        ("year", "2026", ("2025", "2025-01-01", "2025-12-31")),
        ("year", "2025", ("2024", "2024-01-01", "2024-12-31")),
    ],
)
def test_previous(kind: str, label: str, previous: tuple[str, str, str]) -> None:
    assert span(parse_period(kind, label).previous()) == previous


@pytest.mark.parametrize(
    ("kind", "label", "last_year"),
    [
        ("month", "2026-10", ("2025-10", "2025-10-01", "2025-10-31")),
        ("month", "2025-02", ("2024-02", "2024-02-01", "2024-02-29")),  # leap February a year back
        ("quarter", "2026-Q4", ("2025-Q4", "2025-10-01", "2025-12-31")),
        ("week", "2026-W43", ("2025-W43", "2025-10-20", "2025-10-26")),
        ("week", "2026-W01", ("2025-W01", "2024-12-30", "2025-01-05")),
        ("week", "2021-W52", ("2020-W52", "2020-12-21", "2020-12-27")),
        # week 53 of 2026: 2025 has no week 53, so week 52 of 2025
        ("week", "2026-W53", ("2025-W52", "2025-12-22", "2025-12-28")),
        ("week", "2021-W01", ("2020-W01", "2019-12-30", "2020-01-05")),
        # a year's same period last year is the previous year
        ("year", "2026", ("2025", "2025-01-01", "2025-12-31")),
    ],
)
def test_same_period_last_year(kind: str, label: str, last_year: tuple[str, str, str]) -> None:
    assert span(parse_period(kind, label).same_period_last_year()) == last_year


def test_trailing_periods_end_with_the_period_oldest_first() -> None:
    labels = [p.label for p in trailing_periods(parse_period("month", "2026-02"), 4)]
    assert labels == ["2025-11", "2025-12", "2026-01", "2026-02"]
    weeks = [p.label for p in trailing_periods(parse_period("week", "2021-W02"), 3)]
    assert weeks == ["2020-W53", "2021-W01", "2021-W02"]
    assert [p.label for p in trailing_periods(parse_period("quarter", "2026-Q1"), 1)] == ["2026-Q1"]
    assert [p.label for p in trailing_periods(parse_period("year", "2026"), 3)] == ["2024", "2025", "2026"]


def test_latest_complete_year_needs_every_day_of_it() -> None:
    # data from 2024-11-01 to 2026-11-15: 2026 is not over, 2025 is the latest complete year
    days = pd.Series(pd.date_range("2024-11-01", "2026-11-15", freq="D"))
    assert span(latest_complete_period("year", days)) == ("2025", "2025-01-01", "2025-12-31")
    assert span(period_containing("year", T("2026-07-04 18:30"))) == ("2026", "2026-01-01", "2026-12-31")
    with pytest.raises(ParameterError, match="no complete year"):
        latest_complete_period("year", days[days >= T("2025-02-01")])


@pytest.mark.parametrize("n", [0, -1, 2.0, True])
def test_trailing_periods_rejects_bad_n(n: object) -> None:
    with pytest.raises(ParameterError, match="whole number"):
        trailing_periods(parse_period("month", "2026-02"), n)  # type: ignore[arg-type]


# --- membership and display ------------------------------------------------------------------

def test_contains_includes_the_whole_last_day() -> None:
    p = parse_period("month", "2026-10")
    assert p.contains("2026-10-01")
    assert p.contains(T("2026-10-31 23:59:59"))
    assert not p.contains("2026-11-01 00:00")
    assert not p.contains("2026-09-30 23:59")
    assert p.contains(T("2026-10-31 23:30", tz="Asia/Shanghai"))  # wall-clock day


def test_str_and_repr_are_readable() -> None:
    p = parse_period("month", "2026-10")
    assert str(p) == "2026-10 (2026-10-01 – 2026-10-31)"
    assert repr(p) == "ReviewPeriod(kind='month', label='2026-10', start='2026-10-01', end='2026-10-31')"


def test_period_containing_a_timestamp() -> None:
    assert span(period_containing("week", T("2027-01-02 15:00"))) == ("2026-W53", "2026-12-28", "2027-01-03")
    assert span(period_containing("quarter", "2024-02-29")) == ("2024-Q1", "2024-01-01", "2024-03-31")


def test_direct_construction_normalises_days() -> None:
    p = ReviewPeriod("month", "2026-10", "2026-10-01 08:00", T("2026-10-31 23:59"))  # type: ignore[arg-type]
    assert (p.start, p.end, p.days) == (T("2026-10-01"), T("2026-10-31"), 31)
    with pytest.raises(ParameterError, match="before start"):
        ReviewPeriod("month", "x", T("2026-10-31"), T("2026-10-01"))
    with pytest.raises(ParameterError, match="not one of"):
        ReviewPeriod("day", "x", T("2026-10-01"), T("2026-10-01"))


def test_periods_are_frozen_and_comparable() -> None:
    p = parse_period("quarter", "2026-Q4")
    assert p == parse_period("quarter", "2026Q4")
    with pytest.raises(AttributeError):
        p.label = "x"  # type: ignore[misc]


# --- latest complete period and resolution ---------------------------------------------------

def days(first: str, last: str) -> pd.Series:
    """One row per day from first to last, as a data set's date column would be."""
    return pd.Series(pd.date_range(first, last), name="date")


def test_latest_complete_period_when_data_ends_mid_month() -> None:
    d = days("2026-01-03", "2026-10-20")  # Tuesday 20 October 2026
    assert latest_complete_period("month", d).label == "2026-09"
    assert latest_complete_period("quarter", d).label == "2026-Q3"
    # ISO week 43 (19–25 Oct) is unfinished, so the last complete week is W42 (12–18 Oct)
    assert span(latest_complete_period("week", d)) == ("2026-W42", "2026-10-12", "2026-10-18")


def test_latest_complete_period_when_data_ends_on_the_last_day() -> None:
    d = days("2026-01-01", "2026-09-30")
    assert latest_complete_period("month", d).label == "2026-09"
    assert latest_complete_period("quarter", d).label == "2026-Q3"
    # 30 Sept 2026 is a Wednesday: last complete week ends Sunday 27 Sept
    assert latest_complete_period("week", d).label == "2026-W39"


def test_latest_complete_period_accepts_index_with_gaps_times_and_missing() -> None:
    idx = pd.DatetimeIndex(["2026-03-31 22:00", None, "2026-02-01 08:00", "2026-04-02"])
    assert latest_complete_period("month", idx).label == "2026-03"


def test_latest_complete_period_needs_a_fully_covered_period() -> None:
    with pytest.raises(ParameterError, match="no complete quarter.*2026-08-15 to 2026-10-20"):
        latest_complete_period("quarter", days("2026-08-15", "2026-10-20"))
    with pytest.raises(ParameterError, match="no dates"):
        latest_complete_period("month", pd.Series([], dtype="datetime64[ns]"))
    with pytest.raises(DataError, match="not be read as dates"):
        latest_complete_period("month", pd.Series(["not a date"]))


def test_resolve_period() -> None:
    d = days("2025-06-01", "2026-10-20")
    assert resolve_period("month", "latest", d).label == "2026-09"
    assert resolve_period("month", "", d).label == "2026-09"
    assert resolve_period("month", " LATEST ", d).label == "2026-09"
    assert resolve_period("month", "2026-10", d).label == "2026-10"  # partial month: allowed
    assert resolve_period("week", "2026W01", d).label == "2026-W01"


def test_resolve_period_rejects_an_empty_period_and_says_what_the_data_covers() -> None:
    d = pd.concat([days("2025-06-01", "2025-12-31"), days("2026-03-01", "2026-10-20")])
    with pytest.raises(ParameterError, match="empty period.*2025-06-01 to 2026-10-20"):
        resolve_period("month", "2026-11", d)
    with pytest.raises(ParameterError, match="empty period: 2026-02"):  # a gap inside the range
        resolve_period("month", "2026-02", d)
    with pytest.raises(ParameterError, match="2026-13"):
        resolve_period("month", "2026-13", d)
