"""Targets from forecast paths: levels, probabilities and the cascade, checked against hand calculations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from helpers.account_plan import targets
from helpers.errors import ParameterError

MONTHS_2027 = [f"2027-{m:02d}" for m in range(1, 13)]
DAYS_2027 = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
SCALE = np.array([1.0, 2.0, 3.0, 4.0])  # four simulations: the path times 1, 2, 3 and 4


@dataclass(frozen=True)
class FakeForecast:
    account_id: str
    kpi: str
    months: tuple[str, ...]
    paths: np.ndarray


def _fc(kpi: str, base: np.ndarray, months: list[str] = MONTHS_2027) -> FakeForecast:
    return FakeForecast("a", kpi, tuple(months), np.outer(SCALE, base))


NO_ACTUALS = pd.DataFrame(columns=["account_id", "kpi", "month", "value"])


def test_flow_levels_probabilities_and_cascade_by_hand() -> None:
    # months 1..12 worth 1..12 per unit of scale: totals 78, 156, 234, 312
    fc = {("a", "revenue"): _fc("revenue", np.arange(1, 13, dtype=float))}
    plan = targets.plan_targets(fc, NO_ACTUALS, account_ids=["a"], kpis=["revenue"], plan_year=2027,
                                as_of="2026-10", ambition="stretch", stretch_quantile=0.75)
    row = plan.annual.iloc[0]
    assert row["baseline"] == pytest.approx(195.0)  # median of 78, 156, 234, 312
    assert row["stretch"] == pytest.approx(253.5)  # position 0.75 × 3 = 2.25: 234 + 0.25 × 78
    assert row["p_baseline"] == pytest.approx(0.5)  # 234 and 312 reach 195
    assert row["p_stretch"] == pytest.approx(0.25)  # only 312 reaches 253.5
    assert row["target"] == pytest.approx(253.5) and row["level"] == "stretch"
    months = plan.cascade[plan.cascade["period_kind"] == "month"].set_index("period")["target"]
    # spread by the median path 2.5 × m: month m gets 253.5 × m / 78 = 3.25 m
    assert months["2027-01"] == pytest.approx(3.25) and months["2027-12"] == pytest.approx(39.0)
    quarters = plan.cascade[plan.cascade["period_kind"] == "quarter"].set_index("period")["target"]
    assert quarters["2027-Q1"] == pytest.approx(3.25 * 6) and quarters["2027-Q4"] == pytest.approx(3.25 * 33)
    rows = plan.rows()
    assert len(rows) == 12 + 4 + 1 and set(rows.columns) == {"account_id", "kpi", "period", "target"}


def test_replanning_keeps_actual_months_and_spreads_the_remainder() -> None:
    base = np.arange(1, 13, dtype=float)
    fc = {("a", "revenue"): _fc("revenue", base[6:], MONTHS_2027[6:])}
    actuals = pd.DataFrame({"account_id": "a", "kpi": "revenue", "month": MONTHS_2027[:6], "value": 5.0,
                            "complete": True})
    plan = targets.plan_targets(fc, actuals, account_ids=["a"], kpis=["revenue"], plan_year=2027,
                                as_of="2027-06", ambition="baseline")
    row = plan.annual.iloc[0]
    # totals 30 + 57 × (1, 2, 3, 4) = 87, 144, 201, 258 → median 172.5; 30 already done
    assert row["target"] == pytest.approx(172.5) and row["actual_to_date"] == pytest.approx(30.0)
    months = plan.cascade[plan.cascade["period_kind"] == "month"].set_index("period")
    assert months.loc["2027-07", "target"] == pytest.approx(142.5 * 7 / 57)
    assert months.loc["2027-03", "target"] == pytest.approx(5.0) and not months.loc["2027-03", "written"]
    written = set(plan.rows()["period"])
    assert "2027-06" not in written and "2027-07" in written and "2027-Q2" not in written
    assert {"2027-Q3", "2027-Q4", "2027"} <= written
    quarters = plan.cascade.set_index("period")
    assert quarters.loc["2027-Q3", "target"] == pytest.approx(142.5 * (7 + 8 + 9) / 57)


def test_stock_closes_the_gap_to_the_year_end_in_proportion_to_days() -> None:
    base = 1000.0 + 10 * np.arange(1, 13)  # year end 1120 × scale
    fc = {("a", "followers"): _fc("followers", base)}
    plan = targets.plan_targets(fc, NO_ACTUALS, account_ids=["a"], kpis=["followers"], plan_year=2027,
                                as_of="2026-10", ambition="baseline")
    target = plan.annual.iloc[0]["target"]
    assert target == pytest.approx(1120 * 2.5)  # median of the year-end values 1120 × (1..4)
    months = plan.cascade[plan.cascade["period_kind"] == "month"]["target"].to_numpy()
    medians = base * 2.5
    gap = target - medians[-1]  # zero here: the target is the median path's end
    assert months == pytest.approx(medians + gap * np.cumsum(DAYS_2027) / 365)
    quarter = plan.cascade.set_index("period").loc["2027-Q2", "target"]
    assert quarter == pytest.approx(months[5])  # a stock's quarter is its last month


def test_stock_stretch_path_ends_on_the_target() -> None:
    fc = {("a", "followers"): _fc("followers", np.full(12, 100.0))}
    plan = targets.plan_targets(fc, NO_ACTUALS, account_ids=["a"], kpis=["followers"], plan_year=2027,
                                as_of="2026-10", ambition="stretch", stretch_quantile=0.75)
    months = plan.cascade[plan.cascade["period_kind"] == "month"]["target"].to_numpy()
    # stretch = 325 (300 + 0.25 × 100); medians 250; the gap 75 is closed by days: January 250 + 75 × 31/365
    assert months[-1] == pytest.approx(325.0) and months[0] == pytest.approx(250 + 75 * 31 / 365)


def test_engagement_rate_is_a_ratio_of_sums_not_a_mean_of_rates() -> None:
    impressions = np.array([1000.0] * 6 + [3000.0] * 6)
    fc = {("a", "impressions"): FakeForecast("a", "impressions", tuple(MONTHS_2027), np.tile(impressions, (4, 1))),
          ("a", "engagements"): FakeForecast("a", "engagements", tuple(MONTHS_2027),
                                             np.outer(SCALE, np.array([100.0] * 6 + [30.0] * 6)))}
    plan = targets.plan_targets(fc, NO_ACTUALS, account_ids=["a"], kpis=["engagement_rate"], plan_year=2027,
                                as_of="2026-10", ambition="baseline")
    # per unit of scale: Σeng = 600 + 180 = 780, Σimp = 6000 + 18000 = 24000 → 0.0325 × scale; median 0.08125
    # (the mean of the monthly rates would be (0.1 + 0.01) / 2 × 2.5 = 0.1375)
    assert plan.annual.iloc[0]["baseline"] == pytest.approx(0.0325 * 2.5)
    quarter = plan.cascade.set_index("period").loc["2027-Q3", "target"]
    # the months' target rates are their median rates (the target is the median): 30 × 2.5 / 3000 = 0.025
    assert quarter == pytest.approx(0.025)


def test_growth_goal_is_measured_against_the_year_before() -> None:
    fc = {("a", "revenue"): _fc("revenue", np.arange(1, 13, dtype=float))}
    before = pd.DataFrame({"account_id": "a", "kpi": "revenue", "month": [f"2026-{m:02d}" for m in range(1, 13)],
                           "value": 10.0, "complete": True})
    plan = targets.plan_targets(fc, before, account_ids=["a"], kpis=["revenue"], plan_year=2027, as_of="2026-12",
                                growth_goals={"revenue": 0.3})
    row = plan.annual.iloc[0]
    assert row["reference"] == pytest.approx(120.0) and row["target"] == pytest.approx(156.0)
    assert row["level"] == "growth" and row["p_target"] == pytest.approx(0.75)  # 156, 234, 312 reach 156


def test_missing_forecast_gives_no_target_rather_than_zero() -> None:
    plan = targets.plan_targets({}, NO_ACTUALS, account_ids=["a"], kpis=["revenue", "engagement_rate"],
                                plan_year=2027, as_of="2026-10")
    assert plan.annual.empty and plan.rows().empty


@pytest.mark.parametrize(("kwargs", "needle"), [({"ambition": "moonshot"}, "ambition"),
                                               ({"stretch_quantile": 0.4}, "stretch_quantile"),
                                               ({"growth_goals": {"likes": 0.2}}, "growth_goals")])
def test_bad_levels_are_refused(kwargs: dict, needle: str) -> None:
    with pytest.raises(ParameterError, match=needle):
        targets.plan_targets({}, NO_ACTUALS, account_ids=["a"], kpis=["revenue"], plan_year=2027, as_of="2026-10",
                             **kwargs)


def test_merge_keeps_other_rows_and_replaces_the_same_keys() -> None:
    existing = pd.DataFrame({"account_id": ["a", "a", "b"], "kpi": ["revenue"] * 3,
                             "period": ["2027-01", "2026-12", "2027-01"], "target": [1.0, 2.0, 3.0]})
    proposed = pd.DataFrame({"account_id": ["a"], "kpi": ["revenue"], "period": ["2027-01"], "target": [9.0]})
    merged = targets.merge_targets(existing, proposed).set_index(["account_id", "period"])["target"]
    assert merged.to_dict() == {("a", "2026-12"): 2.0, ("a", "2027-01"): 9.0, ("b", "2027-01"): 3.0}


def test_stage_table_sums_the_stage_months_and_gives_the_chance() -> None:
    fc = {("a", "revenue"): _fc("revenue", np.arange(1, 13, dtype=float))}
    plan = targets.plan_targets(fc, NO_ACTUALS, account_ids=["a"], kpis=["revenue"], plan_year=2027,
                                as_of="2026-10", ambition="baseline")
    stages = targets.stage_table(plan, fc, NO_ACTUALS, {"1-3": ["revenue"]}, 2027)
    row = stages.iloc[0]
    # months 1–3 targets: 195 × (1 + 2 + 3) / 78 = 15; simulated sums 6 × (1..4) → median 15, half reach it
    assert row["target"] == pytest.approx(15.0) and row["probability"] == pytest.approx(0.5)


def test_brand_total_adds_accounts_path_by_path() -> None:
    fc = {("a", "revenue"): _fc("revenue", np.arange(1, 13, dtype=float)),
          ("b", "revenue"): FakeForecast("b", "revenue", tuple(MONTHS_2027), np.outer(SCALE[::-1], np.ones(12)))}
    plan = targets.plan_targets(fc, NO_ACTUALS, account_ids=["a", "b"], kpis=["revenue"], plan_year=2027,
                                as_of="2026-10", ambition="baseline")
    total = targets.brand_totals(plan, fc, NO_ACTUALS, 2027).iloc[0]
    # a: 78 × (1, 2, 3, 4); b: 12 × (4, 3, 2, 1) → sums 126, 192, 258, 324; targets 195 + 30 = 225
    assert total["target"] == pytest.approx(225.0) and total["forecast_p50"] == pytest.approx(225.0)
    assert total["probability"] == pytest.approx(0.5) and total["accounts"] == 2


def test_committed_targets_read_as_the_review_reads_them() -> None:
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    existing = pd.DataFrame({
        "account_id": ["a"] * 12 + ["a"] * 12 + ["b", "a"],
        "kpi": ["revenue"] * 12 + ["followers"] * 12 + ["revenue", "engagement_rate"],
        "period": months + months + [2027.0, "2027-03"], "target": [10.0] * 12 + list(range(100, 112)) + [7.0, 0.05]})
    got = targets.committed_targets(existing, 2027)
    # a's revenue: 12 × 10; a's followers: December's 111; b's revenue: its own year row (read as 2027.0);
    # a rate has no fallback from one month
    assert got == {("a", "revenue"): 120.0, ("a", "followers"): 111.0, ("b", "revenue"): 7.0}


def test_a_replan_keeps_the_committed_target_and_spreads_its_remainder() -> None:
    base = np.arange(1, 13, dtype=float)
    fc = {("a", "revenue"): _fc("revenue", base[6:], MONTHS_2027[6:])}
    actuals = pd.DataFrame({"account_id": "a", "kpi": "revenue", "month": MONTHS_2027[:6], "value": 5.0})
    plan = targets.plan_targets(fc, actuals, account_ids=["a"], kpis=["revenue"], plan_year=2027, as_of="2027-06",
                                committed={("a", "revenue"): 144.0})
    row = plan.annual.iloc[0]
    # totals 87, 144, 201, 258: three of four reach the committed 144; 144 − 30 done = 114 spread by 7..12 / 57
    assert row["level"] == "committed" and row["target"] == 144.0 and row["p_target"] == pytest.approx(0.75)
    months = plan.cascade.set_index("period")["target"]
    assert months["2027-07"] == pytest.approx(114 * 7 / 57) and months["2027-12"] == pytest.approx(114 * 12 / 57)
