"""End-to-end: `opsbook run audience_profiling` finds the sample's planted audience effects."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli_run import opsbook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow


def test_planted_bots_evening_peak_and_lapsing_users(sample_dir: Path, tmp_path: Path) -> None:
    result = opsbook("run", "audience_profiling", "--out", str(tmp_path), "--quiet")
    assert result.returncode == 0, result.stderr[-4000:]
    folder = next((tmp_path / "audience_profiling").glob("20*"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["users"]["bots"] == len(PLANTED.bot_users)
    assert summary["peak_windows"][0]["start_hour"] == PLANTED.evening_window[0]
    members = pd.read_csv(folder / "tables" / "segment_membership.csv", encoding="utf-8-sig")
    lapsing = members[members["user_id"].isin(PLANTED.lapsing_segment)]
    # silent since 2026-08-01: in a 180-day window they are mostly at risk / can't lose (dormant or high-value lapsed)
    assert lapsing["segment"].isin(["at risk", "can't lose", "about to sleep", "hibernating"]).mean() > 0.8
    assert set(members.columns) == {"user_id", "segment", "group", "cluster", "cluster_name"}
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert not any(u in html for u in members["user_id"].head(50))  # no individual ids in the report
