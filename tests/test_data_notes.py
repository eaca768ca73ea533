"""helpers.data: the run's data notes (left-out rows, empty optional tables) and validate's coverage gaps.

Expectations are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers import i18n
from helpers.data import (
    DataWarning,
    coverage_gaps,
    load_checked_tables,
    load_tables,
    missing_day_runs,
    take_data_notes,
    validate_folder,
)
from helpers.report import RunOutputs

ACCOUNTS = ("account_id,platform,name,owner\nown_douyin,douyin,D,own\nown_xhs,xiaohongshu,X,own\n"
            "rival,douyin,R,competitor\n")


def _folder(tmp_path: Path, days: dict[str, list[str]], extra: str = "") -> Path:
    """accounts (two own, one competitor) and account_daily with one row per (account, day) given."""
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    rows = [f"{d},{a},100" for a, ds in days.items() for d in ds]
    (tmp_path / "account_daily.csv").write_text("date,account_id,followers\n" + "\n".join(rows) + "\n" + extra,
                                                encoding="utf-8")
    return tmp_path


def _days(start: str, end: str) -> list[str]:
    return list(pd.date_range(start, end).strftime("%Y-%m-%d"))


@pytest.fixture(autouse=True)
def _no_notes_left() -> None:
    take_data_notes()  # notes a test before this one loaded and never took


# --- the collector ------------------------------------------------------------------------------------------

def test_load_records_left_out_rows_and_empty_tables_once_and_take_empties(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")
    # douyin and xhs 09-01..11-15 = 76 rows each (lines 2..153), then a typo line 154: 2027-10-15 (after today)
    folder = _folder(tmp_path, {"own_douyin": _days("2026-09-01", "2026-11-15"),
                                "own_xhs": _days("2026-09-01", "2026-11-15")}, "2027-10-15,own_douyin,100\n")
    (folder / "ad_daily.csv").write_text(
        "date,account_id,campaign_id,channel,spend,impressions,clicks,conversions\n", encoding="utf-8")  # header only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        load_checked_tables(["account_daily"], folder)   # a parameter check records nothing
        assert take_data_notes() == []
        load_tables(["account_daily", "ad_daily"], folder)
        load_tables(["account_daily"], folder)           # loaded twice, noted once
    notes = take_data_notes()
    assert [(n.table, n.column, n.what, n.rows, n.n_rows, n.values) for n in notes] == [
        ("account_daily", "date", "left_out_dates", (154,), 1, ("2027-10-15",)),
        ("ad_daily", None, "empty_table", (), 0, ())]
    assert take_data_notes() == []                       # taken: the next run starts empty
    with i18n.use_language("en"):
        assert notes[1].text() == "ad_daily.csv: no rows, so this table is read as no data (its sections say so)."
        assert notes[0].record()["text"] == ("account_daily.csv, column date: 1 row dated after the data's end "
                                             "left out (line(s) 154; dates 2027-10-15). Correct the dates and "
                                             "run again.")
    with i18n.use_language("zh-CN"):
        assert notes[1].text() == "ad_daily.csv：没有数据行，按无数据处理（相关章节会注明）。"


def test_optional_metric_columns_absent_are_not_notes(tmp_path: Path) -> None:
    # account_daily without impressions, reach, ... (optional metrics): a DataWarning, not a report note
    folder = _folder(tmp_path, {"own_douyin": _days("2026-09-01", "2026-09-30")})
    with pytest.warns(DataWarning, match="optional metric column"):
        load_tables(["account_daily"], folder)
    assert take_data_notes() == []


def test_run_outputs_prints_the_notes_and_writes_them_to_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")
    (tmp_path / "data").mkdir()
    folder = _folder(tmp_path / "data", {"own_douyin": _days("2026-09-01", "2026-10-31")},
                     "2027-01-02,own_douyin,100\n")
    (folder / "risks.csv").write_text(
        "risk_id,category,description,probability,impact,owner,mitigation,status\n", encoding="utf-8")
    with warnings.catch_warnings(), i18n.use_language("en"):
        warnings.simplefilter("ignore", DataWarning)
        load_tables(["account_daily"], folder)           # 61 rows (lines 2..62), the typo on line 63
        out = RunOutputs("nb", tmp_path / "out")
        assert capsys.readouterr().out == (
            "Data notes:\n- account_daily.csv, column date: 1 row dated after the data's end left out (line(s) 63; "
            "dates 2027-01-02). Correct the dates and run again.\n")
        load_tables(["risks"], folder)                   # a table loaded after the set-up cell: in summary.json too
        summary = json.loads(out.write().read_text(encoding="utf-8"))
    assert [(n["file"], n["what"], n["rows"]) for n in summary["data_notes"]] == [
        ("account_daily.csv", "left_out_dates", [63]), ("risks.csv", "empty_table", [])]


def test_a_run_without_notes_prints_nothing_and_writes_an_empty_list(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = RunOutputs("nb", tmp_path)
    assert capsys.readouterr().out == ""
    assert json.loads(out.write().read_text(encoding="utf-8"))["data_notes"] == []



def test_the_first_screen_states_the_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The headline's notes gain each data note (also one loaded after the set-up cell), once; none without notes."""
    from helpers import page

    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")
    folder = _folder(tmp_path, {"own_douyin": _days("2026-10-01", "2026-10-31")}, "2027-01-02,own_douyin,100\n")
    summary = page.Summary(title="T", subtitle="", verdict="V", verdict_status="healthy", notes=("own note",))
    with warnings.catch_warnings(), i18n.use_language("en"):
        warnings.simplefilter("ignore", DataWarning)
        out = RunOutputs("nb", tmp_path / "out")
        assert out.headline(summary).notes == ("own note",)
        load_tables(["account_daily"], folder)           # 31 rows (lines 2..32), the typo on line 33
        shown = out.headline(summary)
        assert shown.notes == ("own note", "account_daily.csv, column date: 1 row dated after the data's end left "
                                           "out (line(s) 33; dates 2027-01-02). Correct the dates and run again.")
        assert out.headline(shown).notes == shown.notes  # shown once, however often the headline is made


# --- coverage gaps in validate ------------------------------------------------------------------------------

def test_missing_day_runs_by_hand() -> None:
    days = pd.Series(pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-08",
                                     "2026-10-08 13:00"], format="ISO8601"))
    # 03–04 missing (2 days), 07 missing (1 day); two rows on 10-08 are one day
    assert missing_day_runs(days) == [(pd.Timestamp("2026-10-03"), pd.Timestamp("2026-10-04")),
                                      (pd.Timestamp("2026-10-07"), pd.Timestamp("2026-10-07"))]
    assert missing_day_runs(days.iloc[:1]) == []


def test_validate_names_an_own_account_without_the_last_complete_month(tmp_path: Path) -> None:
    # douyin 09-01..11-15 (last complete month: October); xhs stops on 09-30; the competitor has no rows
    folder = _folder(tmp_path, {"own_douyin": _days("2026-09-01", "2026-11-15"),
                                "own_xhs": _days("2026-09-01", "2026-09-30")})
    gaps = [p for p in validate_folder(folder) if p.table == "account_daily" and p.column == "date"]
    assert [(p.severity, p.problem) for p in gaps] == [(
        "warning", "own account own_xhs has no rows in 2026-10, the data's last complete month "
                   "(other own accounts have: own_douyin)")]
    assert gaps[0].file == str(folder / "account_daily.csv")


def test_validate_names_runs_of_missing_days_with_their_length(tmp_path: Path) -> None:
    # xhs: 09-01..10-03 and 11-01..11-15 → 10-04..10-31 missing = 28 days; douyin: every day but 09-10
    douyin = [d for d in _days("2026-09-01", "2026-11-15") if d != "2026-09-10"]
    xhs = _days("2026-09-01", "2026-10-03") + _days("2026-11-01", "2026-11-15")
    folder = _folder(tmp_path, {"own_douyin": douyin, "own_xhs": xhs})
    gaps = [p.problem for p in validate_folder(folder) if p.table == "account_daily" and p.column == "date"]
    # October is the last complete month and xhs has 10-01..10-03 in it: no "no rows" warning
    assert gaps == ["own account own_douyin: 1 day(s) missing inside its range: 2026-09-10 – 2026-09-10 (1 day)",
                    "own account own_xhs: 28 day(s) missing inside its range: 2026-10-04 – 2026-10-31 (28 days)"]


def test_coverage_gaps_count_runs_past_the_fifth() -> None:
    # every other day 10-01..10-15: 10-02, 10-04, ..., 10-14 missing = 7 one-day runs; 5 named, 2 counted
    accounts = pd.DataFrame({"account_id": ["own_a"], "owner": ["own"]})
    daily = pd.DataFrame({"account_id": "own_a", "date": pd.date_range("2026-10-01", "2026-10-15", freq="2D")})
    [problem] = coverage_gaps(accounts, daily, "account_daily.csv")
    assert problem.problem.startswith("own account own_a: 7 day(s) missing inside its range: 2026-10-02 – 2026-10-02")
    assert problem.problem.endswith("2026-10-10 – 2026-10-10 (1 day); and 2 more run(s)")
    assert problem.severity == "warning"


def test_competitors_and_a_clean_folder_give_no_coverage_warning(tmp_path: Path) -> None:
    # the competitor misses days; own accounts are complete
    folder = _folder(tmp_path, {"own_douyin": _days("2026-09-01", "2026-10-31"),
                                "own_xhs": _days("2026-09-01", "2026-10-31"),
                                "rival": ["2026-09-01", "2026-10-31"]})
    assert [p for p in validate_folder(folder) if p.table == "account_daily" and p.column == "date"] == []
