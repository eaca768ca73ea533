"""timezones.parse_local_times reads text that pyarrow's ISO 8601 cast accepts with that cast (issue 22, round 7).

The former code (before the cast) is kept here; on text read by pyarrow (pandas' str dtype) both give the
same Series (values, NaT, dtype, index, name) for odd spellings alone, next to plain dates and in mixed
columns with offsets and several zones, and the same problems when parse_table reads a table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import data, timezones
from helpers.schema import TABLES
from helpers.timezones import _ends_in_offset, _has_offset, to_local_by_zone


def former(values: pd.Series, zones: pd.Series) -> pd.Series:
    """parse_local_times before the pyarrow cast (issue 22 round 7)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            return to_local_by_zone(values, zones)
        return values.astype("datetime64[ns]")
    text = values.astype("string").str.strip().str.upper()
    aware = _ends_in_offset(text)
    try:
        naive = pd.to_datetime(text.where(~aware), errors="coerce", format="ISO8601")
    except ValueError:
        naive = None
    if naive is None or isinstance(naive.dtype, pd.DatetimeTZDtype):
        aware |= text.map(_has_offset, na_action="ignore").fillna(False).astype(bool)
        naive = pd.to_datetime(text.where(~aware), errors="coerce", format="ISO8601")
    parsed = naive.astype("datetime64[ns]")
    if aware.any():
        with_offset = pd.to_datetime(text[aware], errors="coerce", format="ISO8601", utc=True)
        parsed.loc[aware] = to_local_by_zone(with_offset, zones[aware])
    return parsed


#: Forms pyarrow reads (date, T or space, hours only, minutes, fractions to nanoseconds) and forms it refuses
#: (offsets, blanks, lower case, basic forms, impossible days and times, slashes, Chinese dates, far years).
ODD = [
    "2026-10-01", "2026-10-01T09:52:00", "2026-10-01 09:52:00", "2026-10-01T09:52", "2026-10-01T09",
    "2026-10-01T09:52:00.5", "2026-10-01T09:52:00.123456789", "1970-01-01", "2024-02-29", "2025-02-29",
    "2026-10-01T09:52:00Z", "2026-10-01T09:52:00+08:00", "2026-10-01T09:52:00-0500", "2026-10-01T09+08",
    "2026-10", "2026", "20261001", "2026/10/01", "10/01/2026", "2026-10-1", "2026-1-01", "2026-02-30",
    "2026-13-01", "2026-10-01T24:00:00", "2026-10-01T23:59:60", "2026-10-01t09:52:00", " 2026-10-01",
    "2026-10-01 ", "\u30002026-10-01", "2026-10-01T09:52:00,5", "2026-W43", "2026-274", "2026-10-01T0952",
    "2026-10-01T095200", "2026-10-01T09:52:00.1234567891", "2026-10-01T9:52:00", "N/A", "二〇二六年十月一日",
    "2026年10月1日", "２０２６-１０-０１", "", None,
]
ZONES = ["Asia/Shanghai", "America/New_York"]


def _both(values: list[str | None], zones: list[str], index: list[int] | None = None) -> None:
    series = pd.Series(values, dtype="str", index=index, name="created_at")
    zone = pd.Series(zones, index=series.index)
    try:
        old: object = former(series, zone)
    except (TypeError, ValueError) as exc:  # the former code's failure stays the same failure
        with pytest.raises(type(exc)):
            timezones.parse_local_times(series, zone)
        return
    pd.testing.assert_series_equal(timezones.parse_local_times(series, zone), old)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ODD)
def test_each_spelling_alone_and_next_to_plain_times(value: str | None) -> None:
    for values in ([value], [value, "2026-10-02T08:00:00", None], ["2026-10-03", value]):
        _both(values, ["Asia/Shanghai"] * len(values))


def test_mixed_columns_with_offsets_and_zones() -> None:
    values = [v for v in ODD if v != "2026-10-01T09+08"] * 2
    zones = (ZONES * len(values))[:len(values)]
    _both(values, zones)
    plain = ["2026-10-01T09:52:00", "2026-10-01", None, "2026-10-01 23:59:59.999999999"] * 5
    _both(plain, (ZONES * 20)[:20], index=list(range(100, 120)))


def test_the_fast_path_is_taken_and_exact() -> None:
    """A hand-worked column: naive local times stay as written, missing stays NaT, a repeated index is kept."""
    series = pd.Series(["2026-10-01T09:52:00.5", None, "2024-02-29"], index=[7, 7, 3], dtype="str")
    out = timezones._plain_iso_times(series)
    assert out is not None and out.dtype == np.dtype("datetime64[ns]") and list(out.index) == [7, 7, 3]
    assert out.iloc[0] == pd.Timestamp(2026, 10, 1, 9, 52, 0, 500000) and pd.isna(out.iloc[1])
    assert out.iloc[2] == pd.Timestamp(2024, 2, 29)
    assert timezones._plain_iso_times(pd.Series(["2026-10-01T09:52:00Z"], dtype="str")) is None  # an offset
    assert timezones._plain_iso_times(pd.Series([], dtype="str")) is None
    assert timezones._plain_iso_times(pd.Series(["2026-10-01"], dtype=object)) is None  # not pyarrow's text
    out.iloc[0] = pd.Timestamp("2026-01-01")  # writable, as pandas' own result was


def test_empty_and_all_missing_columns() -> None:
    for values in ([], [None, None], ["", None]):
        _both(values, ["Asia/Shanghai"] * len(values))


@pytest.mark.parametrize(("table", "column"), [("touchpoints", "occurred_at"), ("comments", "created_at"),
                                                ("comments", "replied_at"), ("posts", "published_at"),
                                                ("account_daily", "date"), ("conversions", "occurred_at")])
def test_the_samples_timestamps_parse_as_before(sample_dir: Path, table: str, column: str) -> None:
    raw = data.read_raw(sample_dir / f"{table}.csv")
    zones = pd.Series("Asia/Shanghai", index=raw.index)
    pd.testing.assert_series_equal(timezones.parse_local_times(raw[column], zones), former(raw[column], zones))


def test_parse_table_gives_the_former_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = pd.DataFrame({
        "date": ["2026-10-01", "2026/10/02", "2026-10-03", "2026-02-30", "2026-10-05"],
        "account_id": ["a"] * 5, "followers": ["1", "2", "3", "4", "5"],
    }, dtype="str")
    spec = TABLES["account_daily"]
    new = data.parse_table(raw, spec, "account_daily.csv")
    monkeypatch.setattr(data, "parse_local_times", former)
    old = data.parse_table(raw, spec, "account_daily.csv")
    assert new.problems == old.problems
    date = next(p for p in new.problems if p.column == "date")
    assert date.rows == (5,) and date.examples == ("2026-02-30",)  # 2026/10/02 reads; Feb 30 does not
    good = raw.assign(date=pd.Series(["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04 00:00", "2026-10-05"],
                                     dtype="str"))
    old_ok = data.parse_table(good, spec, "account_daily.csv")
    monkeypatch.undo()
    new_ok = data.parse_table(good, spec, "account_daily.csv")
    assert new_ok.frame is not None and old_ok.frame is not None
    pd.testing.assert_frame_equal(new_ok.frame, old_ok.frame)


@pytest.mark.parametrize("value", ["-0", "0001-01-01", "9999-12-31", "1600-01-01T00:00+08:00", "2300-01-01"])
def test_dates_pandas_cannot_hold_are_reported_not_raised(value: str) -> None:
    """A year pandas cannot hold in nanoseconds (before 1677-09-21 or after 2262-04-11) is a bad date, with its row."""
    raw = pd.DataFrame({"date": ["2026-10-01", value, "2026-10-03"], "account_id": ["a"] * 3,
                        "followers": ["1", "2", "3"]}, dtype="str")
    result = data.parse_table(raw, TABLES["account_daily"], "account_daily.csv")
    date = next(p for p in result.problems if p.column == "date")
    assert date.rows == (3,) and date.examples == (value,)  # line 3: the header is line 1


def test_times_at_the_edges_of_nanoseconds_are_kept() -> None:
    zones = pd.Series(["Asia/Shanghai"] * 2)
    values = pd.Series(["1677-09-22", "2262-04-10 12:00"], dtype="string")
    got = timezones.parse_local_times(values, zones).tolist()
    assert got == [pd.Timestamp(1677, 9, 22), pd.Timestamp(2262, 4, 10, 12)]
