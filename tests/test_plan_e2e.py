"""End-to-end: `opsbook run account_plan` on the sample writes targets the period review reads, and finds the plants.

What the sample plants (helpers.sample.PLANTED) and what the plan must say:
- revenue peaks with Double 11 (``seasonal_kpi``): the plan year's November target is the year's largest month;
- ``saturating_campaign`` returns less than 3 per extra yuan at its usual spend: the budget cuts it back to where
  its next yuan returns exactly the 3:1 stop-loss, and no unit is planned where its next yuan returns less;
- ``stop_loss_campaign`` (constant ROAS 1.8) gets no money; ``flat_spend_campaign`` is held with a warning;
- a mid-year re-plan keeps the closed months and writes targets the review then uses for a later month.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import report_checks
from cli_run import run_notebook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow


def run(out: Path, *pairs: tuple[str, str], notebook: str = "account_plan", period: str = "") -> Path:
    """Run a notebook through the CLI and return its run folder."""
    return run_notebook(out, notebook, *pairs, period=period)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """The default plan (2027, as of 2026-10), in English."""
    return run(tmp_path_factory.mktemp("plan"), ("lang", "en"))


def test_the_plan_is_labelled_by_its_year_and_writes_schema_targets(plan: Path) -> None:
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert plan.name == "2027" and summary["as_of"] == "2026-10" and not summary["replan"]
    targets = pd.read_csv(plan / "tables" / "targets.csv", encoding="utf-8-sig", dtype={"period": str})
    assert list(targets.columns) == ["account_id", "kpi", "period", "target"]
    assert not targets.duplicated(["account_id", "kpi", "period"]).any()
    new = targets[targets["period"].str.startswith("2027")]
    # 4 accounts × 7 KPIs × (12 months + 4 quarters + the year)
    assert len(new) == 4 * 7 * 17 and new["target"].notna().all()


def test_november_is_the_largest_revenue_month_of_the_plan(plan: Path) -> None:
    cascade = pd.read_csv(plan / "tables" / "targets_cascade.csv", encoding="utf-8-sig", dtype={"period": str})
    account, kpi = PLANTED.seasonal_kpi
    months = cascade[(cascade["account_id"] == account) & (cascade["kpi"] == kpi)
                     & (cascade["period_kind"] == "month")].set_index("period")["target"]
    assert months.idxmax() == "2027-11"
    # flows: the months add up to the year; a stock's year is its December
    year = cascade[(cascade["account_id"] == account) & (cascade["kpi"] == kpi) & (cascade["period"] == "2027")]
    assert months.sum() == pytest.approx(float(year["target"].iloc[0]), rel=1e-9)


def test_budget_cuts_the_saturated_campaign_to_the_stop_loss_margin(plan: Path) -> None:
    budget = pd.read_csv(plan / "tables" / "budget_plan.csv", encoding="utf-8-sig").set_index("unit")
    sat = budget.loc[PLANTED.saturating_campaign]
    assert sat["proposed_spend"] < sat["last_spend"] and sat["marginal_roas"] == pytest.approx(3.0, abs=1e-6)
    assert budget.loc[PLANTED.stop_loss_campaign, "proposed_spend"] == 0
    assert budget.loc[PLANTED.flat_spend_campaign, "role"] == "hold"
    placed = budget[budget["proposed_spend"] > 0]
    assert (placed["marginal_roas"] >= 3 - 1e-6).all()
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))["budget"]
    parts = budget["proposed_spend"].sum() + summary["reserve"] + summary["unplaced"]
    assert parts == pytest.approx(summary["budget"], rel=1e-9)


def test_the_report_is_written_in_its_language(plan: Path, tmp_path: Path, sample_dir: Path) -> None:
    allowed = report_checks.data_text(sample_dir)
    english = (plan / "report.html").read_text(encoding="utf-8")
    assert report_checks.untranslated_text(english, "en", allowed) == []
    chinese = run(tmp_path, ("lang", "zh-CN"))
    page = (chinese / "report.html").read_text(encoding="utf-8")
    assert report_checks.untranslated_text(page, "zh-CN", allowed | {"MASE", "sMAPE", "ROAS", "CV"}) == []
    assert "摘要" in page or "关键发现" in page


def test_a_mid_year_replan_feeds_the_period_review(tmp_path: Path, sample_dir: Path) -> None:
    replan = run(tmp_path / "plan", ("plan_year", "current"), ("as_of", "2026-06"), ("lang", "en"))
    assert replan.name == "2026"
    cascade = pd.read_csv(replan / "tables" / "targets_cascade.csv", encoding="utf-8-sig", dtype={"period": str})
    closed = cascade[((cascade["period_kind"] == "month") & (cascade["period"] <= "2026-06"))
                     | cascade["period"].isin(["2026-Q1", "2026-Q2"])]
    assert len(closed) == 4 * 7 * 8 and not closed["written"].any()  # months with actuals keep their targets
    written = pd.read_csv(replan / "tables" / "proposed_targets.csv", encoding="utf-8-sig", dtype={"period": str})
    assert written.loc[written["period"].str.len() == 7, "period"].min() == "2026-07"  # months only
    # the annual flow target = the actuals Jan–Jun + the months re-spread
    rev = cascade[(cascade["account_id"] == "own_douyin") & (cascade["kpi"] == "revenue")].set_index("period")
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    total = rev.loc[months[:6], "actual"].sum() + rev.loc[months[6:], "target"].sum()
    assert total == pytest.approx(rev.loc["2026", "target"], rel=1e-9)
    review = run(tmp_path / "review", ("targets_source", str(replan / "tables" / "targets.csv")),
                 ("period_type", "month"), ("lang", "en"), notebook="period_review", period="2026-09")
    board = pd.read_csv(review / "tables" / "scorecard.csv", encoding="utf-8-sig")
    row = board[(board["account_id"] == "own_douyin") & (board["kpi"] == "revenue")].iloc[0]
    assert row["target"] == pytest.approx(rev.loc["2026-09", "target"], rel=1e-9)
    assert np.isfinite(row["attainment"])
