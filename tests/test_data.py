"""helpers.data: loading and validation give clear, located errors (file, column, rows)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers.data import DataWarning, load_table, load_tables, validate_folder
from helpers.errors import DataError

ACCOUNTS = "account_id,platform,name,owner\na1,douyin,品牌·抖音,own\nc1,xiaohongshu,对手,competitor\n"
DAILY = (
    "date,account_id,followers,impressions\n"
    "2026-10-01,a1,100,1000\n"
    "2026-10-02,a1,110,1200\n"
    "2026-10-01,c1,50,\n"
)


def write(folder: Path, **files: str) -> Path:
    """Write CSV texts into a folder (name → content)."""
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_loads_and_types_columns(tmp_path: Path) -> None:
    write(tmp_path, accounts=ACCOUNTS, account_daily=DAILY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        daily = load_table("account_daily", tmp_path)
    assert pd.api.types.is_datetime64_any_dtype(daily["date"])
    assert daily["followers"].tolist() == [100.0, 110.0, 50.0]
    # an empty cell is missing, not zero
    assert pd.isna(daily.loc[2, "impressions"])


def test_bom_is_tolerated(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8-sig")
    accounts = load_table("accounts", tmp_path)
    assert accounts.columns[0] == "account_id"
    assert accounts.loc[0, "name"] == "品牌·抖音"


def test_missing_optional_metric_is_a_warning_not_an_error(tmp_path: Path) -> None:
    write(tmp_path, accounts=ACCOUNTS, account_daily=DAILY)
    with pytest.warns(DataWarning, match="engagements"):
        load_table("account_daily", tmp_path)


@pytest.mark.parametrize(
    ("daily", "expected"),
    [
        ("date,account_id\n2026-10-01,a1\n", "column 'followers': required column(s) missing"),
        ("date,account_id,followers\n2026-10-01,a1,100\n2026-13-45,a1,100\n",
         "column 'date': unparsable date (use ISO 8601, e.g. 2026-10-31 or 2026-10-31T20:15:00); "
         "1 row(s), first at line(s) 3; values: '2026-13-45'"),
        ("date,account_id,followers\n2026-10-01,a1,100\n2026-10-02,a1,-5\n",
         "column 'followers': negative value"),
        ("date,account_id,followers\n2026-10-01,a1,100\n2026-10-01,a1,101\n",
         "duplicate id"),
        ("date,account_id,followers\n2026-10-01,zz,100\n",
         "column 'account_id': unknown account (not in accounts); 1 row(s), first at line(s) 2; values: 'zz'"),
        ("date,account_id,followers\n2026-10-01,a1,lots\n", "column 'followers': not a number"),
        ("date,account_id,followers\n", "the table has no rows"),
    ],
)
def test_bad_input_names_file_column_and_rows(tmp_path: Path, daily: str, expected: str) -> None:
    write(tmp_path, accounts=ACCOUNTS, account_daily=daily)
    with pytest.raises(DataError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        load_table("account_daily", tmp_path)
    message = str(info.value)
    assert "account_daily.csv" in message
    assert expected in message


def test_rate_outside_0_1_is_reported(tmp_path: Path) -> None:
    risks = ("risk_id,category,description,probability,impact,owner,mitigation,status\n"
             "R1,content,内容违规,0.3,4,张三,审核,open\nR2,platform,限流,30,5,李四,多平台,open\n")
    write(tmp_path, accounts=ACCOUNTS, risks=risks)
    with pytest.raises(DataError, match=r"column 'probability': rate outside 0–1.*line\(s\) 3"):
        load_table("risks", tmp_path)


def test_missing_file_says_what_to_put_where(tmp_path: Path) -> None:
    write(tmp_path, accounts=ACCOUNTS)
    with pytest.raises(DataError, match=r"posts\.csv: file not found.*one row per published post"):
        load_tables(["posts"], tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_tables(["accounts"], tmp_path / "nope")


def test_validate_folder_reports_every_problem_at_once(tmp_path: Path) -> None:
    bad_daily = "date,account_id,followers\nnot-a-date,a1,100\n2026-10-02,zz,-1\n"
    write(tmp_path, accounts=ACCOUNTS, account_daily=bad_daily)
    problems = validate_folder(tmp_path)
    errors = [str(p) for p in problems if p.severity == "error"]
    warnings_ = [str(p) for p in problems if p.severity == "warning"]
    assert any("unparsable date" in e for e in errors)
    # absent tables are listed as warnings that say who needs them
    assert any("posts.csv: file not found" in w and "period_review" in w for w in warnings_)


def test_parquet_is_read_like_csv(tmp_path: Path) -> None:
    write(tmp_path, accounts=ACCOUNTS)
    frame = pd.DataFrame({"date": pd.to_datetime(["2026-10-01"]), "account_id": ["a1"], "followers": [7]})
    frame.to_parquet(tmp_path / "account_daily.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        daily = load_table("account_daily", tmp_path)
    assert daily.loc[0, "followers"] == 7.0


def test_tables_without_account_ids_do_not_need_accounts(tmp_path: Path) -> None:
    write(tmp_path, conversions="journey_id,occurred_at,value\nj1,2026-10-01T10:00:00,99\n")
    frames = load_tables(["conversions"], tmp_path)
    assert list(frames) == ["conversions"] and frames["conversions"].loc[0, "value"] == 99.0


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files_read_like_commas(tmp_path: Path, sep: str) -> None:
    """Excel in many locales saves ';'-separated CSV: the same two rows as the comma file, values intact."""
    write(tmp_path, accounts=ACCOUNTS)
    (tmp_path / "account_daily.csv").write_text(DAILY.replace(",", sep), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        daily = load_table("account_daily", tmp_path)
    assert daily["followers"].tolist() == [100.0, 110.0, 50.0]
    assert daily["account_id"].tolist() == ["a1", "a1", "c1"]


def test_a_comma_header_keeps_semicolons_inside_values(tmp_path: Path) -> None:
    """A comma file whose text holds ';' (topics lists) is still read as commas."""
    from helpers.data import csv_separator

    (tmp_path / "t.csv").write_text("post_id,topics\np1,a;b;c\n", encoding="utf-8")
    assert csv_separator(tmp_path / "t.csv") == ","
    (tmp_path / "s.csv").write_text("post_id;topics\np1;a\n", encoding="utf-8")
    assert csv_separator(tmp_path / "s.csv") == ";"


def test_a_number_the_folder_cannot_read_says_how_to_write_it(tmp_path: Path) -> None:
    write(tmp_path, accounts=ACCOUNTS, account_daily=DAILY.replace("2026-10-02,a1,110,1200", "2026-10-02,a1,110,1.2万"))
    with pytest.raises(DataError, match=r"column 'impressions': not a number; 1 row\(s\), first at line\(s\) 3; "
                                        r"values: '1\.2万'\. Write plain numbers: 1\.2万 as 12000"):
        load_table("account_daily", tmp_path)
