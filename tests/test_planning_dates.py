"""helpers.keydates: holidays match the holidays package; marketing dates on known days; the editable YAML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import holidays
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import DataError, ParameterError
from helpers.keydates import (
    QIXI_DATES,
    KeyDateWarning,
    key_dates,
    load_marketing_dates,
    resolve_rule,
    seasonal_aliases,
)


def _on(frame: pd.DataFrame, name: str) -> pd.Series:
    hit = frame[frame["name"] == name]
    assert len(hit) == 1, f"{name} not found once in {frame['name'].tolist()}"
    return hit.iloc[0]


@pytest.mark.parametrize(("country", "year"), [("CN", 2026), ("CN", 2025), ("US", 2026), ("GB", 2026)])
def test_holidays_equal_the_holidays_package(country: str, year: int) -> None:
    reference = holidays.country_holidays(country, years=year)
    for month in range(1, 13):
        listed = key_dates(year, month, country, include=["holiday"])
        expected = {d: n for d, n in reference.items() if d.month == month}
        assert dict(zip(listed["date"].dt.date, listed["name"], strict=True)) == expected
        assert (listed["kind"] == "holiday").all()


def test_known_2026_dates() -> None:
    may, june = key_dates(2026, 5), key_dates(2026, 6)
    aug, sep, nov = key_dates(2026, 8), key_dates(2026, 9), key_dates(2026, 11)
    assert _on(may, "Mother's Day")["date"] == pd.Timestamp("2026-05-10")
    assert _on(may, "520")["date"] == pd.Timestamp("2026-05-20")
    assert _on(june, "618")["date"] == pd.Timestamp("2026-06-18")
    assert _on(june, "Father's Day")["date"] == pd.Timestamp("2026-06-21")
    assert _on(aug, "Qixi (Chinese Valentine's Day)")["date"] == pd.Timestamp("2026-08-19")
    assert _on(sep, "Back to school")["date"] == pd.Timestamp("2026-09-01")
    mid_autumn = _on(sep, "Mid-Autumn Festival")
    assert (mid_autumn["date"], mid_autumn["kind"], mid_autumn["name_zh"]) == (pd.Timestamp("2026-09-25"), "holiday",
                                                                               "中秋节")
    assert _on(nov, "Black Friday")["date"] == pd.Timestamp("2026-11-27")
    assert _on(nov, "Double 11")["date"] == pd.Timestamp("2026-11-11")
    assert _on(key_dates(2026, 12), "Double 12")["date"] == pd.Timestamp("2026-12-12")
    assert _on(key_dates(2026, 3), "Women's Day (Goddess Day)")["name_zh"] == "女神节"


def test_known_dates_of_other_years() -> None:
    assert resolve_rule("4th THU of 11 +1", 2025) == date(2025, 11, 28)
    assert resolve_rule("4th THU of 11 +1", 2024) == date(2024, 11, 29)
    assert resolve_rule("2nd SUN of 05", 2025) == date(2025, 5, 11)
    assert resolve_rule("3rd SUN of 06", 2025) == date(2025, 6, 15)
    assert resolve_rule("last MON of 05", 2026) == date(2026, 5, 25)   # US Memorial Day
    assert resolve_rule("lunar 07-07", 2025) == date(2025, 8, 29)
    assert resolve_rule("lunar 07-07", 2024) == date(2024, 8, 10)
    assert resolve_rule("02-29", 2026) is None and resolve_rule("02-29", 2028) == date(2028, 2, 29)
    assert resolve_rule("5th FRI of 02", 2026) is None
    assert resolve_rule("2026-09-09", 2026) == date(2026, 9, 9) and resolve_rule("2026-09-09", 2027) is None


@pytest.mark.parametrize("year", sorted(QIXI_DATES))
def test_qixi_table_agrees_with_mid_autumn_from_the_holidays_package(year: int) -> None:
    # Qixi is lunar 7/7 and Mid-Autumn lunar 8/15: 37 or 38 days apart (a 29- or 30-day 7th month)
    mid_autumn = [d for d, n in holidays.country_holidays("CN", years=year, language="en_US").items()
                  if "Mid-Autumn Festival" in n and "observed" not in n]  # 2020, 2028: shared with National Day
    assert len(mid_autumn) == 1
    assert (mid_autumn[0] - QIXI_DATES[year]).days in (37, 38)
    assert QIXI_DATES[year].month == 8 or (QIXI_DATES[year].month == 7 and QIXI_DATES[year].day >= 28)


@settings(max_examples=100, deadline=None)
@given(st.integers(1950, 2150))
def test_weekday_rules_land_on_the_right_weekday(year: int) -> None:
    black_friday = resolve_rule("4th THU of 11 +1", year)
    assert black_friday.weekday() == 4 and 23 <= black_friday.day <= 29 and black_friday.month == 11
    mothers_day = resolve_rule("2nd SUN of 05", year)
    assert mothers_day.weekday() == 6 and 8 <= mothers_day.day <= 14


def test_lead_days_and_warmup_start() -> None:
    nov = key_dates(2026, 11)
    double_11 = _on(nov, "Double 11")
    assert (double_11["lead_days"], double_11["warmup_start"]) == (10, pd.Timestamp("2026-11-01"))
    assert _on(key_dates(2026, 5), "520")["warmup_start"] == pd.Timestamp("2026-05-17")
    october = key_dates(2026, 10, include=["holiday"]).set_index("date")
    # National Day: warm-up before the first day only; observed and substituted days off get none
    assert october.loc[pd.Timestamp("2026-10-01"), "lead_days"] == 7
    assert october.loc[pd.Timestamp("2026-10-01"), "warmup_start"] == pd.Timestamp("2026-09-24")
    assert october.loc[pd.Timestamp("2026-10-02"), "lead_days"] == 0
    assert october.loc[pd.Timestamp("2026-10-05"), "lead_days"] == 0   # National Day (observed)
    assert october.loc[pd.Timestamp("2026-10-06"), "lead_days"] == 0   # Day off (substituted ...)


def test_upcoming_warmups_list_next_month_dates_whose_warmup_starts_now() -> None:
    plain = key_dates(2026, 8)
    ahead = key_dates(2026, 8, upcoming_warmups=True)
    assert plain["in_month"].all() and "Back to school" not in set(plain["name"])
    school = _on(ahead, "Back to school")   # 09-01 with 14 lead days → warm-up from 08-18
    assert not school["in_month"] and school["warmup_start"] == pd.Timestamp("2026-08-18")
    # December looks into the next year
    assert key_dates(2026, 12, upcoming_warmups=True)["date"].max() >= pd.Timestamp("2026-12-12")


def test_country_and_include_filters() -> None:
    us = key_dates(2026, 11, "us")
    assert "Double 11" not in set(us["name"]) and "Black Friday" in set(us["name"])
    assert "Thanksgiving Day" in set(us["name"])
    marketing = key_dates(2026, 10, include=["marketing"])
    assert (marketing["kind"] == "marketing").all()
    assert list(key_dates(2026, 10).columns) == ["date", "name", "name_zh", "kind", "lead_days", "warmup_start",
                                                 "in_month", "aliases"]


def test_december_in_china_has_its_shopping_moments_with_their_other_names() -> None:
    dec = key_dates(2026, 12).set_index("name")
    # 12-12 (5 days warm-up), 12-24 (7), 12-25 (10), 12-31 (3): none is a public holiday in mainland China
    assert dec.loc["Double 12", "warmup_start"] == pd.Timestamp("2026-12-07")
    assert dec.loc["Christmas Eve", "warmup_start"] == pd.Timestamp("2026-12-17")
    assert dec.loc["Christmas (marketing)", "warmup_start"] == pd.Timestamp("2026-12-15")
    assert dec.loc["New Year's Eve", "warmup_start"] == pd.Timestamp("2026-12-28")
    assert set(dec.loc["Double 12", "aliases"].split(";")) == {"Double 12", "双十二", "双12", "1212"}
    # a holiday gets its holidays-package names plus the YAML's holiday_aliases
    jan = key_dates(2027, 1, upcoming_warmups=True).set_index("name")
    assert {"春节", "年货节", "Chinese New Year (Spring Festival)"} <= set(
        jan.loc["Chinese New Year (Spring Festival)", "aliases"].split(";"))


def test_seasonal_aliases_name_occasions_not_days_off() -> None:
    names = set(seasonal_aliases(2026))
    assert {"618", "双11", "520", "七夕", "年货节", "Double 12", "圣诞"} <= names
    assert not any("substituted" in n or "observed" in n or "调休" in n for n in names)
    # longest first, so "双十一" is tried before a shorter name it contains
    ordered = seasonal_aliases(2026)
    assert [len(a) for a in ordered] == sorted((len(a) for a in ordered), reverse=True)


def test_aliases_must_be_a_list_of_names(tmp_path) -> None:
    bad = tmp_path / "dates.yaml"
    bad.write_text("marketing_dates:\n  - name: Brand day\n    rule: '03-03'\n    aliases: {a: 1}\n", encoding="utf-8")
    with pytest.raises(DataError, match="aliases must be a list"):
        key_dates(2026, 3, extra_dates_file=bad)


def test_bad_parameters() -> None:
    with pytest.raises(ParameterError, match="list_supported_countries"):
        key_dates(2026, 10, "XX")
    with pytest.raises(ParameterError, match="include"):
        key_dates(2026, 10, include=["festival"])
    with pytest.raises(ParameterError, match="month"):
        key_dates(2026, 13)
    with pytest.raises(ParameterError, match="rule"):
        resolve_rule("every second Tuesday", 2026)


def test_qixi_beyond_the_table_warns_and_is_left_out() -> None:
    year = max(QIXI_DATES) + 1
    with pytest.warns(KeyDateWarning, match="lunar table"):
        august = key_dates(year, 8)
    assert "Qixi (Chinese Valentine's Day)" not in set(august["name"])


def test_every_shipped_date_resolves_2024_to_2030() -> None:
    entries, leads = load_marketing_dates()
    assert {"520", "618", "Double 11", "Double 12", "Black Friday", "Qixi (Chinese Valentine's Day)"} <= {
        e.name for e in entries}
    assert "default" in leads
    for entry in entries:
        for year in range(2024, 2031):
            assert resolve_rule(entry.rule, year) is not None, (entry.name, year)


def test_extra_dates_file_adds_and_replaces(tmp_path: Path) -> None:
    extra = tmp_path / "our_dates.yaml"
    extra.write_text(
        "marketing_dates:\n"
        "  - {name: Brand day, name_zh: 品牌日, rule: '09-09', lead_days: 2}\n"
        "  - {name: '520', name_zh: 520, rule: '05-20', lead_days: 7, countries: [CN]}\n"
        "  - {name: Leap promo, rule: '02-29', lead_days: 1}\n"
        "holiday_lead_days: {Mid-Autumn Festival: 10}\n", encoding="utf-8")
    sep = key_dates(2026, 9, extra_dates_file=extra)
    brand = _on(sep, "Brand day")
    assert (brand["date"], brand["warmup_start"], brand["name_zh"]) == (pd.Timestamp("2026-09-09"),
                                                                      pd.Timestamp("2026-09-07"), "品牌日")
    assert _on(sep, "Mid-Autumn Festival")["lead_days"] == 10
    assert _on(key_dates(2026, 5, extra_dates_file=extra), "520")["lead_days"] == 7
    assert "Leap promo" not in set(key_dates(2026, 2, extra_dates_file=extra)["name"])
    assert _on(key_dates(2028, 2, extra_dates_file=extra), "Leap promo")["date"] == pd.Timestamp("2028-02-29")


def test_bad_extra_dates_file(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="does not exist"):
        key_dates(2026, 9, extra_dates_file=tmp_path / "missing.yaml")
    bad_rule = tmp_path / "bad.yaml"
    bad_rule.write_text("marketing_dates:\n  - {name: Payday, rule: 'every 15th', lead_days: 1}\n", encoding="utf-8")
    with pytest.raises(DataError, match="Payday"):
        key_dates(2026, 9, extra_dates_file=bad_rule)
    bad_lead = tmp_path / "lead.yaml"
    bad_lead.write_text("marketing_dates:\n  - {name: Payday, rule: '09-15', lead_days: -2}\n", encoding="utf-8")
    with pytest.raises(DataError, match="lead_days"):
        key_dates(2026, 9, extra_dates_file=bad_lead)
    unknown_lunar = tmp_path / "lunar.yaml"
    unknown_lunar.write_text("marketing_dates:\n  - {name: Laba, rule: 'lunar 12-08'}\n", encoding="utf-8")
    with pytest.raises(DataError, match="lunar 07-07"):
        key_dates(2026, 9, extra_dates_file=unknown_lunar)
