"""The account plan's parameters: every bad value is refused with a message that says what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers.account_plan import session
from helpers.errors import DataError, ParameterError

DEFAULTS: dict[str, Any] = dict(
    account="own", plan_year="next", as_of="latest",
    kpis=["followers", "net_follower_change", "impressions", "engagements", "engagement_rate", "conversions",
          "revenue"],
    ambition="stretch", stretch_quantile=0.75, growth_goals={},
    stage_kpis={"1-3": ["followers"], "4-6": ["engagements"], "7-12": ["revenue"]},
    backtest_origins=6, backtest_horizon=3, n_sims=1000, budget=0, budget_by="campaign_id",
    budget_outcome="revenue", reserve_share=0.15, test_share=0.10, test_units=[], roas_stop_loss=3.0,
    data_dir="", lang="en")


def _check(**changes: Any) -> session.PlanParameters:
    return session.check_parameters(**{**DEFAULTS, **changes})


@pytest.mark.parametrize(("changes", "needle"), [
    ({"plan_year": "soon"}, "plan_year"),
    ({"as_of": "2026-13"}, "as_of"),
    ({"kpis": ["likes"]}, "kpis"),
    ({"kpis": []}, "kpis"),
    ({"ambition": "moonshot"}, "ambition"),
    ({"stretch_quantile": 0.4}, "stretch_quantile"),
    ({"growth_goals": {"revenue": -1.5}}, "growth_goals"),
    ({"growth_goals": {"likes": 0.2}}, "growth_goals"),
    ({"stage_kpis": {"1-4": ["followers"]}}, "stage_kpis"),
    ({"stage_kpis": {"1-3": ["followers"]}, "kpis": ["revenue"]}, "stage_kpis"),
    ({"reserve_share": 0.3}, "reserve_share"),
    ({"budget": -5}, "budget"),
    ({"budget_by": "creative_id"}, "budget_by"),
    ({"n_sims": 10}, "n_sims"),
    ({"account": ["nobody"]}, "nobody"),
])
def test_bad_parameters_are_refused_by_name(changes: dict[str, Any], needle: str, sample_dir: Path) -> None:
    with pytest.raises(ParameterError, match=needle):
        _check(**changes)


def test_defaults_pass_and_name_the_own_accounts(sample_dir: Path) -> None:
    checked = _check()
    assert checked.account_ids == ("own_douyin", "own_xhs", "own_wechat", "own_weibo")
    assert checked.growth_goals == {} and checked.stage_kpis["7-12"] == ("revenue",)


def _prepare(**changes: Any) -> session.PlanRun:
    return session.prepare(**{**DEFAULTS, **changes})


def test_latest_is_the_last_complete_month_and_next_the_year_after(sample_dir: Path) -> None:
    run = _prepare()
    # the sample ends 2026-11-15: October is the last complete month
    assert run.as_of == "2026-10" and run.plan_year == 2027 and not run.replan
    assert run.budget_month == "2026-11" and run.horizon_end == "2027-12"
    assert run.daily["date"].max() == pd.Timestamp("2026-10-31")  # nothing after as_of is read


def test_current_is_a_replan_of_the_year_in_progress(sample_dir: Path) -> None:
    run = _prepare(plan_year="current", as_of="2026-06")
    assert run.plan_year == 2026 and run.replan and run.budget_month == "2026-07"


@pytest.mark.parametrize(("changes", "error", "needle"), [
    ({"as_of": "2026-11"}, DataError, "not a complete month"),
    ({"plan_year": "2025"}, ParameterError, "nothing is left to plan"),
    ({"plan_year": "2030"}, ParameterError, "more than two years"),
    ({"plan_year": "current", "as_of": "2025-12"}, ParameterError, "nothing is left to plan"),
])
def test_months_and_years_that_cannot_be_planned(changes: dict[str, Any], error: type, needle: str,
                                                 sample_dir: Path) -> None:
    with pytest.raises(error, match=needle):
        _prepare(**changes)


def test_stage_lead_takes_the_first_stage_a_kpi_leads() -> None:
    lead = session.stage_lead({"1-3": ("followers",), "4-6": ("engagements", "followers"), "7-12": ("revenue",)})
    assert lead == {"followers": "1-3", "engagements": "4-6", "revenue": "7-12"}
