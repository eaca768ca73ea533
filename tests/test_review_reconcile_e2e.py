"""End-to-end (issue 21): a review whose data lacks some journeys' touchpoints reconciles its attribution,
and a header-only ad_daily reads as "no ads this period"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cli_run import opsbook

pytestmark = pytest.mark.slow
OCTOBER = ("2026-10-01", "2026-11-01")


def _october_journeys(conversions: pd.DataFrame) -> pd.DataFrame:
    """Per journey whose last conversion falls in October 2026: its conversions, value and last conversion."""
    conv = conversions.assign(at=pd.to_datetime(conversions["occurred_at"]))
    per = conv.groupby("journey_id").agg(conversions=("at", "size"), value=("value", "sum"), last=("at", "max"))
    return per[(per["last"] >= OCTOBER[0]) & (per["last"] < OCTOBER[1])]


def test_conversions_without_touchpoints_are_reconciled_in_summary_and_report(
        sample_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    touch = pd.read_csv(data / "touchpoints.csv", dtype={"journey_id": str})
    conv = pd.read_csv(data / "conversions.csv", dtype={"journey_id": str})
    october = _october_journeys(conv)
    removed = sorted(october.index)[:30]  # 30 converting journeys lose every touchpoint
    touch[~touch["journey_id"].isin(removed)].to_csv(data / "touchpoints.csv", index=False)

    result = opsbook("run", "period_review", "--data", str(data), "--period", "2026-10", "--lang", "en",
                     "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr[-4000:]
    run = tmp_path / "out" / "period_review" / "2026-10"
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))

    # expected, computed from the CSV files: a journey has a recorded touch when one of its remaining
    # touchpoints is at or before its last conversion
    kept = touch[~touch["journey_id"].isin(removed)].assign(at=lambda t: pd.to_datetime(t["occurred_at"]))
    first_touch_at = kept.groupby("journey_id")["at"].min()
    touched = october.index.map(lambda j: j in first_touch_at.index and first_touch_at[j] <= october.loc[j, "last"])
    no_touch = october[~touched.to_numpy(dtype=bool)]
    assert set(removed) <= set(no_touch.index)
    rec = summary["attribution"]["reconciliation"]
    assert rec["converting_journeys"] == len(october)
    assert rec["conversions"] == october["conversions"].sum()
    assert rec["value"] == pytest.approx(october["value"].sum())
    assert rec["no_touch_journeys"] == len(no_touch) and rec["no_touch_conversions"] == no_touch["conversions"].sum()
    assert rec["no_touch_value"] == pytest.approx(no_touch["value"].sum())
    assert rec["credited_conversions"] + rec["no_touch_conversions"] == rec["conversions"]
    assert rec["credited_value"] + rec["no_touch_value"] == pytest.approx(rec["value"])
    for model in ("first_touch", "last_touch", "linear", "markov", "shapley"):
        credit = summary["attribution"][model]
        assert credit["no_touch"]["conversions"] == rec["no_touch_conversions"], model
        assert sum(c["conversions"] for c in credit.values()) == pytest.approx(rec["conversions"]), model
        assert sum(c["value"] for c in credit.values()) == pytest.approx(rec["value"]), model

    report = (run / "report.html").read_text(encoding="utf-8")
    n, total = int(rec["no_touch_conversions"]), int(rec["conversions"])
    assert f"No recorded touch: {n} of the {total:,} conversions" in report
    assert f"Credited {total - n:,} + no recorded touch {n} = {total:,} conversions" in report
    table = pd.read_csv(run / "tables" / "attribution.csv", encoding="utf-8-sig")
    assert (table.groupby("model")["conversions"].sum() - total).abs().max() < 1e-6


def test_header_only_ad_daily_reads_as_no_ads_this_period(sample_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    header = (data / "ad_daily.csv").read_text(encoding="utf-8").splitlines()[0]
    (data / "ad_daily.csv").write_text(header + "\n", encoding="utf-8")
    result = opsbook("run", "period_review", "--data", str(data), "--period", "2026-10", "--lang", "en",
                     "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr[-4000:]
    run = tmp_path / "out" / "period_review" / "2026-10"
    report = (run / "report.html").read_text(encoding="utf-8")
    assert report.count("No ads this period") == 1
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert "budget_shift" not in summary and "stop_loss_campaigns" not in summary  # as with no ad_daily file
