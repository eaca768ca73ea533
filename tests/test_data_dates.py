"""helpers.data: dates after the data's end are left out and named; empty optional vs required tables.

Expectations are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers import i18n
from helpers.data import (
    LeftOutRowsWarning,
    left_out_note,
    load_tables,
    read_table,
    suspect_date_rows,
    validate_folder,
)
from helpers.errors import DataError
from helpers.periods import resolve_period

ACCOUNTS = "account_id,platform,name,owner\nown_douyin,douyin,D,own\nown_xhs,xiaohongshu,X,own\n"
TODAY = pd.Timestamp("2026-12-07")


def _daily(tmp_path: Path, extra: list[str]) -> Path:
    """account_daily with own_douyin and own_xhs every day 2026-09-01..2026-11-15 (76 days each), plus `extra`."""
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    days = pd.date_range("2026-09-01", "2026-11-15").strftime("%Y-%m-%d")
    rows = [f"{d},{a},100" for a in ("own_douyin", "own_xhs") for d in days] + extra
    (tmp_path / "account_daily.csv").write_text("date,account_id,followers\n" + "\n".join(rows) + "\n",
                                                encoding="utf-8")
    return tmp_path


def test_after_today_is_suspect_with_a_days_slack() -> None:
    days = pd.Series(pd.to_datetime(["2026-12-07", "2026-12-08", "2026-12-09 00:30"], format="ISO8601"))
    # today 12-07, one day of slack: 12-08 is plausible (an account east of the clock), 12-09 is not
    assert suspect_date_rows(days, None, TODAY).tolist() == [False, False, True]


def test_far_past_a_gap_is_suspect_only_when_it_is_a_sliver_of_the_rows() -> None:
    # 150 daily rows to 2026-05-30, then 1 row 2026-09-01 (94 days later, 1 of 151 rows = 0.66 % ≤ 1 %): suspect
    base = list(pd.date_range("2026-01-01", periods=150))
    one = pd.Series([*base, pd.Timestamp("2026-09-01")])
    assert suspect_date_rows(one, None, TODAY).tolist() == [False] * 150 + [True]
    # the same gap followed by 10 rows (10 of 160 = 6 %): an account that paused and came back, kept
    # (and 2 rows: more than one row and more than 1 % of 152)
    back = pd.Series(base + list(pd.date_range("2026-09-01", periods=10)))
    assert not suspect_date_rows(back, None, TODAY).any()
    assert not suspect_date_rows(pd.Series(base + list(pd.date_range("2026-09-01", periods=2))), None, TODAY).any()
    # one row past the gap in an account of only 20 rows (under 30): too little history to call it a typo
    assert not suspect_date_rows(pd.Series([*base[:20], pd.Timestamp("2026-09-01")]), None, TODAY).any()
    # a 60-day gap is not "more than 60 days"
    edge = pd.Series([*base, base[-1] + pd.Timedelta(days=60)])
    assert not suspect_date_rows(edge, None, TODAY).any()


def test_far_is_judged_per_account() -> None:
    # account a ends 2026-05-30; account b has 150 rows ending 2026-10-27: b's end is not a's typo
    a = list(pd.date_range("2026-01-01", periods=150))
    b = list(pd.date_range("2026-05-31", periods=150))
    days = pd.Series(a + b)
    groups = pd.Series(["a"] * 150 + ["b"] * 150)
    assert not suspect_date_rows(days, groups, TODAY).any()


def test_typo_row_is_left_out_named_and_latest_is_the_covered_month(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")
    folder = _daily(tmp_path, ["2027-10-15,own_douyin,100"])   # line 2 + 152 rows = line 154
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        daily = load_tables(["account_daily"], folder)["account_daily"]
    assert len(daily) == 152 and daily["date"].max() == pd.Timestamp("2026-11-15")
    left = [w.message for w in caught if isinstance(w.message, LeftOutRowsWarning)]
    assert len(left) == 1
    problem = left[0].problem
    assert (problem.column, problem.rows, problem.examples, problem.severity) == \
        ("date", (154,), ("2027-10-15",), "warning")
    # the data covers 09-01..11-15: the last complete month is October, not 2027-10 (which has no other row)
    assert resolve_period("month", "latest", daily["date"]).label == "2026-10"


def test_a_typo_inside_the_past_is_found_by_the_gap_rule_whatever_today_is(tmp_path: Path) -> None:
    # the clock is far in the future, so only the gap rule can see the typo (2027-10-15, 334 days after 11-15;
    # 1 row of own_xhs's 77, an account of at least 30 rows)
    folder = _daily(tmp_path, ["2027-10-15,own_xhs,100"])
    result = read_table("account_daily", folder, on=pd.Timestamp("2030-01-01"))
    assert result.frame is not None and len(result.frame) == 152
    assert [(p.rows, p.examples) for p in result.problems if p.column == "date"] == [((154,), ("2027-10-15",))]


def test_validate_lists_the_future_date_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")
    folder = _daily(tmp_path, ["2027-10-15,own_douyin,100"])
    found = [p for p in validate_folder(folder) if p.table == "account_daily" and "reasonable end" in p.problem]
    assert len(found) == 1
    text = str(found[0])
    assert "account_daily.csv, column 'date': date after the data's reasonable end" in text
    assert "first at line(s) 154; values: '2027-10-15'" in text and "Correct the date" in text


def test_left_out_note_in_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")
    folder = _daily(tmp_path, ["2027-10-15,own_douyin,100"])
    problem = read_table("account_daily", folder).problems[-1]
    try:
        i18n.set_language("en")
        assert left_out_note(problem) == ("account_daily.csv, column date: 1 row dated after the data's end left out "
                                          "(line(s) 154; dates 2027-10-15). Correct the dates and run again.")
        i18n.set_language("zh-CN")
        assert left_out_note(problem) == ("account_daily.csv 的 date 列：1 行的日期晚于数据的合理截止日，"
                                          "已排除在分析之外（第 154 行；日期 2027-10-15）。请更正日期后重新运行。")
    finally:
        i18n.set_language("en")


AD_HEADER = "date,account_id,campaign_id,channel,spend,impressions,clicks,conversions,creative_id,revenue\n"


def test_empty_optional_table_loads_empty_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "ad_daily.csv").write_text(AD_HEADER, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ads = load_tables(["ad_daily"], tmp_path)["ad_daily"]
    assert ads.empty and {"date", "campaign_id", "spend"} <= set(ads.columns)
    assert any("ad_daily.csv: no rows: read as no data for this table" in str(w.message) for w in caught)
    assert [p.severity for p in validate_folder(tmp_path) if p.table == "ad_daily"] == ["warning"]


def test_empty_required_table_stays_an_error(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "account_daily.csv").write_text("date,account_id,followers\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"account_daily.csv: the table has no rows"):
        load_tables(["account_daily"], tmp_path)
    assert [p.severity for p in validate_folder(tmp_path)
            if p.table == "account_daily" and p.problem == "the table has no rows"] == ["error"]


def test_validate_names_unit_rows_of_an_undeclared_variant(tmp_path: Path) -> None:
    # the experiments notebook refuses E1's variant "C" (design.check_units); validate names its lines
    (tmp_path / "experiments.csv").write_text(
        "experiment_id,name,unit,primary_metric,control,variants,start,end\n"
        "E1,t,user,conversions,A,A;B,2026-10-01,2026-10-14\n", encoding="utf-8")
    (tmp_path / "experiment_units.csv").write_text(
        "experiment_id,unit_id,variant\nE1,u1,A\nE1,u2,B\nE1,u3,C\nE1,u4, C \n", encoding="utf-8")
    found = [p for p in validate_folder(tmp_path) if p.table == "experiment_units"]
    assert len(found) == 1
    got = found[0]
    assert (got.column, got.rows, got.examples, got.severity) == ("variant", (4, 5), ("C",), "error")
    assert "not declared in experiments for E1 (declared: A, B)" in str(found[0])
    from helpers.experiments.design import load_experiment
    with pytest.raises(DataError, match=r"variant\(s\) \['C'\] are not declared"):
        load_experiment("E1", tmp_path)
