"""End to end: a typo date (2027-10-15) in account_daily is listed by `opsbook validate` and `latest` ignores it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli_run import opsbook, run_notebook


def test_future_date_is_listed_and_latest_is_the_covered_month(sample_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_TODAY", "2026-12-07")   # the kernel inherits it
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    path = data / "account_daily.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("2025-10-15,own_douyin,"))
    lines[at] = lines[at].replace("2025-10-15", "2027-10-15", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = opsbook("validate", "--data", str(data))
    assert result.returncode == 0, result.stdout + result.stderr   # a warning: the rows are left out, not refused
    assert "account_daily.csv, column 'date': date after the data's reasonable end" in result.stdout
    assert f"first at line(s) {at + 1}; values: '2027-10-15'" in result.stdout

    # the sample ends 2026-11-15: the last complete month is 2026-10, not the typo's 2027-10
    folder = run_notebook(tmp_path / "out", "period_review", ("data_dir", str(data)), ("lang", "en"),
                          period="latest")
    assert folder.name == "2026-10"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert (summary["label"], summary["period"]["start"], summary["period"]["end"]) == \
        ("2026-10", "2026-10-01T00:00:00", "2026-10-31T00:00:00")
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert f"1 row dated after the data&#39;s end left out (line(s) {at + 1}; dates 2027-10-15)" in report \
        or f"1 row dated after the data's end left out (line(s) {at + 1}; dates 2027-10-15)" in report
