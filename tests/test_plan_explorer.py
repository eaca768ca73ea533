"""The budget explorer: each slider re-allocates with the fitted curves, and the view says what changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.account_plan import analysis, charts, session
from helpers.account_plan.budget import allocate_budget
from helpers.sample import PLANTED


@pytest.fixture(scope="module")
def planned(sample_dir: Path) -> tuple[Any, Any]:
    run = session.prepare(account="own", plan_year="next", as_of="latest",
                          kpis=["followers", "revenue"], ambition="stretch", stretch_quantile=0.75, growth_goals={},
                          stage_kpis={"1-3": ["followers"], "7-12": ["revenue"]}, backtest_origins=6,
                          backtest_horizon=3, n_sims=200, budget=0, budget_by="campaign_id", budget_outcome="revenue",
                          reserve_share=0.15, test_share=0.10, test_units=[], roas_stop_loss=3.0, data_dir="",
                          lang="en")
    return run, analysis.budget(run)


@pytest.fixture
def explorer(planned: tuple[Any, Any]) -> Iterator[Any]:
    run, spend = planned
    ex = charts.budget_explorer(spend, run)
    ex.redraw()
    yield ex


def test_first_view_is_the_plan_of_the_report(explorer: Any, planned: tuple[Any, Any]) -> None:
    _run, spend = planned
    assert explorer.name == "budget" and len(explorer.controls) == 4
    assert explorer.image.value  # the allocation chart is drawn
    # the same allocation as the report's budget section (the slider starts at the report's budget)
    assert f"{spend.plan.reserve:,.0f}" in explorer.text.value


def test_a_lower_stop_loss_lets_the_saturated_campaign_spend_more(explorer: Any, planned: tuple[Any, Any]) -> None:
    _run, spend = planned
    table = spend.plan.table.set_index("unit")
    last = dict(zip(spend.plan.table["unit"], spend.plan.table["last_spend"], strict=True))
    explorer.controls[3].value = 2.0
    explorer.redraw()
    expected = allocate_budget(spend.curves, budget=spend.plan.budget, days=spend.plan.days, last_spend=last,
                               stop_loss=2.0, reserve_share=0.15, test_share=0.10, n_draws=200).table.set_index("unit")
    saturated = PLANTED.saturating_campaign
    # at 2:1 the next yuan may return less than 3, so the saturated campaign's cap moves up
    assert expected.loc[saturated, "proposed_spend"] > table.loc[saturated, "proposed_spend"]
    assert f"{expected.loc[saturated, 'proposed_spend']:,.0f}" in explorer.tables.value
