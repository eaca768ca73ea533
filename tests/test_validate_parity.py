"""`opsbook validate` runs the checks the notebooks run on loading: one shared function each, two callers.

Each test writes a small folder, asks validate_folder, and asks the notebook's own loader for the same
folder: validate names the problem (file, column, line) and the loader refuses with the same finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.data import validate_folder
from helpers.errors import DataError
from helpers.experiments.design import load_experiment

HEADER = "experiment_id,name,unit,primary_metric,control,variants,start,end,expected_split\n"


def _experiments(tmp_path: Path, rows: str, units: str) -> Path:
    (tmp_path / "experiments.csv").write_text(HEADER + rows, encoding="utf-8")
    (tmp_path / "experiment_units.csv").write_text("experiment_id,unit_id,variant\n" + units, encoding="utf-8")
    return tmp_path


def _found(folder: Path, *tables: str) -> list[tuple[str, str | None, tuple[int, ...], str, str]]:
    return [(p.table, p.column, p.rows, p.severity, p.problem) for p in validate_folder(folder) if p.table in tables]


def test_a_bad_design_row_is_named_with_its_line_and_refused_by_the_notebook(tmp_path: Path) -> None:
    # line 2: E1 is sound; line 3: E2's control Z is not a variant; line 4: E3 has 2 weights for 3 variants
    folder = _experiments(tmp_path, "E1,t,user,cv,A,A;B,2026-10-01,2026-10-14,\n"
                                    "E2,t,user,cv,Z,A;B,2026-10-01,2026-10-14,\n"
                                    "E3,t,user,cv,A,A;B;C,2026-10-01,2026-10-14,1;1\n",
                          "E1,u1,A\nE1,u2,B\nE2,u3,A\nE3,u4,A\n")
    assert _found(folder, "experiments") == [
        ("experiments", "control", (3,), "error", "E2: control 'Z' is not one of the variants ['A', 'B']."),
        ("experiments", "expected_split", (4,), "error",
         "E3: expected_split has 2 weights for 3 variants; give one weight per variant, in the same order.")]
    with pytest.raises(DataError, match=r"experiments, E2: control 'Z' is not one of the variants \['A', 'B'\]"):
        load_experiment("E2", folder)
    load_experiment("E1", folder)   # the sound experiment still loads


def test_a_control_without_units_is_an_error_and_an_experiment_without_units_a_warning(tmp_path: Path) -> None:
    # E1's units are all B (control A has none); E2 has no unit rows at all (not started)
    folder = _experiments(tmp_path, "E1,t,user,cv,A,A;B,2026-10-01,2026-10-14,\n"
                                    "E2,t,user,cv,A,A;B,2026-11-01,2026-11-14,\n",
                          "E1,u1,B\nE1,u2,B\n")
    assert _found(folder, "experiment_units") == [
        ("experiment_units", "variant", (), "error", "E1: the control 'A' has no units, so nothing can be compared"),
        ("experiment_units", "experiment_id", (), "warning", "experiment_units has no rows for E2.")]
    with pytest.raises(DataError, match="E1: the control 'A' has no units"):
        load_experiment("E1", folder)
    with pytest.raises(DataError, match="experiment_units has no rows for E2"):
        load_experiment("E2", folder)


def test_kol_audience_shares_that_do_not_sum_to_one_are_named_and_refused(tmp_path: Path) -> None:
    from helpers.data import load_tables
    from helpers.kol.fit import kol_distribution

    (tmp_path / "kols.csv").write_text("kol_id,platform,name,followers,category\nk1,douyin,K1,1000,护肤\n"
                                       "k2,douyin,K2,1000,护肤\n", encoding="utf-8")
    # k1 gender 0.6 + 0.2 = 0.8 (< 0.9: off, lines 2–3); k1 interests 0.7 + 0.6 = 1.3 (tags: allowed);
    # k2 gender 0.55 + 0.5 = 1.05 (inside 0.9–1.1: rescaled, fine)
    (tmp_path / "kol_audience.csv").write_text(
        "kol_id,dimension,bucket,share\nk1,gender,女,0.6\nk1,gender,男,0.2\nk1,interests,护肤,0.7\n"
        "k1,interests,彩妆,0.6\nk2,gender,女,0.55\nk2,gender,男,0.5\n", encoding="utf-8")
    [problem] = [p for p in validate_folder(tmp_path) if p.table == "kol_audience"]
    assert (problem.column, problem.rows, problem.n_rows, problem.examples, problem.severity) == \
        ("share", (2, 3), 2, ("k1 gender sums to 0.800",), "error")
    with pytest.raises(DataError, match="k1 gender sums to 0.800"):
        kol_distribution(load_tables(["kol_audience"], tmp_path)["kol_audience"])


ACCOUNTS = "account_id,platform,name,owner\nown_douyin,douyin,D,own\n"


def test_a_brand_reply_before_its_comment_is_named_and_refused(tmp_path: Path) -> None:
    from helpers.data import load_tables
    from helpers.nlp.opinion import response_times

    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    # c1 answered 2 h later; c2 answered 1 h BEFORE it was written (line 3); c3 not answered
    (tmp_path / "comments.csv").write_text(
        "comment_id,account_id,created_at,text,source,replied_at,replied_by_brand\n"
        "c1,own_douyin,2026-10-01T10:00:00,好用,comment,2026-10-01T12:00:00,true\n"
        "c2,own_douyin,2026-10-01T10:00:00,怎么用,comment,2026-10-01T09:00:00,true\n"
        "c3,own_douyin,2026-10-01T11:00:00,一般,comment,,false\n", encoding="utf-8")
    [problem] = [p for p in validate_folder(tmp_path) if p.table == "comments" and p.severity == "error"]
    assert (problem.column, problem.rows, problem.examples, problem.severity) == \
        ("replied_at", (3,), ("c2",), "error")
    comments = load_tables(["comments"], tmp_path)["comments"].assign(sentiment=0.0)
    with pytest.raises(DataError, match=r"replied_at is before created_at for comment_id \['c2'\]"):
        response_times(comments)


def test_an_escalation_before_the_response_deadline_is_named_and_refused(tmp_path: Path) -> None:
    from helpers.data import load_tables
    from helpers.nlp.opinion import response_sop

    # r1 respond 24 h, escalate 48 h: fine; r2 (line 3) respond 24 h, escalate 12 h: escalation first
    (tmp_path / "risks.csv").write_text(
        "risk_id,category,description,probability,impact,owner,mitigation,status,respond_within_h,escalate_after_h\n"
        "r1,品牌,差评扩散,0.2,3,Li,回复,open,24,48\n"
        "r2,舆情,舆情危机,0.5,4,Wang,公关,open,24,12\n", encoding="utf-8")
    [problem] = [p for p in validate_folder(tmp_path) if p.table == "risks" and p.severity == "error"]
    assert (problem.column, problem.rows, problem.examples, problem.severity) == \
        ("escalate_after_h", (3,), ("r2",), "error")
    with pytest.raises(DataError, match="risk r2 has escalate_after_h 12 below respond_within_h 24"):
        response_sop(load_tables(["risks"], tmp_path)["risks"])
