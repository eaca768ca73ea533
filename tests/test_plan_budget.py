"""Budget by return (helpers.account_plan.budget): response curves and the allocation.

Expectations are independent of the code: simulated data with known curves, hand formulas
(Σ revenue ÷ Σ spend, the planted sample's a and b), a central-difference derivative and a brute-force
grid over budget splits.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.account_plan.budget import (
    BudgetPlan,
    ResponseCurve,
    allocate_budget,
    curves_table,
    daily_spend_and_return,
    fit_response_curves,
)
from helpers.anomaly import festival_days
from helpers.errors import DataError, ParameterError
from helpers.sample import PLANTED

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "ad_daily.csv"


def _ads(spend: np.ndarray, revenue: np.ndarray, unit: str = "cmp_x", start: str = "2025-01-01",
         channel: str = "feed") -> pd.DataFrame:
    """One campaign's ad_daily rows, one creative per day."""
    dates = pd.date_range(start, periods=len(spend), freq="D")
    return pd.DataFrame({"date": dates, "account_id": "own_a", "campaign_id": unit, "channel": channel,
                         "creative_id": f"cr_{unit}", "spend": spend, "impressions": 1000, "clicks": 50,
                         "conversions": np.round(revenue / 100), "revenue": revenue})


def _saturating(spend: np.ndarray, a: float, b: float) -> np.ndarray:
    return a * (1 - np.exp(-spend / b))


def _curve(unit: str, a: float, b: float) -> ResponseCurve:
    """A saturating curve known exactly (tiny covariance), as if fitted."""
    return ResponseCurve(unit=unit, channel="feed", shape="saturating", params=(a, b, 1.0),
                         cov=np.diag([1e-6, 1e-6, 0.0]), n_days=365, spend_cv=0.4, warning="")


def _ratios(spend: np.ndarray, revenue: np.ndarray, start: str = "2025-01-01") -> tuple[float, float]:
    """Closed-form WLS (variance ∝ spend) of outcome = r·spend·m^F: r = Σ ordinary outcome ÷ Σ ordinary spend,
    r·m = the same ratio over festival days."""
    dates = pd.date_range(start, periods=len(spend), freq="D")
    fest = dates.isin(festival_days(dates[0], dates[-1])["date"])
    r = revenue[~fest].sum() / spend[~fest].sum()
    return r, revenue[fest].sum() / spend[fest].sum() / r


def _line(unit: str, r: float, warning: str = "") -> ResponseCurve:
    return ResponseCurve(unit=unit, channel="search", shape="constant", params=(r, 1.0),
                         cov=np.diag([1e-8, 0.0]), n_days=365, spend_cv=0.4 if not warning else 0.05,
                         warning=warning)


# ---------------------------------------------------------------------------------------- curves

def test_daily_totals_sum_creatives_and_skip_missing_outcome() -> None:
    ads = pd.concat([_ads(np.array([100.0, 200.0]), np.array([300.0, 500.0])),
                     _ads(np.array([50.0, 10.0]), np.array([np.nan, 40.0]))])
    daily = daily_spend_and_return(ads)
    # day 1: revenue of the second creative unknown, so the day's outcome is unknown (missing is not zero)
    assert daily["spend"].tolist() == [150.0, 210.0]
    assert np.isnan(daily["outcome"].iloc[0]) and daily["outcome"].iloc[1] == 540.0
    assert set(daily.columns) >= {"unit", "channel", "date", "spend", "outcome"}


def test_missing_revenue_column_is_a_data_error() -> None:
    ads = _ads(np.array([100.0]), np.array([300.0])).drop(columns="revenue")
    with pytest.raises(DataError, match="revenue"):
        daily_spend_and_return(ads)
    assert daily_spend_and_return(ads, outcome="conversions")["outcome"].tolist() == [3.0]


def test_known_saturating_curve_is_recovered() -> None:
    rng = np.random.default_rng(7)
    a, b = 6000.0, 1200.0
    spend = 1200 * rng.lognormal(-0.08, 0.4, 500)
    revenue = _saturating(spend, a, b) * rng.lognormal(-0.005, 0.1, 500)
    curve = fit_response_curves(_ads(spend, revenue))["cmp_x"]
    assert curve.shape == "saturating" and curve.warning == ""
    fa, fb = curve.params[:2]
    assert fa == pytest.approx(a, rel=0.08) and fb == pytest.approx(b, rel=0.12)
    se = np.sqrt(np.diag(curve.cov))
    assert abs(fa - a) < 1.96 * se[0] * 1.5 and abs(fb - b) < 1.96 * se[1] * 1.5  # intervals cover the truth
    assert curve.n_days == 500
    assert curve.spend_cv == pytest.approx(spend.std(ddof=1) / spend.mean(), rel=1e-9)


def test_constant_returns_choose_the_line_at_the_average_roas() -> None:
    rng = np.random.default_rng(3)
    spend = 800 * rng.lognormal(0, 0.4, 400)
    revenue = 4.0 * spend * rng.lognormal(-0.005, 0.1, 400)
    curve = fit_response_curves(_ads(spend, revenue))["cmp_x"]
    assert curve.shape == "constant" and curve.warning == ""
    r, m = _ratios(spend, revenue)
    assert curve.params[0] == pytest.approx(r, rel=1e-6) and curve.params[1] == pytest.approx(m, rel=1e-6)


def test_flat_spend_falls_back_with_the_cv_in_the_warning() -> None:
    rng = np.random.default_rng(4)
    spend = 2500 * rng.lognormal(0, 0.05, 300)
    revenue = _saturating(spend, 20000, 2500) * rng.lognormal(0, 0.1, 300)
    curve = fit_response_curves(_ads(spend, revenue))["cmp_x"]
    cv = spend.std(ddof=1) / spend.mean()
    assert curve.shape == "constant"
    assert f"CV {cv:.2f} < 0.20" in curve.warning
    assert curve.params[0] == pytest.approx(_ratios(spend, revenue)[0], rel=1e-6)


def test_line_without_festival_days_is_the_average_roas() -> None:
    rng = np.random.default_rng(8)
    spend = 900 * rng.lognormal(0, 0.4, 90)  # 2025-07-01 .. 2025-09-28: no festival window
    revenue = 3.5 * spend * rng.lognormal(0, 0.1, 90)
    curve = fit_response_curves(_ads(spend, revenue, start="2025-07-01"))["cmp_x"]
    assert curve.shape == "constant" and curve.params == pytest.approx((revenue.sum() / spend.sum(), 1.0), rel=1e-6)


def test_too_few_days_fall_back() -> None:
    rng = np.random.default_rng(5)
    spend = 1000 * rng.lognormal(0, 0.4, 40)
    curve = fit_response_curves(_ads(spend, 5 * spend))["cmp_x"]
    assert curve.shape == "constant" and "40 days" in curve.warning and "60" in curve.warning


def test_channels_as_units_and_conversions_as_outcome() -> None:
    ads = pd.concat([_ads(np.array([100.0, 200.0]), np.array([300.0, 500.0]), unit="c1", channel="feed"),
                     _ads(np.array([50.0, 10.0]), np.array([200.0, 40.0]), unit="c2", channel="feed")])
    daily = daily_spend_and_return(ads, by="channel", outcome="conversions")
    # conversions = round(revenue / 100): day 1 3 + 2, day 2 5 + 0
    assert daily["unit"].tolist() == ["feed", "feed"] and daily["outcome"].tolist() == [5.0, 5.0]


def test_festival_lift_is_a_multiplicative_factor() -> None:
    rng = np.random.default_rng(11)
    n = 730
    dates = pd.date_range("2024-01-01", periods=n, freq="D")
    festive = dates.isin(festival_days(dates[0], dates[-1])["date"])
    spend = 1000 * rng.lognormal(0, 0.4, n) * np.where(festive, 1.8, 1.0)  # more spend on festival days
    revenue = _saturating(spend, 5000, 1000) * np.where(festive, 1.5, 1.0) * rng.lognormal(0, 0.08, n)
    curve = fit_response_curves(_ads(spend, revenue, start="2024-01-01"))["cmp_x"]
    assert curve.shape == "saturating"
    assert curve.params[0] == pytest.approx(5000, rel=0.08) and curve.params[1] == pytest.approx(1000, rel=0.12)
    assert curve.params[2] == pytest.approx(1.5, rel=0.05)


def test_marginal_is_the_derivative_of_expected() -> None:
    for curve in (_curve("a", 5000, 900), _line("b", 3.7)):
        s = np.array([200.0, 900.0, 2500.0])
        h = 1e-3
        numeric = (curve.expected(s + h) - curve.expected(s - h)) / (2 * h)
        np.testing.assert_allclose(curve.marginal(s), numeric, rtol=1e-6)
    np.testing.assert_allclose(_curve("a", 5000, 900).expected(np.array([900.0])), 5000 * (1 - np.exp(-1)))


def test_curves_table_has_one_row_per_unit() -> None:
    table = curves_table({"a": _curve("a", 5000, 900), "b": _line("b", 3.7, warning="spend hardly varied")})
    assert table["unit"].tolist() == ["a", "b"]
    assert {"unit", "channel", "shape", "a", "b", "roas", "n_days", "spend_cv", "warning"} <= set(table.columns)
    assert table.loc[0, "a"] == 5000 and np.isnan(table.loc[0, "roas"]) and table.loc[1, "roas"] == 3.7


# ---------------------------------------------------------------------------------------- allocation

def _grid_best(curves: dict[str, ResponseCurve], total_daily: float, upper: dict[str, float], stop_loss: float,
               step: float) -> tuple[float, dict[str, float]]:
    """Brute force: every split of at most the daily amount on a grid, each unit's next yuan returning ≥ the
    stop-loss (checked by a finite difference); the best one. The last unit takes the largest feasible grid
    value that fits, since more spend never lowers an increasing curve."""
    names = list(curves)

    def next_yuan(n: str, s: float) -> float:
        return float(curves[n].expected(np.array([s + 1.0]))[0] - curves[n].expected(np.array([s]))[0])

    grids = {n: [s for s in np.arange(0, upper[n] + step / 2, step) if s == 0 or next_yuan(n, s - 1) >= stop_loss]
             for n in names}
    best, split = -np.inf, {}
    for combo in itertools.product(*(grids[n] for n in names[:-1])):
        left = total_daily - sum(combo)
        if left < -1e-9:
            continue
        last = max(s for s in grids[names[-1]] if s <= left + 1e-9)
        spends = dict(zip(names, [*combo, last], strict=True))
        value = sum(float(curves[n].expected(np.array([s]))[0]) for n, s in spends.items())
        if value > best:
            best, split = value, spends
    return best, split


def test_allocation_matches_a_brute_force_grid() -> None:
    curves = {"a": _curve("a", 6000, 1000), "b": _curve("b", 3000, 400), "c": _line("c", 3.4)}
    days, budget = 30, 30 * 4000 / 0.75
    last = {"a": 30 * 1500.0, "b": 30 * 600.0, "c": 30 * 1000.0}
    plan = allocate_budget(curves, budget=budget, days=days, last_spend=last, stop_loss=3.0,
                           reserve_share=0.15, test_share=0.10)
    upper = {k: 2 * v / days for k, v in last.items()}
    best, split = _grid_best(curves, 4000.0, upper, 3.0, step=10.0)
    table = plan.table.set_index("unit")
    got_daily = table["proposed_spend"] / days
    optimiser = sum(float(curves[u].expected(np.array([got_daily[u]]))[0]) for u in curves)
    assert best <= optimiser + 1e-6 * best + 1.0
    for unit in curves:
        assert got_daily[unit] == pytest.approx(split[unit], abs=15.0)
    assert isinstance(plan, BudgetPlan)


def test_stop_loss_caps_spend_and_flags_a_unit_under_it() -> None:
    # a: marginal ROAS (a/b)e^(-s/b) = 3 at some s; b: a/b = 2.5 < 3 even at the first yuan; c: line 2.0
    curves = {"a": _curve("a", 6000, 1000), "b": _curve("b", 1000, 400), "c": _line("c", 2.0)}
    days = 10
    last = {"a": 10 * 1000.0, "b": 10 * 500.0, "c": 10 * 500.0}
    plan = allocate_budget(curves, budget=100_000, days=days, last_spend=last, stop_loss=3.0,
                           min_spend={"c": 1000.0}, max_spend={"a": 1e9})
    table = plan.table.set_index("unit")
    # cap of a: the next yuan returns 6000/1000·e^(-s/1000) = 3 at s = 1000·ln 2 = 693.15 a day
    assert table.loc["a", "proposed_spend"] / days == pytest.approx(1000 * np.log(2), rel=1e-6)
    assert table.loc["a", "marginal_roas"] == pytest.approx(3.0) and table.loc["a", "average_roas"] > 3
    assert table.loc["b", "proposed_spend"] == 0 and "stop-loss" in table.loc["b", "warning"]
    assert table.loc["c", "proposed_spend"] == 1000 and "stop-loss" in table.loc["c", "warning"]
    placed = table["proposed_spend"].sum()
    assert plan.unplaced == pytest.approx(100_000 - plan.reserve - placed)
    assert plan.unplaced > 0 and plan.unplaced_reason


def test_reserve_test_slice_and_unplaced_sum_to_the_budget() -> None:
    curves = {"a": _curve("a", 6000, 1000), "b": _line("b", 4.0, warning="spend hardly varied: CV 0.05 < 0.20")}
    plan = allocate_budget(curves, budget=300_000, days=30, last_spend={"a": 40_000.0, "b": 40_000.0},
                           test_units=("new_channel",))
    table = plan.table.set_index("unit")
    assert plan.reserve == pytest.approx(0.15 * 300_000)
    assert plan.test_slice == pytest.approx(0.10 * 300_000)
    # b (on the fallback line) is held at its last pace; the named new unit takes the whole test slice
    assert table.loc["b", "role"] == "hold" and table.loc["b", "proposed_spend"] == pytest.approx(40_000)
    assert table.loc["new_channel", "role"] == "test"
    assert table.loc["new_channel", "proposed_spend"] + plan.unplaced_test == pytest.approx(30_000)
    assert np.isnan(table.loc["new_channel", "expected_return"])  # no curve: unknown, not zero
    total = table["proposed_spend"].sum() + plan.reserve + plan.unplaced
    assert total == pytest.approx(300_000)
    assert table.loc["a", "change"] == pytest.approx(table.loc["a", "proposed_spend"] - 40_000)


def test_held_unit_without_test_units_gets_the_test_slice_as_a_budget_test() -> None:
    curves = {"a": _curve("a", 6000, 1000), "b": _line("b", 4.0, warning="spend hardly varied: CV 0.05 < 0.20")}
    plan = allocate_budget(curves, budget=300_000, days=30, last_spend={"a": 40_000.0, "b": 40_000.0})
    table = plan.table.set_index("unit")
    # b: its pace 40,000 plus the whole test slice 30,000 (under its 2 × 40,000 maximum)
    assert table.loc["b", "proposed_spend"] == pytest.approx(70_000) and "budget test" in table.loc["b", "warning"]
    # a gets what is left, up to its caps; reserve + everything placed + unplaced = the budget
    assert table["proposed_spend"].sum() + plan.reserve + plan.unplaced == pytest.approx(300_000)


def test_intervals_bracket_the_median() -> None:
    cov = np.array([[250_000.0, 30_000.0, 0], [30_000.0, 10_000.0, 0], [0, 0, 0]])
    curves = {"a": ResponseCurve("a", "feed", "saturating", (6000.0, 1000.0, 1.0), cov, 365, 0.4, "")}
    plan = allocate_budget(curves, budget=100_000, days=30, last_spend={"a": 50_000.0}, n_draws=2000, seed=1)
    row = plan.table.iloc[0]
    assert row["return_low"] < row["expected_return"] < row["return_high"]
    point = 30 * 6000 * (1 - np.exp(-row["proposed_spend"] / 30 / 1000))
    assert row["expected_return"] == pytest.approx(point, rel=0.02)
    assert plan.total_low <= plan.total_expected <= plan.total_high
    again = allocate_budget(curves, budget=100_000, days=30, last_spend={"a": 50_000.0}, n_draws=2000, seed=1)
    assert again.total_expected == plan.total_expected  # deterministic
    assert "BudgetPlan" in repr(plan)


@pytest.mark.parametrize("kwargs, match", [
    ({"reserve_share": 0.25}, "10.*20"),
    ({"budget": -1.0}, "budget"),
    ({"days": 0}, "days"),
    ({"test_units": ("nope",)}, None),
    ({"min_spend": {"zzz": 1.0}}, "zzz"),
    ({"max_spend": {"zzz": 1.0}}, "zzz"),
    ({"min_spend": {"a": 1e9}}, "min"),
])
def test_bad_parameters(kwargs: dict, match: str | None) -> None:
    curves = {"a": _curve("a", 6000, 1000)}
    args = {"budget": 100_000.0, "days": 30, "last_spend": {"a": 40_000.0}, **kwargs}
    if match is None:  # a new unit in test_units is allowed
        allocate_budget(curves, **args)
        return
    with pytest.raises(ParameterError, match=match):
        allocate_budget(curves, **args)


# ---------------------------------------------------------------------------------------- the sample

@pytest.fixture(scope="module")
def sample_curves() -> dict[str, ResponseCurve]:
    if not SAMPLE.exists():
        pytest.skip("sample data not generated (make, or helpers.sample.ensure_sample())")
    ads = pd.read_csv(SAMPLE, parse_dates=["date"], encoding="utf-8-sig")
    return fit_response_curves(ads)


def test_sample_curves_find_the_planted_shapes(sample_curves: dict[str, ResponseCurve]) -> None:
    sat = sample_curves[PLANTED.saturating_campaign]
    assert sat.shape == "saturating" and sat.warning == ""
    b = PLANTED.saturation_spend
    a = PLANTED.campaign_roas[PLANTED.saturating_campaign] * b / (1 - np.exp(-1))
    assert sat.params[1] == pytest.approx(b, rel=0.15) and sat.params[0] == pytest.approx(a, rel=0.10)
    assert sat.marginal(np.array([b]))[0] < 3.0  # planted 2.62 at the usual spend
    const = sample_curves[PLANTED.constant_campaign]
    assert const.shape == "constant" and const.warning == ""
    flat = sample_curves[PLANTED.flat_spend_campaign]
    assert flat.shape == "constant" and "CV" in flat.warning and flat.spend_cv < 0.2


def test_sample_plan_cuts_the_stop_loss_campaign(sample_curves: dict[str, ResponseCurve]) -> None:
    last = dict.fromkeys(sample_curves, 31 * 5000.0)
    plan = allocate_budget(sample_curves, budget=31 * 20_000.0, days=31, last_spend=last)
    table = plan.table.set_index("unit")
    assert "stop-loss" in table.loc[PLANTED.stop_loss_campaign, "warning"]
    assert table.loc[PLANTED.stop_loss_campaign, "proposed_spend"] == 0
    # the flat-spend campaign is held at its last pace, and with no test unit named the test slice is its
    # budget test (the stop-loss campaign has an identified line, so it is cut, not tested)
    assert table.loc[PLANTED.flat_spend_campaign, "role"] == "hold"
    assert table.loc[PLANTED.flat_spend_campaign, "proposed_spend"] == pytest.approx(31 * 5000.0 + plan.test_slice)
    placed = table.loc[table["proposed_spend"] > 0]
    assert (placed["average_roas"] >= 3 - 1e-6).all()
