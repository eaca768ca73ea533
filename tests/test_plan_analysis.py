"""The brand-level tables of the account plan: accounts added path by path, the rate as a ratio of sums."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from helpers.account_plan import analysis
from helpers.account_plan.forecast import KpiForecast
from helpers.account_plan.targets import Plan

MONTHS = ("2027-01", "2027-02")


def _run(*kpis: str) -> Any:
    return SimpleNamespace(settings=SimpleNamespace(kpis=kpis))


def test_brand_forecast_adds_accounts_and_divides_sums_for_the_rate() -> None:
    paths = {("a", "impressions"): KpiForecast("a", "impressions", "model", MONTHS, np.array([[1000.0, 1000.0]])),
             ("b", "impressions"): KpiForecast("b", "impressions", "model", MONTHS, np.array([[3000.0, 1000.0]])),
             ("a", "engagements"): KpiForecast("a", "engagements", "model", MONTHS, np.array([[100.0, 50.0]])),
             ("b", "engagements"): KpiForecast("b", "engagements", "model", MONTHS, np.array([[60.0, 10.0]]))}
    table = analysis.brand_forecast(_run("impressions", "engagement_rate"), paths).set_index(["kpi", "month"])
    assert table.loc[("impressions", "2027-01"), "p50"] == 4000.0
    # January: (100 + 60) ÷ (1000 + 3000) = 0.04, not the mean of 0.10 and 0.02 (= 0.06)
    assert table.loc[("engagement_rate", "2027-01"), "p50"] == pytest.approx(0.04)
    assert table.loc[("engagement_rate", "2027-02"), "p50"] == pytest.approx(60 / 2000)


def test_brand_actuals_need_every_account_and_recompute_the_rate() -> None:
    actuals = pd.DataFrame({
        "account_id": ["a", "b", "a", "b", "a"], "kpi": ["impressions", "impressions", "engagements", "engagements",
                                                         "revenue"],
        "month": ["2026-10"] * 5, "value": [1000.0, 3000.0, 100.0, 60.0, 5.0]})
    table = analysis.brand_actuals(_run("impressions", "engagement_rate", "revenue"), actuals).set_index("kpi")
    assert table.loc["impressions", "value"] == 4000.0
    assert table.loc["engagement_rate", "value"] == pytest.approx(0.04)
    assert "revenue" not in table.index  # b reports no revenue: a brand total of a alone would mislead


def test_brand_months_sum_targets_and_leave_rates_out() -> None:
    cascade = pd.DataFrame({
        "account_id": ["a", "b", "a", "b"], "kpi": ["revenue", "revenue", "engagement_rate", "engagement_rate"],
        "period": ["2027-01"] * 4, "period_kind": "month", "target": [10.0, 20.0, 0.05, 0.07],
        "forecast_p50": [9.0, 18.0, 0.05, 0.06], "actual": np.nan, "written": True})
    months = analysis.brand_months(Plan(annual=pd.DataFrame(), cascade=cascade))
    assert months["kpi"].tolist() == ["revenue"]
    assert months["target"].iloc[0] == 30.0 and months["forecast_p50"].iloc[0] == 27.0
    assert np.isnan(months["actual"].iloc[0])  # missing stays missing, not 0
