"""timezones.parse_local_times, issue 22: the offset regex runs only on the rows a cheap test lets through (an
offset ends the text with Z or puts its sign among the last 6 characters). Its answers are the old code's, kept
here, for odd whitespace, full-width digits, missing values, every offset spelling and texts that only look close."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import data, timezones
from helpers.timezones import _OFFSET, _has_offset, to_local_by_zone


def _old_parse_local_times(values: pd.Series, zones: pd.Series) -> pd.Series:
    """parse_local_times before issue 22's change: the offset regex on every row."""
    if pd.api.types.is_datetime64_any_dtype(values):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            return to_local_by_zone(values, zones)
        return values.astype("datetime64[ns]")
    text = values.astype("string").str.strip().str.upper()
    aware = text.str.contains(_OFFSET, regex=True).fillna(False).astype(bool)
    try:
        naive = pd.to_datetime(text.where(~aware), errors="coerce", format="ISO8601")
    except ValueError:
        aware |= text.map(_has_offset, na_action="ignore").fillna(False).astype(bool)
        naive = pd.to_datetime(text.where(~aware), errors="coerce", format="ISO8601")
    parsed = naive.astype("datetime64[ns]")
    if aware.any():
        with_offset = pd.to_datetime(text[aware], errors="coerce", format="ISO8601", utc=True)
        parsed.loc[aware] = to_local_by_zone(with_offset, zones[aware])
    return parsed


#: Naive and offset values in every spelling, with odd whitespace (tabs, full-width and no-break spaces, line
#: ends), full-width digits, lower case, missing values and texts that pass the cheap test but are no offset.
ODD = [
    "2026-10-01T12:00:00", " 2026-10-01T12:00:00 ", "\t2026-10-01 12:00\n", "\u30002026-10-01T12:00:00\u3000",
    "\xa02026-10-01\xa0", "2026-10-01", "2026-10-01T12:00:00Z", "2026-10-01t12:00:00z", "2026-10-01T12:00:00+08:00",
    "2026-10-01T12:00:00-0500", "2026-10-01T12+08", "2026-10-01T04:00:00.123Z", "2026-10-01 12:00:00 +08:00",
    "20261001T120000+0800", "2026-10-01T12:00:00 UTC", "２０２６-１０-０１", "２０２６-１０-０１T１２:００:００Z",
    "2026-10-01T12:00:00＋08:00", "", "   ", None, np.nan, pd.NA, "Z", "+", "-", "T12-08", "2026-10-0", "abc-12",
    "2026-10-01T12:00:00-", "2026-10-01T12:00:00+8", "2026-13-01T12:00:00Z", "2026-10-01T25:00:00+08:00",
    "2026-10-01T12:00:00+08:00:00", "2026-10-01T12:00:00.5-03:30", "2026-10-01 12:00 Z", "2026-10-01T12:00Z ",
]


#: Every odd value but the one the old code failed on when it was a column's only offset ("+8").
MIXABLE = [v for v in ODD if not (isinstance(v, str) and v == "2026-10-01T12:00:00+8")]


def _outcome(parse: Callable[[pd.Series, pd.Series], pd.Series], series: pd.Series, zone: pd.Series) -> object:
    try:
        return parse(series, zone)
    except TypeError as exc:  # "+8" (one digit) is no offset for the regex but is for pandas: the old code failed
        return type(exc)


def _compare(values: list[object], zones: list[str]) -> None:
    series = pd.Series(values, dtype=object)
    zone = pd.Series(zones, index=series.index)
    old = _outcome(_old_parse_local_times, series, zone)
    new = _outcome(timezones.parse_local_times, series, zone)
    if isinstance(old, pd.Series):
        assert isinstance(new, pd.Series)
        pd.testing.assert_series_equal(new, old)
    else:  # the old code failed on a column whose only offset had one digit ("+8"); the new reads it as +08
        assert old is TypeError and values == ["2026-10-01T12:00:00+8"]
        expected = timezones.parse_local_times(pd.Series(["2026-10-01T12:00:00+08:00"], dtype=object), zone)
        pd.testing.assert_series_equal(new, expected)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
def test_odd_values_parse_as_before(zone: str) -> None:
    for value in ODD:  # one at a time: a mix can take the slow path for every row
        _compare([value], [zone])
    _compare(MIXABLE, [zone] * len(MIXABLE))


def test_a_whole_mixed_column_with_several_zones_parses_as_before() -> None:
    values = MIXABLE * 3
    zones = (["Asia/Shanghai", "Europe/Berlin", "America/Los_Angeles"] * len(values))[:len(values)]
    _compare(values, zones)


def test_a_repeated_index_keeps_each_rows_answer() -> None:
    series = pd.Series(["2026-10-01T12:00:00Z", "2026-10-01T12:00:00", "2026-10-01T12:00:00+08:00"], index=[7, 7, 7])
    zones = pd.Series(["Asia/Shanghai"] * 3, index=[7, 7, 7])
    new = timezones.parse_local_times(series, zones)
    # 12:00Z is 20:00 in Shanghai; a naive value is local already; 12:00+08:00 is 12:00 there
    assert new.tolist() == [pd.Timestamp("2026-10-01 20:00"), pd.Timestamp("2026-10-01 12:00"),
                            pd.Timestamp("2026-10-01 12:00")]


@pytest.mark.parametrize(("table", "column"), [("touchpoints", "occurred_at"), ("comments", "created_at"),
                                                ("comments", "replied_at"), ("posts", "published_at")])
def test_the_samples_timestamps_parse_as_before(sample_dir: Path, table: str, column: str) -> None:
    raw = data.read_raw(sample_dir / f"{table}.csv")[column]
    zones = pd.Series("Asia/Shanghai", index=raw.index)
    pd.testing.assert_series_equal(timezones.parse_local_times(raw, zones), _old_parse_local_times(raw, zones))


@pytest.mark.parametrize(("zone", "local"), [("Asia/Shanghai", "2026-10-01 12:00"),
                                             ("America/New_York", "2026-10-01 00:00")])
def test_a_column_whose_only_offsets_have_one_digit_is_converted(zone: str, local: str) -> None:
    """12:00+8 is 04:00 UTC: 12:00 in Shanghai (UTC+8), 00:00 in New York (EDT, UTC−4); it crashed the load."""
    series = pd.Series(["2026-10-01T12:00:00+8", None, "2026-10-01T12:00:00+8"])
    new = timezones.parse_local_times(series, pd.Series([zone] * 3))
    assert new.tolist()[0::2] == [pd.Timestamp(local)] * 2 and pd.isna(new[1])
