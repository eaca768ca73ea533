"""Targets from forecasts: ambition levels, the chance of reaching them, and the annual → quarter → month cascade.

METHODOLOGY 1–2: a plan runs in stages with SMART goals, and long-term targets are broken into
quarterly, then monthly targets. This module turns the forecast's simulated monthly paths into them.

- **Ambition levels.** For each account × KPI, the plan year's total is simulated from the paths
  (actual months count as they happened). *baseline* = the median of that total (an even chance),
  *stretch* = a chosen quantile (0.75: reached one time in four if the forecast is right), *growth* =
  a growth goal the user gives, over the year before the plan year. The probability of reaching a
  target is the share of simulated totals at or above it.
- **Kinds of KPI** follow the period review: a flow (impressions, engagements, conversions, revenue,
  net follower change) is summed over months; followers is a stock, whose year and quarter targets
  are their last month's; the engagement rate is a ratio of sums (Σengagements ÷ Σimpressions), so
  its annual value is simulated from the two flows' paths, never averaged from monthly rates.
- **Cascade** by the fitted seasonality: a flow's remaining annual target is spread over the
  remaining months in proportion to their median forecast (evenly by days when a median is not
  positive, e.g. a net follower change near zero); a stock follows its forecast path and closes the
  gap to the year-end target in proportion to elapsed days; a ratio scales each month's forecast
  rate. Quarter targets are the sum of their months (flows), their last month (stock) or the
  impressions-weighted rate (ratio).
- **Re-planning mid-year** keeps the months with actuals as they are: only the remainder of the
  annual target is spread, and rows for months already closed are not rewritten (the targets file
  keeps what it had).

Pitfalls: the probability is only as good as the forecast's intervals (the backtest says how good);
a stretch quantile of a wide forecast can be far from the median; a growth goal the forecast gives
a 5 % chance is a wish, not a plan — the table says so with the probability next to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from helpers.errors import ParameterError

__all__ = [
    "AMBITIONS",
    "KIND",
    "PathsLike",
    "Plan",
    "annual_paths",
    "brand_totals",
    "cascade",
    "committed_targets",
    "merge_targets",
    "plan_months",
    "plan_targets",
    "stage_table",
]

#: Ambition levels a target can be set at ("committed": a re-plan keeps the year's target already agreed).
AMBITIONS: tuple[str, ...] = ("baseline", "stretch", "growth", "committed")
#: How a KPI adds up over months (the period review's conventions).
KIND: dict[str, str] = {"followers": "stock", "net_follower_change": "flow", "impressions": "flow",
                        "engagements": "flow", "engagement_rate": "ratio", "conversions": "flow", "revenue": "flow"}
_RATIO_PARTS = ("engagements", "impressions")


class PathsLike(Protocol):
    """What the cascade needs of a forecast: its months and simulated monthly values."""

    @property
    def months(self) -> tuple[str, ...]:
        """The forecast months, 'YYYY-MM', consecutive."""

    @property
    def paths(self) -> np.ndarray:
        """(n_sims, len(months)) simulated monthly values."""


def plan_months(plan_year: int) -> list[str]:
    """The twelve month labels of a calendar plan year."""
    return [f"{plan_year}-{m:02d}" for m in range(1, 13)]


def _days(month: str) -> int:
    """Days in a month label."""
    return int(pd.Period(month, freq="M").days_in_month)


def _month_values(paths: PathsLike, months: Sequence[str], actual: Mapping[str, float]) -> np.ndarray:
    """(n_sims, len(months)) values: the actual where the month has one, else the simulated path."""
    index = {m: i for i, m in enumerate(paths.months)}
    n = paths.paths.shape[0]
    columns = []
    for month in months:
        if month in actual and not math.isnan(actual[month]):
            columns.append(np.full(n, float(actual[month])))
        elif month in index:
            columns.append(paths.paths[:, index[month]].astype(float))
        else:
            columns.append(np.full(n, np.nan))
    return np.column_stack(columns)


def annual_paths(kind: str, values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Simulated totals of the plan year from monthly values: sum (flow), last month (stock) or a ratio of sums.

    For a ratio, ``values`` holds the numerator's months and ``weights`` the denominator's.
    """
    if kind == "flow":
        return values.sum(axis=1)
    if kind == "stock":
        return values[:, -1]
    if weights is None:
        raise ValueError("a ratio's annual value needs its denominator's months (weights)")
    return values.sum(axis=1) / weights.sum(axis=1)


@dataclass(frozen=True)
class Plan:
    """Proposed targets: the annual levels with their chances, and the monthly/quarterly cascade."""

    annual: pd.DataFrame
    """account_id, kpi, kind, level (written), reference, baseline, stretch, growth, committed, target,
    p_baseline, p_stretch, p_growth, p_committed, p_target, months_actual, actual_to_date."""
    cascade: pd.DataFrame
    """account_id, kpi, period, period_kind (month/quarter/year), target, forecast_p50, actual, written."""

    def __repr__(self) -> str:
        return (f"Plan({len(self.annual)} account × KPI targets, "
                f"{int(self.cascade['written'].sum())} rows to write)")

    def rows(self) -> pd.DataFrame:
        """The targets to write, in the schema of targets.csv (account_id, kpi, period, target)."""
        written = self.cascade[self.cascade["written"].astype(bool)]
        return written[["account_id", "kpi", "period", "target"]].reset_index(drop=True)


def _probability(sims: np.ndarray, target: float) -> float:
    """Share of simulated values at or above a target (NaN when the target is missing)."""
    finite = sims[np.isfinite(sims)]
    if math.isnan(target) or not len(finite):
        return math.nan
    return float(np.mean(finite >= target - 1e-9 * max(1.0, abs(target))))


def _check_levels(ambition: str, stretch_quantile: float, growth_goals: Mapping[str, float]) -> None:
    """Refuse an unknown ambition, a stretch quantile that is not above the median, or a growth goal under −100 %."""
    if ambition not in ("baseline", "stretch"):
        raise ParameterError(f"Parameter ambition={ambition!r} is not valid; use baseline or stretch "
                             "(growth goals are given per KPI in growth_goals).")
    if not 0.5 < stretch_quantile < 1.0:
        raise ParameterError(f"Parameter stretch_quantile={stretch_quantile!r} must be above 0.5 and below 1 "
                             "(0.75: a target the forecast reaches one time in four).")
    bad = {k: v for k, v in growth_goals.items() if k not in KIND or v <= -1.0}
    if bad:
        raise ParameterError(f"Parameter growth_goals has {bad}: name KPIs of {', '.join(KIND)} with a growth "
                             "above −1 (0.3 = +30 % over the year before the plan).")


_Lookup = dict[tuple[str, str], dict[str, float]]


def _actual_index(actuals: pd.DataFrame) -> _Lookup:
    """(account_id, kpi) → month → actual value, over complete months only, built once per call."""
    rows = actuals[actuals["complete"].astype(bool)] if "complete" in actuals else actuals
    out: _Lookup = {}
    for account_id, kpi, month, value in zip(rows["account_id"].astype(str), rows["kpi"].astype(str),
                                             rows["month"].astype(str), rows["value"].astype(float), strict=True):
        out.setdefault((account_id, kpi), {})[month] = value
    return out


@dataclass(frozen=True)
class _Sims:
    """Simulated monthly values of one account × KPI over a run of months (and the ratio's parts)."""

    kind: str
    values: np.ndarray
    weights: np.ndarray | None = None

    def annual(self, columns: slice | np.ndarray) -> np.ndarray:
        """The simulated total over some of the months."""
        w = None if self.weights is None else self.weights[:, columns]
        return annual_paths(self.kind, self.values[:, columns], w)

    def median_months(self) -> np.ndarray:
        """The month-by-month median (a ratio: median of the numerator ÷ median of the denominator)."""
        if self.weights is None:
            return np.nanmedian(self.values, axis=0)
        return np.nanmedian(self.values, axis=0) / np.nanmedian(self.weights, axis=0)


def _sims(forecasts: Mapping[tuple[str, str], PathsLike], actuals: _Lookup, account_id: str, kpi: str,
          months: Sequence[str]) -> _Sims | None:
    """The simulations of a KPI over some months, or None when the forecast lacks it (or its ratio's parts)."""
    kind = KIND[kpi]
    if kind == "ratio":
        parts = [forecasts.get((account_id, k)) for k in _RATIO_PARTS]
        if any(p is None for p in parts):
            return None
        num, den = (_month_values(p, months, actuals.get((account_id, k), {}))  # type: ignore[arg-type]
                    for p, k in zip(parts, _RATIO_PARTS, strict=True))
        return _Sims(kind, num, den)
    fc = forecasts.get((account_id, kpi))
    if fc is None:
        return None
    return _Sims(kind, _month_values(fc, months, actuals.get((account_id, kpi), {})))


def _reference(ref: _Sims) -> float:
    """The value of the year before the plan (its median where months are still forecast); NaN when unknown."""
    totals = ref.annual(slice(None))
    return float(np.median(totals)) if np.isfinite(totals).all() else math.nan


def _year_label(value: object) -> str:
    """A targets period label as text ('2026.0', read as a number, is '2026')."""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def committed_targets(existing: pd.DataFrame | None, plan_year: int) -> dict[tuple[str, str], float]:
    """The plan year's annual targets already in a targets table, as the period review would read them.

    The year's own row; else a flow's 12 monthly targets summed, followers' December target; a rate only
    from its own row (the review gives rates no fallback either).
    """
    if existing is None or existing.empty:
        return {}
    rows = existing.assign(period=existing["period"].map(_year_label))
    out: dict[tuple[str, str], float] = {}
    months = plan_months(plan_year)
    for (account_id, kpi), group in rows.groupby(["account_id", "kpi"], sort=False):
        if kpi not in KIND:
            continue
        by_period = dict(zip(group["period"], group["target"].astype(float), strict=True))
        value = by_period.get(str(plan_year), math.nan)
        if math.isnan(value) and KIND[str(kpi)] == "flow" and all(m in by_period for m in months):
            value = float(sum(by_period[m] for m in months))
        elif math.isnan(value) and KIND[str(kpi)] == "stock":
            value = by_period.get(months[-1], math.nan)
        if not math.isnan(value):
            out[(str(account_id), str(kpi))] = float(value)
    return out


def plan_targets(forecasts: Mapping[tuple[str, str], PathsLike], actuals: pd.DataFrame, *, account_ids: Sequence[str],
                 kpis: Sequence[str], plan_year: int, as_of: str, ambition: str = "stretch",
                 stretch_quantile: float = 0.75, growth_goals: Mapping[str, float] | None = None,
                 committed: Mapping[tuple[str, str], float] | None = None) -> Plan:
    """Annual targets per account × KPI at each ambition level with their chances, and their cascade.

    ``actuals`` has account_id, kpi, month ('YYYY-MM'), value (and optionally complete); months up to
    ``as_of`` count as actuals, later months come from the forecast paths. ``committed`` holds annual
    targets already agreed (a re-plan): those are kept, with their chance, and only their remainder spread.
    """
    goals = dict(growth_goals or {})
    _check_levels(ambition, stretch_quantile, goals)
    months = plan_months(plan_year)
    before = plan_months(plan_year - 1)
    closed = [m for m in months if m <= as_of]
    index = _actual_index(actuals)
    annual_rows, cascade_rows = [], []
    for account_id in account_ids:
        for kpi in kpis:
            sims = _sims(forecasts, index, account_id, kpi, months)
            ref_sims = _sims(forecasts, index, account_id, kpi, before)
            if sims is None:
                continue
            total = sims.annual(slice(None))
            levels = {"baseline": float(np.nanmedian(total)),
                      "stretch": float(np.nanquantile(total, stretch_quantile))}
            reference = _reference(ref_sims) if ref_sims is not None else math.nan
            levels["growth"] = reference * (1 + goals[kpi]) if kpi in goals else math.nan
            levels["committed"] = (committed or {}).get((account_id, kpi), math.nan)
            level = ("committed" if not math.isnan(levels["committed"]) else "growth" if kpi in goals
                     else ambition)
            target = levels[level]
            row = {"account_id": account_id, "kpi": kpi, "kind": KIND[kpi], "level": level,
                   "reference": reference, **levels, "target": target,
                   **{f"p_{k}": _probability(total, v) for k, v in levels.items()},
                   "p_target": _probability(total, target), "months_actual": len(closed)}
            row["actual_to_date"] = (float(sims.annual(np.arange(len(closed)))[0]) if closed else math.nan)
            annual_rows.append(row)
            cascade_rows.append(cascade(sims, months, closed, target, account_id, kpi, plan_year))
    annual = pd.DataFrame(annual_rows)
    table = pd.concat(cascade_rows, ignore_index=True) if cascade_rows else pd.DataFrame(
        columns=["account_id", "kpi", "period", "period_kind", "target", "forecast_p50", "actual", "written"])
    return Plan(annual=annual, cascade=table)


def _spread(remaining: float, medians: np.ndarray, days: np.ndarray) -> np.ndarray:
    """A flow's remaining target spread over months by their median forecast (by days when one is not positive)."""
    if len(medians) == 0:
        return medians
    if np.all(medians > 0):
        return remaining * medians / medians.sum()
    return medians + (remaining - medians.sum()) * days / days.sum()


def _stock_path(target: float, medians: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Monthly stock targets: the median path plus the year-end gap closed in proportion to elapsed days."""
    if len(medians) == 0:
        return medians
    gap = target - medians[-1]
    return medians + gap * np.cumsum(days) / days.sum()


def cascade(sims: _Sims, months: Sequence[str], closed: Sequence[str], target: float, account_id: str, kpi: str,
            plan_year: int) -> pd.DataFrame:
    """One account × KPI's monthly, quarterly and annual targets; closed months keep their actuals, unwritten."""
    open_idx = np.array([m not in closed for m in months])
    medians = sims.median_months()
    days = np.array([_days(m) for m in months], dtype=float)
    actual = np.where(~open_idx, sims.values[0] if sims.weights is None else sims.values[0] / sims.weights[0], np.nan)
    monthly = actual.copy()
    if sims.kind == "flow":
        done = float(np.nansum(sims.values[0, ~open_idx]))
        monthly[open_idx] = _spread(target - done, medians[open_idx], days[open_idx])
    elif sims.kind == "stock":
        monthly[open_idx] = _stock_path(target, medians[open_idx], days[open_idx])
    else:
        annual_median = float(np.nanmedian(sims.annual(slice(None))))
        monthly[open_idx] = medians[open_idx] * target / annual_median
    frame = pd.DataFrame({"account_id": account_id, "kpi": kpi, "period": list(months), "period_kind": "month",
                          "target": monthly, "forecast_p50": medians, "actual": actual, "written": open_idx})
    weights = np.nanmedian(sims.weights, axis=0) if sims.weights is not None else None
    rows = [_quarter_row(frame, q, sims.kind, weights, account_id, kpi, plan_year) for q in range(1, 5)]
    year = {"account_id": account_id, "kpi": kpi, "period": str(plan_year), "period_kind": "year", "target": target,
            "forecast_p50": float(np.nanmedian(sims.annual(slice(None)))), "actual": math.nan,
            "written": bool(open_idx.any())}
    return pd.concat([frame, pd.DataFrame([*rows, year])], ignore_index=True)


def _quarter_row(months: pd.DataFrame, quarter: int, kind: str, weights: np.ndarray | None, account_id: str,
                 kpi: str, plan_year: int) -> dict[str, object]:
    """A quarter's target from its months: their sum (flow), the last (stock) or the weighted rate (ratio)."""
    part = slice(3 * (quarter - 1), 3 * quarter)
    values = months["target"].to_numpy()[part]
    medians = months["forecast_p50"].to_numpy()[part]
    if kind == "flow":
        target, p50 = float(values.sum()), float(medians.sum())
    elif kind == "stock":
        target, p50 = float(values[-1]), float(medians[-1])
    else:
        w = weights[part] if weights is not None else np.ones(3)
        target, p50 = float((values * w).sum() / w.sum()), float((medians * w).sum() / w.sum())
    return {"account_id": account_id, "kpi": kpi, "period": f"{plan_year}-Q{quarter}", "period_kind": "quarter",
            "target": target, "forecast_p50": p50, "actual": math.nan,
            "written": bool(months["written"].to_numpy()[part].any())}


def stage_table(plan: Plan, forecasts: Mapping[tuple[str, str], PathsLike], actuals: pd.DataFrame,
                stage_kpis: Mapping[str, Sequence[str]], plan_year: int) -> pd.DataFrame:
    """Per plan stage (months '1-3', '4-6', '7-12'), its lead KPIs' target, median forecast and chance of reaching it.

    Columns: stage, months, account_id, kpi, target, forecast_p50, probability.
    """
    months = plan_months(plan_year)
    index = _actual_index(actuals)
    cells_of = dict(list(plan.cascade.groupby(["account_id", "kpi"], sort=False)))
    rows = []
    for stage, kpis in stage_kpis.items():
        first, last = (int(x) for x in stage.split("-"))
        span = months[first - 1:last]
        columns = np.arange(first - 1, last)
        for kpi in kpis:
            for account_id in plan.annual["account_id"].unique():
                sims = _sims(forecasts, index, str(account_id), kpi, months)
                group = cells_of.get((account_id, kpi))
                cells = group[group["period"].isin(span)] if group is not None else plan.cascade.iloc[:0]
                if sims is None or cells.empty:
                    continue
                part = pd.DataFrame({"target": cells["target"].to_numpy(), "forecast_p50": cells["forecast_p50"]})
                target = _stage_value(sims.kind, part["target"].to_numpy(), sims, columns)
                simulated = sims.annual(columns)
                rows.append({"stage": stage, "months": f"{span[0]}–{span[-1]}", "account_id": account_id, "kpi": kpi,
                             "target": target, "forecast_p50": float(np.nanmedian(simulated)),
                             "probability": _probability(simulated, target)})
    return pd.DataFrame(rows, columns=["stage", "months", "account_id", "kpi", "target", "forecast_p50",
                                       "probability"])


def _stage_value(kind: str, targets: np.ndarray, sims: _Sims, columns: np.ndarray) -> float:
    """A stage's target from its monthly targets: sum, last, or the forecast-weighted rate."""
    if kind == "flow":
        return float(targets.sum())
    if kind == "stock":
        return float(targets[-1])
    weights = np.nanmedian(sims.weights, axis=0)[columns] if sims.weights is not None else np.ones(len(targets))
    return float((targets * weights).sum() / weights.sum())


def merge_targets(existing: pd.DataFrame | None, proposed: pd.DataFrame) -> pd.DataFrame:
    """The full targets file: the existing rows the plan does not replace, then the plan's rows (same keys win)."""
    key = ["account_id", "kpi", "period"]
    if existing is None or existing.empty:
        return proposed[[*key, "target"]].reset_index(drop=True)
    old = existing[[*key, "target"]].copy()
    old["period"] = old["period"].astype(str)
    keep = ~old.set_index(key).index.isin(proposed.set_index(key).index)
    merged = pd.concat([old[keep], proposed[[*key, "target"]]], ignore_index=True)
    return merged.sort_values(key, kind="stable").reset_index(drop=True)


def brand_totals(plan: Plan, forecasts: Mapping[tuple[str, str], PathsLike], actuals: pd.DataFrame,
                 plan_year: int) -> pd.DataFrame:
    """The brand's annual target per flow or stock KPI (Σ account targets) and the chance the accounts' sum reaches it.

    The accounts' simulations are added path by path, which treats their ups and downs as independent.
    Columns: kpi, accounts, reference (Σ the year before the plan), target, forecast_p50, probability. Ratios
    are not summed and are left out.
    """
    months = plan_months(plan_year)
    index = _actual_index(actuals)
    rows = []
    for kpi, group in plan.annual.groupby("kpi", sort=False):
        if KIND[str(kpi)] == "ratio":
            continue
        totals = [_sims(forecasts, index, str(a), str(kpi), months) for a in group["account_id"]]
        sims = np.sum([s.annual(slice(None)) for s in totals if s is not None], axis=0)
        target = float(group["target"].sum())
        references = group["reference"].astype(float)
        rows.append({"kpi": kpi, "accounts": len(group), "reference": float(references.sum())
                     if references.notna().all() else math.nan, "target": target,
                     "forecast_p50": float(np.median(sims)), "probability": _probability(sims, target)})
    return pd.DataFrame(rows, columns=["kpi", "accounts", "reference", "target", "forecast_p50", "probability"])
