"""Benchmark: the account plan's compute for an agency's many accounts, against the fitting floor.

Data: the sample's own accounts' account_daily (2024-11-01 .. 2026-11-15) copied ``--accounts`` ÷ 4 times
with new ids, each copy's values multiplied by a random level (0.5–2×) and day noise (lognormal σ 0.05),
so every copy is a distinct, realistic history. ad_daily is the sample's four campaigns (the budget does
not grow with accounts: it is the brand's).

Stages, timed in one process in the notebook's order (helpers.account_plan.analysis), on a 2027 plan as of
2026-10: monthly actuals, the backtest (6 origins × 3 horizons, both methods, 200 paths), the final
forecast (1,000 paths to 2027-12), the interval calibration, targets with their cascade, the brand
totals and stages, and the budget (curves + allocation).

The floor: the same daily OLS fits the backtest and the forecast make (one per account × base flow ×
origin, plus the final ones), as bare numpy least squares on the same design matrices, without the
coefficient covariance, simulation or monthly sums: the cost any daily-regression forecast has to pay.

    .venv/bin/python benchmarks/bench_account_plan.py [--accounts 4 40 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from record import Row, record
from threadpoolctl import threadpool_limits

from helpers import config
from helpers.account_plan import analysis, forecast
from helpers.account_plan.session import PLAN_KPI_NAMES, STAGES
from helpers.keydates import year_dates

OWN = ("own_douyin", "own_xhs", "own_wechat", "own_weibo")
METRICS = ("followers", "followers_gained", "followers_lost", "impressions", "reach", "profile_visits",
           "engagements", "link_clicks", "conversions", "revenue")


def histories(n_accounts: int, seed: int = 19) -> pd.DataFrame:
    """account_daily for n accounts: copies of the four own sample accounts at random levels."""
    daily = pd.read_csv(config.SAMPLE_DATA / "account_daily.csv", parse_dates=["date"])
    own = daily[daily["account_id"].isin(OWN)]
    rng = np.random.default_rng(seed)
    frames = []
    for copy in range((n_accounts + len(OWN) - 1) // len(OWN)):
        for account_id in OWN:
            if len(frames) == n_accounts:
                break
            rows = own[own["account_id"] == account_id].copy()
            level = rng.uniform(0.5, 2.0)
            for column in METRICS:
                noise = rng.lognormal(-0.5 * 0.05**2, 0.05, len(rows)) if column != "followers" else 1.0
                rows[column] = np.round(rows[column] * level * noise) if column != "revenue" else (
                    rows[column] * level * noise)
            rows["account_id"] = f"{account_id}_{copy}"
            frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def run_of(daily: pd.DataFrame, ads: pd.DataFrame) -> Any:
    """A stand-in for session.PlanRun with the notebook's defaults (prepare reads a data folder)."""
    ids = tuple(daily["account_id"].unique())
    settings = SimpleNamespace(
        kpis=PLAN_KPI_NAMES, ambition="stretch", stretch_quantile=0.75, growth_goals={},
        stage_kpis={STAGES[0]: ("followers", "net_follower_change", "impressions"),
                    STAGES[1]: ("engagements", "engagement_rate"), STAGES[2]: ("conversions", "revenue")},
        backtest_origins=6, backtest_horizon=3, n_sims=1000, budget=0.0, budget_by="campaign_id",
        budget_outcome="revenue", reserve_share=0.15, test_share=0.10, test_units=(), roas_stop_loss=3.0)
    upto = daily[daily["date"] <= "2026-10-31"].reset_index(drop=True)
    return SimpleNamespace(settings=settings, account_ids=ids, as_of="2026-10", plan_year=2027, replan=False,
                           horizon_end="2027-12", budget_month="2026-11", daily=upto, targets=None,
                           ad_daily=ads[ads["date"] <= "2026-10-31"].reset_index(drop=True))


def timed(stages: dict[str, float], name: str, step: Any, *args: Any) -> Any:
    """Run one stage and keep its wall time."""
    start = time.perf_counter()
    out = step(*args)
    stages[name] = time.perf_counter() - start
    return out


def plan_stages(run: Any) -> dict[str, float]:
    """Wall time of each stage of the plan, in the notebook's order."""
    stages: dict[str, float] = {}
    actuals = timed(stages, "actuals", analysis.history, run)
    accuracy = timed(stages, "backtest", analysis.backtest, run)
    paths = timed(stages, "forecast + calibration", analysis.forecasts, run, accuracy)
    plan = timed(stages, "targets + cascade", analysis.targets, run, paths, actuals)
    timed(stages, "brand totals + stages", lambda: (analysis.brand_totals(run, plan, paths, actuals),
                                                    analysis.stages(run, plan, paths, actuals)))
    timed(stages, "budget", analysis.budget, run)
    return stages


def floor_seconds(run: Any) -> float:
    """Bare least squares on the same daily designs: one per account × base flow × origin, plus the final fits."""
    windows = forecast.festival_windows(year_dates(range(2024, 2028)))
    months = pd.period_range("2024-11", "2026-10", freq="M")
    origins = [m for m in months[-run.settings.backtest_origins:] if (months < m).sum() >= 13]
    flows = [f for f in forecast.BASE_FLOWS if f in run.daily.columns]
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):  # as the forecast fits: one BLAS thread
        _fits(run, windows, origins, flows)
    return time.perf_counter() - start


def _fits(run: Any, windows: pd.DataFrame, origins: list[pd.Period], flows: list[str]) -> None:
    """The floor's least-squares fits."""
    for _account, rows in run.daily.groupby("account_id"):
        dates = pd.DatetimeIndex(rows["date"])
        full = forecast._design(dates, dates[0], windows, 2).to_numpy()  # the designs the forecast builds, once
        for end in [*(o.start_time for o in origins), pd.Timestamp("2026-11-01")]:
            keep = np.asarray(dates < end)
            design = full[keep][:, np.abs(full[keep]).sum(axis=0) > 0]
            for flow in flows:
                np.linalg.lstsq(design, np.log1p(rows[flow].to_numpy()[keep]), rcond=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[4, 40, 100])
    args = parser.parse_args()
    ads = pd.read_csv(config.SAMPLE_DATA / "ad_daily.csv", parse_dates=["date"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for n in args.accounts:
        run = run_of(histories(n), ads)
        stages = plan_stages(run)
        total = sum(stages.values())
        floor = floor_seconds(run)
        print(f"\n{n} accounts: {total:.1f} s in all ({total / n:.2f} s per account); "
              f"floor (bare daily least squares) {floor:.1f} s")
        for name, seconds in stages.items():
            print(f"  {name:<24} {seconds:7.2f} s")
        record("bench_account_plan.py", Row(f"account plan, {n} accounts: time", total, "s", floor,
                                            "bare daily least squares on the same designs"))


if __name__ == "__main__":
    main()
