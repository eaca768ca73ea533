"""The comments table (issue 18) and the risks' response SOP columns: loading, value checks, optional table."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers.data import DataWarning, load_tables, validate_folder
from helpers.errors import DataError
from helpers.schema import TABLES, schema_markdown

ACCOUNTS = ("account_id,platform,name,owner,timezone\n"
            "a1,douyin,品牌·抖音,own,Asia/Shanghai\n"
            "a2,instagram,Brand IG,own,Europe/London\n")
HEADER = ("comment_id,account_id,created_at,text,source,post_id,user_id,parent_id,likes,replied_at,"
          "replied_by_brand,rating\n")


def write(folder: Path, **files: str) -> Path:
    """Write CSV texts into a folder (name → content)."""
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def load_comments(folder: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return load_tables(["comments"], folder)["comments"]


def test_spec_has_the_agreed_columns_key_and_users() -> None:
    spec = TABLES["comments"]
    assert spec.required == ["comment_id", "account_id", "created_at", "text", "source"]
    assert spec.optional == ["post_id", "user_id", "parent_id", "likes", "replied_at", "replied_by_brand", "rating"]
    assert spec.key == ("comment_id",) and spec.references_accounts
    assert set(spec.used_by) == {"voice_of_customer", "period_review"}
    assert {"respond_within_h", "escalate_after_h"} <= set(TABLES["risks"].optional)
    assert "## comments\n" in schema_markdown()


def test_comments_load_with_types_local_times_and_empty_text_kept(tmp_path: Path) -> None:
    rows = ("c1,a1,2026-10-21 20:15:00,发货太慢了😡,comment,p1,u1,,3,2026-10-21T22:15:00,true,\n"
            "c2,a1,2026-10-21T12:00:00Z,,comment,p1,u2,,0,,,\n"        # empty text: kept; UTC → Shanghai
            "c3,a2,2026-10-21T12:00:00Z,love it,survey,,u3,,,,,5\n"    # UTC → London (BST, +1)
            "c4,a1,2026-10-22 08:00:00,回复,reply,p1,brand,c1,1,,,\n")
    comments = load_comments(write(tmp_path, accounts=ACCOUNTS, comments=HEADER + rows))
    assert len(comments) == 4
    assert pd.api.types.is_datetime64_any_dtype(comments["created_at"])
    assert comments["created_at"].dt.tz is None
    assert comments.loc[1, "created_at"] == pd.Timestamp("2026-10-21 20:00:00")   # 12:00 UTC + 8 h
    assert comments.loc[2, "created_at"] == pd.Timestamp("2026-10-21 13:00:00")   # 12:00 UTC + 1 h (BST)
    assert pd.isna(comments.loc[1, "text"])
    assert comments.loc[0, "replied_at"] == pd.Timestamp("2026-10-21 22:15:00")
    assert bool(comments.loc[0, "replied_by_brand"]) is True
    assert comments.loc[1, "likes"] == 0.0   # a zero is a zero, not missing
    assert comments.loc[2, "rating"] == 5.0 and comments.loc[3, "parent_id"] == "c1"


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        ("c1,a1,2026-10-21 20:15:00,好,like,,,,,,,\n", "source", "value not one of"),
        ("c1,a1,2026-10-21 20:15:00,好,survey,,,,,,,6\n", "rating", "score must be an integer 1–5"),
        ("c1,a1,2026-10-21 20:15:00,好,survey,,,,,,,0\n", "rating", "score must be an integer 1–5"),
        ("c1,a1,2026-10-21 20:15:00,好,comment,,,,-2,,,\n", "likes", "negative value"),
        ("c1,zz,2026-10-21 20:15:00,好,comment,,,,,,,\n", "account_id", "unknown account"),
        ("c1,a1,,好,comment,,,,,,,\n", "created_at", "missing value in a required column"),
        ("c1,a1,2026-10-21 20:15:00,好,comment,,,,,,maybe,\n", "replied_by_brand", "not a true/false value"),
    ],
)
def test_bad_values_name_column_and_line(tmp_path: Path, row: str, column: str, problem: str) -> None:
    write(tmp_path, accounts=ACCOUNTS, comments=HEADER + row)
    with pytest.raises(DataError) as err:
        load_comments(tmp_path)
    text = str(err.value)
    assert f"comments.csv, column '{column}': {problem}" in text and "line(s) 2" in text


def test_duplicate_comment_ids_are_reported(tmp_path: Path) -> None:
    rows = "c1,a1,2026-10-21 20:15:00,好,comment,,,,,,,\nc1,a1,2026-10-21 20:16:00,好,comment,,,,,,,\n"
    write(tmp_path, accounts=ACCOUNTS, comments=HEADER + rows)
    errors = [str(p) for p in validate_folder(tmp_path) if p.severity == "error"]
    assert any("comments.csv" in e and "comment_id" in e and "duplicate" in e for e in errors)


def test_a_folder_without_comments_validates_with_a_warning_only(tmp_path: Path) -> None:
    write(tmp_path, accounts=ACCOUNTS)
    problems = [p for p in validate_folder(tmp_path) if p.table == "comments"]
    assert len(problems) == 1 and problems[0].severity == "warning"
    assert "voice_of_customer" in str(problems[0])


RISKS = "risk_id,category,description,probability,impact,owner,mitigation,status,respond_within_h,escalate_after_h\n"


def test_risk_response_hours_load_and_may_be_empty(tmp_path: Path) -> None:
    rows = ("R1,content,负面舆情,0.3,4,客服主管,24小时内回应,open,24,48\n"
            "R2,technical,接口变更,0.2,3,数据分析,监控,closed,,\n")
    risks = load_tables(["risks"], write(tmp_path, risks=RISKS + rows))["risks"]
    assert risks.loc[0, "respond_within_h"] == 24.0 and risks.loc[0, "escalate_after_h"] == 48.0
    assert risks.loc[1, ["respond_within_h", "escalate_after_h"]].isna().all()


@pytest.mark.parametrize("hours", ["0,48", "24,-1"])
def test_risk_response_hours_must_be_above_zero(tmp_path: Path, hours: str) -> None:
    write(tmp_path, risks=RISKS + f"R1,content,负面舆情,0.3,4,客服主管,24小时内回应,open,{hours}\n")
    with pytest.raises(DataError, match=r"risks.csv, column '(respond_within_h|escalate_after_h)': .*> 0"):
        load_tables(["risks"], tmp_path)


def test_net_sentiment_targets_are_not_an_unknown_kpi_for_the_review() -> None:
    from helpers.review.kpis import _prepare_targets

    targets = pd.DataFrame({"account_id": ["a1", "a1"], "kpi": ["net_sentiment", "reach_of_moon"],
                            "period": ["2026-10", "2026-10"], "target": [0.45, 1.0]})
    with pytest.warns(UserWarning) as caught:
        _prepare_targets(targets)
    messages = [str(w.message) for w in caught]
    assert any("reach_of_moon" in m for m in messages) and not any("net_sentiment" in m.split(";")[0] for m in messages)
