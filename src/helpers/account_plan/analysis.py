"""The account plan's steps, in the order the notebook calls them, each from the run's checked parameters.

history → backtest → forecasts → targets (and the brand's totals) → stages → budget. Each step is a
thin call of the compute modules (forecast, targets, budget) with the run's settings, so the
notebook's cells stay one line per step; the brand-level tables the charts draw are built here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.account_plan import budget as budgets
from helpers.account_plan import forecast
from helpers.account_plan import targets as plan_targets
from helpers.account_plan.forecast import ForecastSet, KpiForecast
from helpers.account_plan.session import PlanRun
from helpers.account_plan.targets import KIND, Plan
from helpers.i18n import N_
from helpers.keydates import year_dates

__all__ = ["NO_BUDGET", "Accuracy", "Spend", "backtest", "brand_actuals", "brand_forecast", "brand_months",
           "brand_totals", "budget", "forecasts", "history", "key_dates", "stages", "stop_loss", "targets"]


#: What the budget section says without ad_daily.csv (findings and the explorer say it alike).
NO_BUDGET = N_("No ad_daily.csv in the data folder: no budget plan.")


@dataclass(frozen=True)
class Accuracy:
    """The backtest: accuracy per account × KPI × method, and the method each account × KPI's plan uses."""

    accuracy: pd.DataFrame
    """account_id, kpi, method, mase, smape, n_pairs, note."""
    choice: pd.DataFrame
    """account_id, kpi, method, model_mase, baseline_mase, reason, model_smape, baseline_smape, model_coverage,
    baseline_coverage (share of actual months inside the 80 % interval), n_pairs."""
    scale: pd.DataFrame
    """kpi, method, factor, coverage_before, n_pairs: how much the forecast intervals are stretched (calibration)."""
    pairs: pd.DataFrame = field(repr=False)
    """account_id, kpi, method, origin, horizon, month, actual, forecast, scale, p10, p90."""

    def coverage(self, method: str) -> float:
        """Share of all backtested months inside the method's 80 % interval (NaN when none)."""
        rows = self.pairs[self.pairs["method"] == method] if len(self.pairs) else self.pairs
        if rows.empty:
            return float("nan")
        return forecast.interval_coverage(rows["actual"], rows["p10"], rows["p90"])


@dataclass(frozen=True)
class Spend:
    """The budget section: the daily data, the fitted response curves and next month's allocation."""

    days: pd.DataFrame = field(repr=False)
    """unit, channel, date, spend, outcome."""
    curves: dict[str, budgets.ResponseCurve]
    plan: budgets.BudgetPlan
    outcome: str
    month: str
    budget_given: bool

    def chart_table(self) -> pd.DataFrame:
        """Per unit the fitted curve on a spend grid, last month's and the proposed daily spend (for the chart)."""
        rows = []
        table = self.plan.table.set_index("unit")
        for unit, curve in self.curves.items():
            spend = self.days.loc[self.days["unit"] == unit, "spend"]
            grid = np.linspace(0.0, float(spend.max()) * 1.3, 60)
            proposed = table.at[unit, "proposed_spend"] / self.plan.days if unit in table.index else np.nan
            last = table.at[unit, "last_spend"] / self.plan.days if unit in table.index else np.nan
            rows.append({"unit": unit, "shape": curve.shape, "grid": grid, "fitted": curve.expected(grid),
                         "last_daily_spend": last, "proposed_daily_spend": proposed})
        return pd.DataFrame(rows)


def key_dates(run: PlanRun) -> pd.DataFrame:
    """The marketing calendar from the first year of history to the plan year."""
    first = int(pd.Timestamp(run.daily["date"].min()).year)
    return year_dates(list(range(first, run.plan_year + 1)))


def history(run: PlanRun) -> pd.DataFrame:
    """Complete months of every plan KPI per account (account_id, kpi, month, value, days, complete)."""
    actuals = forecast.monthly_actuals(run.daily, run.account_ids)
    return actuals[actuals["complete"].astype(bool)].reset_index(drop=True)


def backtest(run: PlanRun) -> Accuracy:
    """The rolling-origin backtest of the model and the seasonal-naive baseline, and the method chosen."""
    accuracy = forecast.backtest(run.daily, run.account_ids, key_dates=key_dates(run),
                                 origins=run.settings.backtest_origins, max_horizon=run.settings.backtest_horizon,
                                 last_month=run.as_of)
    choice = forecast.choose_methods(accuracy)
    keys = pd.MultiIndex.from_frame(choice[["account_id", "kpi"]])

    def per_method(column: str, method: str) -> np.ndarray:
        wide = accuracy.pivot_table(index=["account_id", "kpi"], columns="method", values=column, aggfunc="first",
                                    dropna=False)
        return wide.reindex(keys)[method].to_numpy() if method in wide else np.full(len(keys), np.nan)

    choice = choice.assign(model_smape=per_method("smape", "model"),
                           baseline_smape=per_method("smape", "seasonal naive"),
                           model_coverage=per_method("coverage_80", "model"),
                           baseline_coverage=per_method("coverage_80", "seasonal naive"),
                           n_pairs=np.fmin(per_method("n_pairs", "model"), per_method("n_pairs", "seasonal naive")))
    pairs = accuracy.attrs.get("pairs", pd.DataFrame())
    return Accuracy(accuracy=accuracy, choice=choice, scale=forecast.interval_scale(pairs), pairs=pairs)


def forecasts(run: PlanRun, accuracy: Accuracy) -> ForecastSet:
    """Simulated monthly paths to the plan year's end, with the method the backtest chose per account × KPI,
    their spread calibrated so the backtest's 80 % intervals would have held 80 % of the months."""
    raw = forecast.forecast_kpis(run.daily, run.account_ids, last_month=run.as_of, horizon_end=run.horizon_end,
                                 key_dates=key_dates(run), methods=accuracy.choice, n_sims=run.settings.n_sims)
    return forecast.calibrate(raw, accuracy.scale)


def targets(run: PlanRun, paths: Mapping[tuple[str, str], KpiForecast], actuals: pd.DataFrame) -> Plan:
    """Annual targets at each ambition level, their chances, and the cascade to quarters and months; a re-plan
    keeps the year's committed targets of the targets file and spreads only what is left of them."""
    s = run.settings
    committed = plan_targets.committed_targets(run.targets, run.plan_year) if run.replan else {}
    return plan_targets.plan_targets(paths, actuals, account_ids=run.account_ids, kpis=s.kpis,
                                     plan_year=run.plan_year, as_of=run.as_of, ambition=s.ambition,
                                     stretch_quantile=s.stretch_quantile, growth_goals=s.growth_goals,
                                     committed=committed)


def brand_totals(run: PlanRun, plan: Plan, paths: Mapping[tuple[str, str], KpiForecast],
                 actuals: pd.DataFrame) -> pd.DataFrame:
    """The brand's annual flow and stock targets (Σ accounts) and the chance of reaching them."""
    return plan_targets.brand_totals(plan, paths, actuals, run.plan_year)


def stages(run: PlanRun, plan: Plan, paths: Mapping[tuple[str, str], KpiForecast],
           actuals: pd.DataFrame) -> pd.DataFrame:
    """Each stage's lead KPIs with their target over the stage and the chance of reaching it."""
    return plan_targets.stage_table(plan, paths, actuals, run.settings.stage_kpis, run.plan_year)


def _summed_paths(paths: Mapping[tuple[str, str], KpiForecast], kpi: str) -> tuple[tuple[str, ...], np.ndarray] | None:
    """The accounts' paths of a KPI added simulation by simulation (None when no account has it)."""
    found = [f for (_a, k), f in paths.items() if k == kpi]
    if not found:
        return None
    return found[0].months, np.sum([f.paths for f in found], axis=0)


def brand_forecast(run: PlanRun, paths: Mapping[tuple[str, str], KpiForecast]) -> pd.DataFrame:
    """The brand's monthly forecast per KPI (kpi, month, p10, p50, p90): Σ accounts; the rate as a ratio of sums."""
    frames = []
    for kpi in run.settings.kpis:
        if KIND[kpi] == "ratio":
            num, den = _summed_paths(paths, "engagements"), _summed_paths(paths, "impressions")
            if num is None or den is None:
                continue
            months, values = num[0], num[1] / den[1]
        else:
            summed = _summed_paths(paths, kpi)
            if summed is None:
                continue
            months, values = summed
        q = np.quantile(values, [0.1, 0.5, 0.9], axis=0)
        frames.append(pd.DataFrame({"kpi": kpi, "month": list(months), "p10": q[0], "p50": q[1], "p90": q[2]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["kpi", "month", "p10", "p50", "p90"])


def brand_actuals(run: PlanRun, actuals: pd.DataFrame) -> pd.DataFrame:
    """The brand's monthly actuals per KPI (kpi, month, value) over the months every account reports."""
    wide = actuals.pivot_table(index=["kpi", "month"], columns="account_id", values="value", aggfunc="first")
    summed = wide.sum(axis=1, min_count=wide.shape[1]).rename("value").reset_index()
    rate = summed[summed["kpi"].isin(["engagements", "impressions"])].pivot(index="month", columns="kpi",
                                                                            values="value")
    if {"engagements", "impressions"} <= set(rate.columns):
        er = (rate["engagements"] / rate["impressions"]).rename("value").reset_index().assign(kpi="engagement_rate")
        summed = pd.concat([summed[summed["kpi"] != "engagement_rate"], er], ignore_index=True)
    return summed[summed["kpi"].isin(run.settings.kpis)].dropna(subset=["value"]).reset_index(drop=True)


def brand_months(plan: Plan) -> pd.DataFrame:
    """The brand's monthly targets, median forecasts and actuals per flow or stock KPI (kpi, period, target, ...)."""
    months = plan.cascade[plan.cascade["period_kind"] == "month"]
    months = months[months["kpi"].map(KIND) != "ratio"]
    return (months.groupby(["kpi", "period"], sort=False)[["target", "forecast_p50", "actual"]]
            .sum(min_count=1).reset_index())


def _last_spend(days: pd.DataFrame, month: str) -> dict[str, float]:
    """Each unit's spend in a month."""
    in_month = days[days["date"].dt.strftime("%Y-%m") == month]
    return {str(u): float(v) for u, v in in_month.groupby("unit")["spend"].sum().items()}


def stop_loss(run: PlanRun) -> float:
    """The stop-loss the allocation keeps: the ROAS parameter for revenue; none for conversions (not money)."""
    return run.settings.roas_stop_loss if run.settings.budget_outcome == "revenue" else 0.0


def budget(run: PlanRun) -> Spend | None:
    """Response curves from ad_daily and next month's allocation (None when the data folder has no ad_daily)."""
    ads = run.ad_daily
    if ads is None or ads.empty:
        return None
    s = run.settings
    days = budgets.daily_spend_and_return(ads, by=s.budget_by, outcome=s.budget_outcome)
    curves = budgets.fit_response_curves(ads, by=s.budget_by, outcome=s.budget_outcome)
    last = _last_spend(days, run.as_of)
    month_days = int(pd.Period(run.budget_month, freq="M").days_in_month)
    last_days = int(pd.Period(run.as_of, freq="M").days_in_month)
    amount = s.budget if s.budget > 0 else sum(last.values()) * month_days / last_days
    plan = budgets.allocate_budget(curves, budget=amount, days=month_days,
                                   last_spend={u: v * month_days / last_days for u, v in last.items()},
                                   stop_loss=stop_loss(run), reserve_share=s.reserve_share, test_share=s.test_share,
                                   test_units=s.test_units)
    return Spend(days=days, curves=curves, plan=plan, outcome=s.budget_outcome, month=run.budget_month,
                 budget_given=s.budget > 0)
