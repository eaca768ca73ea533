"""The calendar is read and built once per process (issue 22): the shared values must equal a fresh build,
callers must not be able to change them, and warnings and edited files must behave as without the cache."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers import keydates
from helpers.keydates import KeyDateWarning, load_marketing_dates, year_dates

COLUMNS = ["date", "name", "name_zh", "kind", "lead_days", "warmup_start"]


def _fresh(years: list[int], country: str) -> pd.DataFrame:
    """year_dates as it was built before the cache: every file read and every holiday listed again."""
    frame = keydates._all_dates(country, years, list(keydates.KINDS), None)
    return frame.sort_values(["date", "kind", "name"], kind="stable").reset_index(drop=True)[COLUMNS]


@pytest.mark.parametrize(("years", "country"), [([2026], "CN"), ([2025, 2026, 2027], "CN"), ([2026], "US"), ([], "CN")])
def test_year_dates_equal_a_fresh_build_on_every_call(years: list[int], country: str) -> None:
    expected = _fresh(years, country)
    first, second = year_dates(years, country), year_dates(range(min(years, default=0), max(years, default=-1) + 1),
                                                            country.lower())
    pd.testing.assert_frame_equal(first, expected)
    pd.testing.assert_frame_equal(second, expected)


def test_a_caller_changing_its_calendar_does_not_change_the_next_one() -> None:
    first = year_dates([2026], "CN")
    double11 = first.index[first["name"] == "Double 11"][0]
    first.loc[double11, "lead_days"] = 99
    first.loc[double11, "name"] = "changed"
    first.loc[first.index[:3], "date"] = pd.Timestamp("1999-01-01")
    again = year_dates([2026], "CN")
    pd.testing.assert_frame_equal(again, _fresh([2026], "CN"))
    assert (again["name"] == "Double 11").sum() == 1 and "changed" not in set(again["name"])


def test_the_lunar_warning_comes_on_every_call() -> None:
    for _ in range(2):
        with pytest.warns(KeyDateWarning, match="lunar table"):
            frame = year_dates([2031], "CN")
        assert "Qixi" not in set(frame["name"])


def test_an_edited_dates_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text("marketing_dates:\n  - {name: Brand Day, rule: '05-09', lead_days: 7}\n", encoding="utf-8")
    first, _ = load_marketing_dates(path)
    path.write_text("marketing_dates:\n  - {name: Brand Day, rule: '05-10', lead_days: 3}\n", encoding="utf-8")
    second, leads = load_marketing_dates(path)
    assert [(e.rule, e.lead_days) for e in first if e.name == "Brand Day"] == [("05-09", 7)]
    assert [(e.rule, e.lead_days) for e in second if e.name == "Brand Day"] == [("05-10", 3)]
    leads["default"] = 1234  # the caller's own dict
    assert load_marketing_dates(path)[1].get("default") != 1234


def test_a_bad_dates_file_fails_on_every_call(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text("marketing_dates:\n  - {name: Brand Day, rule: 'someday', lead_days: 7}\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(keydates.DataError, match="Brand Day"):
            load_marketing_dates(path)


def test_an_unknown_country_still_says_how_to_find_codes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2):
            with pytest.raises(keydates.ParameterError, match="ISO 3166-1"):
                year_dates([2026], "XX")
