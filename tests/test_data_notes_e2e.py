"""End to end: a typo date in a notebook's main table is a data note in its report and summary.json.

The audience profile reads interactions, KOL vetting reads kol_posts; neither showed the rows the loader
left out before (only the period review did). One 2027-10-15 typo each, on a copy of the sample.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli_run import run_notebook


def _typo_copy(sample_dir: Path, folder: Path, table: str, prefix: str, day: str) -> int:
    """A copy of the sample with `day` (a 2026 date) written as 2027 on the first line of `table` starting with
    `prefix` and holding `day`; returns that line's number in the file (header = line 1)."""
    shutil.copytree(sample_dir, folder)
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(prefix) and day in line)
    lines[at] = lines[at].replace(day, day.replace("2026", "2027", 1), 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 1


def _check(folder: Path, table: str, column: str, line: int, value: str) -> None:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["data_notes"] == [{
        "file": f"{table}.csv", "table": table, "column": column, "what": "left_out_dates", "rows": [line],
        "n_rows": 1, "values": [value],
        "text": f"{table}.csv, column {column}: 1 row dated after the data's end left out (line(s) {line}; "
                f"dates {value}). Correct the dates and run again."}]
    report = (folder / "report.html").read_text(encoding="utf-8").replace("&#39;", "'")
    assert "Data notes:" in report
    assert f"1 row dated after the data's end left out (line(s) {line}; dates {value})" in report


def test_audience_profile_states_a_left_out_interaction(sample_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")   # the kernel inherits it; the sample ends 2026-11-15
    data = tmp_path / "data"
    line = _typo_copy(sample_dir, data, "interactions", "u", "2026-10-15T")
    folder = run_notebook(tmp_path / "out", "audience_profiling", ("data_dir", str(data)), ("lang", "en"))
    _check(folder, "interactions", "occurred_at", line, "2027-10-15")


def test_kol_vetting_states_a_left_out_post_in_both_languages(sample_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")
    data = tmp_path / "data"
    line = _typo_copy(sample_dir, data, "kol_posts", "kol_01_", "2026-10-")
    value = next(part for part in (data / "kol_posts.csv").read_text(encoding="utf-8").splitlines()[line - 1]
                 .split(",") if part.startswith("2027-"))[:10]
    folder = run_notebook(tmp_path / "en", "kol_evaluation", ("data_dir", str(data)), ("lang", "en"))
    _check(folder, "kol_posts", "published_at", line, value)
    chinese = run_notebook(tmp_path / "zh", "kol_evaluation", ("data_dir", str(data)), ("lang", "zh-CN"))
    report = (chinese / "report.html").read_text(encoding="utf-8")
    assert "数据说明：" in report
    assert f"kol_posts.csv 的 published_at 列：1 行的日期晚于数据的合理截止日，已排除在分析之外（第 {line} 行；" \
           f"日期 {value}）" in report
