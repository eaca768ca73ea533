"""Cumulative difference over time, with a fixed-horizon interval and one that is safe to peek at.

A fixed-horizon 95% interval is valid at ONE pre-planned look. Checked every day and stopped the
first time it excludes 0, it produces far more than 5% false winners. A confidence sequence (CS)
covers the true difference at every look simultaneously with probability ≥ 1 − α, so it can be
watched daily and the experiment stopped whenever it excludes 0.

The CS is the two-sided normal-mixture (conjugate-mixture) boundary of Robbins (1970), in the
form of Howard, Ramdas, McAuliffe & Sekhon (2021, Ann. Statist. 49(2), "Time-uniform,
nonparametric, nonasymptotic confidence sequences", eq. 14) and with estimated variances as in
Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2023+, "Time-uniform central limit theory and
asymptotic confidence sequences", Thm 2.2). It is the interval that inverts the mixture SPRT
(mSPRT) of Johari, Koomen, Pekelis & Walsh (2022, Oper. Res., "Always valid inference"), which
Optimizely's stats engine uses. After t units in total, with V̂_t = s_c²/n_c + s_v²/n_v the
estimated variance of the difference of means and ρ > 0 the tuning parameter:

    half-width_t = sqrt( V̂_t · (tρ² + 1)/(tρ²) · log( (tρ² + 1) / α² ) )

(equivalently σ̂·sqrt(2(tρ² + 1)/(t²ρ²)·log(sqrt(tρ² + 1)/α)) with σ̂² = t·V̂_t, the
Waudby-Smith form). ρ sets where the CS is tightest: ρ² = (−W₋₁(−α²/e) − 1)/t*, W₋₁ the lower
branch of Lambert's W, minimises the width at t* units (the planned sample size by default). The
guarantee is asymptotic (variances are estimated), which is the standard practice for A/B tests.
The same formula serves proportions (a 0/1 metric; s² is then p̂(1 − p̂)·n/(n − 1)).
Because 2·log(1/α) ≥ z²_{α/2} for every α, the CS is always wider than the fixed interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special, stats

from helpers.errors import DataError, ParameterError, require_columns

if TYPE_CHECKING:
    from helpers.experiments.metrics import MetricSpec

#: Output columns of ``cumulative_difference``.
COLUMNS: tuple[str, ...] = ("date", "n_c", "n_v", "mean_c", "mean_v", "diff", "se", "fixed_low",
                            "fixed_high", "cs_low", "cs_high")


def _check_alpha(alpha: float) -> None:
    """Raise ParameterError unless 0 < α < 1."""
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha must be between 0 and 1 (e.g. 0.05), got {alpha!r}.")


def optimal_rho(horizon_units: float, alpha: float = 0.05) -> float:
    """ρ that makes the confidence sequence narrowest after `horizon_units` units in total.

    Minimising (x + 1)/x·log((x + 1)/α²) over x = tρ² gives x + 1 = −W₋₁(−α²/e).
    """
    _check_alpha(alpha)
    if not horizon_units > 0:
        raise ParameterError(f"horizon_units must be positive, got {horizon_units!r}.")
    u = -float(np.real(special.lambertw(-(alpha ** 2) / np.e, k=-1)))
    return float(np.sqrt((u - 1.0) / horizon_units))


def cs_half_width(var_diff: np.ndarray, total_units: np.ndarray, alpha: float, rho: float) -> np.ndarray:
    """Normal-mixture CS half-width sqrt(V̂·(tρ²+1)/(tρ²)·log((tρ²+1)/α²)) for each look."""
    _check_alpha(alpha)
    if not (np.isfinite(rho) and rho > 0):
        raise ParameterError(f"rho must be a positive number, got {rho!r}.")
    x = np.asarray(total_units, dtype="float64") * rho ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(np.asarray(var_diff, dtype="float64") * (x + 1.0) / x * np.log((x + 1.0) / alpha ** 2))


def fixed_half_width(var_diff: np.ndarray, alpha: float) -> np.ndarray:
    """Fixed-horizon (z) half-width z_{1−α/2}·sqrt(V̂): valid at one planned look only."""
    _check_alpha(alpha)
    return float(stats.norm.ppf(1.0 - alpha / 2.0)) * np.sqrt(np.asarray(var_diff, dtype="float64"))


def daily_moments(day: np.ndarray, x: np.ndarray, n_days: int) -> np.ndarray:
    """Per day of one arm, its units' (Σ1, Σx, Σx²): the rows of a 3 × n_days array (not yet cumulative)."""
    return np.stack([np.bincount(day, minlength=n_days).astype("float64"),
                     np.bincount(day, weights=x, minlength=n_days),
                     np.bincount(day, weights=x * x, minlength=n_days)])


def _cumulative_moments(daily: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, sample variance) of one arm at the end of each day, from its daily (Σ1, Σx, Σx²).

    Days with no units carry the previous totals; the variance is NaN below 2 units.
    """
    n, s, s2 = np.cumsum(daily, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n >= 1, s / n, np.nan)
        var = np.where(n >= 2, np.maximum((s2 - s * mean) / (n - 1.0), 0.0), np.nan)
    return n, mean, var


def _prepared(units: pd.DataFrame, time_column: str, variant_column: str, metric_column: str,
              control: str, variant: str) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(day of each unit, its arm label, its metric) for the two compared arms, bad input rejected."""
    require_columns(units, [time_column, variant_column, metric_column], "experiment_units",
                    "The cumulative chart needs a time, a variant and a metric column.")
    if control == variant:
        raise ParameterError(f"control and variant must differ, both are {control!r}.")
    labels = units[variant_column].astype(str)
    for arm in (control, variant):
        if not (labels == arm).any():
            raise DataError(f"experiment_units: no unit has {variant_column} = {arm!r} "
                            f"(found {sorted(labels.unique())[:10]}).")
    keep = labels.isin([control, variant])
    when = pd.to_datetime(units.loc[keep, time_column], errors="coerce")
    x = pd.to_numeric(units.loc[keep, metric_column], errors="coerce").astype("float64")
    for name, bad in ((time_column, when.isna()), (metric_column, x.isna() | ~np.isfinite(x))):
        if bad.any():
            raise DataError(f"experiment_units, column {name!r}: {int(bad.sum())} missing or unreadable "
                            f"value(s) in the two variants compared, first at line(s) {list(bad.index[bad][:5] + 2)}.")
    return when.dt.floor("D"), labels[keep], x.to_numpy()


def cumulative_difference(units: pd.DataFrame, time_column: str, variant_column: str, metric_column: str,
                          control: str, variant: str, alpha: float = 0.05,
                          rho: float | None = None) -> pd.DataFrame:
    """Per day, the cumulative variant − control difference with a fixed and an always-valid CI.

    One row per calendar day from the first to the last unit (time_column floored to the day):
    cumulative units per arm, means, diff, its standard error sqrt(s_c²/n_c + s_v²/n_v), the
    fixed-horizon z interval (naive, NOT safe to peek at) and the confidence sequence (safe to
    peek at). ``rho`` defaults to ``optimal_rho(total units, alpha)``. Intervals are NaN until
    each arm has 2 units and the metric has varied (a zero-width interval would claim certainty).
    """
    _check_alpha(alpha)
    day, labels, x = _prepared(units, time_column, variant_column, metric_column, control, variant)
    days = pd.date_range(day.min(), day.max(), freq="D")
    index = ((day - days[0]) // pd.Timedelta(days=1)).to_numpy(dtype="int64")
    centre = float(x.mean())  # centring keeps Σx² − n·x̄² free of cancellation for large values
    is_v = (labels == variant).to_numpy()
    return difference_from_daily(days, daily_moments(index[~is_v], x[~is_v] - centre, len(days)),
                                 daily_moments(index[is_v], x[is_v] - centre, len(days)), centre, alpha, rho)


def difference_from_daily(days: pd.DatetimeIndex, daily_c: np.ndarray, daily_v: np.ndarray, centre: float,
                          alpha: float = 0.05, rho: float | None = None) -> pd.DataFrame:
    """cumulative_difference's table from each arm's daily (Σ1, Σ(x − centre), Σ(x − centre)²) (3 × len(days)).

    The rows path sums the units per day with numpy; `sums.ParquetUnits` has DuckDB do it, on the same
    formulas from here on. ``centre`` is the two arms' mean (any value near it serves).
    """
    _check_alpha(alpha)
    n_c, mean_c, var_c = _cumulative_moments(daily_c)
    n_v, mean_v, var_v = _cumulative_moments(daily_v)
    rho = optimal_rho(float(n_c[-1] + n_v[-1]), alpha) if rho is None else rho
    with np.errstate(divide="ignore", invalid="ignore"):
        var_diff = var_c / n_c + var_v / n_v
    var_diff = np.where(var_diff > 0, var_diff, np.nan)  # no variation yet (e.g. no conversions): no interval
    diff = mean_v - mean_c
    fixed = fixed_half_width(var_diff, alpha)
    cs = cs_half_width(var_diff, n_c + n_v, alpha, rho)
    return pd.DataFrame({
        "date": days, "n_c": n_c.astype("int64"), "n_v": n_v.astype("int64"),
        "mean_c": mean_c + centre, "mean_v": mean_v + centre, "diff": diff, "se": np.sqrt(var_diff),
        "fixed_low": diff - fixed, "fixed_high": diff + fixed, "cs_low": diff - cs, "cs_high": diff + cs,
    }, columns=list(COLUMNS))


def cumulative_ratio_difference(units: pd.DataFrame, time_column: str, variant_column: str, numerator: str,
                                denominator: str, control: str, variant: str, alpha: float = 0.05,
                                rho: float | None = None) -> pd.DataFrame:
    """The same running table for a ratio metric (Σ numerator ÷ Σ denominator), by the delta method.

    Per day and arm, R = Σx/Σy from the cumulative sums and Var(R) ≈ (s_x² − 2R·s_xy + R²·s_y²)/(n·ȳ²),
    the variance of the linearised per-unit value (x − R·y)/ȳ; the intervals then follow as for means.
    """
    _check_alpha(alpha)
    day, labels, x = _prepared(units, time_column, variant_column, numerator, control, variant)
    _, _, y = _prepared(units, time_column, variant_column, denominator, control, variant)
    days = pd.date_range(day.min(), day.max(), freq="D")
    index = ((day - days[0]) // pd.Timedelta(days=1)).to_numpy(dtype="int64")
    daily = {}
    for arm in (control, variant):
        mine = (labels == arm).to_numpy()
        parts = np.stack([np.ones(mine.sum()), x[mine], x[mine] ** 2, y[mine], y[mine] ** 2, x[mine] * y[mine]])
        daily[arm] = np.zeros((6, len(days)))
        for row in range(6):
            daily[arm][row] = np.bincount(index[mine], weights=parts[row], minlength=len(days))
    return ratio_difference_from_daily(days, daily[control], daily[variant], control, variant, alpha, rho)


def ratio_difference_from_daily(days: pd.DatetimeIndex, daily_c: np.ndarray, daily_v: np.ndarray, control: str,
                                variant: str, alpha: float = 0.05, rho: float | None = None) -> pd.DataFrame:
    """cumulative_ratio_difference's table from each arm's daily (Σ1, Σx, Σx², Σy, Σy², Σxy) (6 × len(days))."""
    from helpers.experiments.frequentist import estimate
    from helpers.experiments.metrics import MetricSpec, VariantStats

    _check_alpha(alpha)
    spec = MetricSpec("ratio", "ratio", "x", "y")
    sums = {control: np.cumsum(daily_c, axis=1), variant: np.cumsum(daily_v, axis=1)}
    rows = []
    for d in range(len(days)):
        est = {}
        for arm in (control, variant):
            n, sx, sx2, sy, sy2, sxy = sums[arm][:, d]
            est[arm] = (estimate(VariantStats(arm, int(n), sx, sx2, sy, sy2, sxy), spec)
                        if n >= 2 and sy > 0 else None)
        est_c, est_v = est[control], est[variant]
        value_c = est_c.value if est_c is not None else np.nan
        value_v = est_v.value if est_v is not None else np.nan
        var = est_c.var + est_v.var if est_c is not None and est_v is not None else np.nan
        rows.append((days[d], int(sums[control][0, d]), int(sums[variant][0, d]), value_c, value_v,
                     var if var and var > 0 else np.nan))
    frame = pd.DataFrame(rows, columns=["date", "n_c", "n_v", "mean_c", "mean_v", "var_diff"])
    rho = optimal_rho(float(sums[control][0, -1] + sums[variant][0, -1]), alpha) if rho is None else rho
    var_diff = frame.pop("var_diff").to_numpy()
    diff = (frame["mean_v"] - frame["mean_c"]).to_numpy()
    fixed = fixed_half_width(var_diff, alpha)
    cs = cs_half_width(var_diff, (frame["n_c"] + frame["n_v"]).to_numpy(), alpha, rho)
    frame = frame.assign(diff=diff, se=np.sqrt(var_diff), fixed_low=diff - fixed, fixed_high=diff + fixed,
                         cs_low=diff - cs, cs_high=diff + cs)
    return frame[list(COLUMNS)]


@dataclass(frozen=True)
class RunningDifference:
    """The running table of one treatment against the control on one metric (see cumulative_difference)."""

    metric: str
    control: str
    variant: str
    table: pd.DataFrame

    @property
    def name(self) -> str:
        """The artefact name of its table and figure: cumulative_<variant>."""
        return f"cumulative_{self.variant}"


def running_differences(units: pd.DataFrame, time_column: str, metric: MetricSpec, control: str,
                        treatments: Sequence[str], alpha: float = 0.05) -> list[RunningDifference]:
    """The running difference of every treatment against the control (ratio metrics by the delta method)."""
    out = []
    for variant in treatments:
        if metric.kind == "ratio":
            assert metric.denominator is not None  # a ratio metric always has one (MetricSpec checks)
            table = cumulative_ratio_difference(units, time_column, "variant", metric.column, metric.denominator,
                                                control, variant, alpha=alpha)
        else:
            table = cumulative_difference(units, time_column, "variant", metric.column, control, variant, alpha=alpha)
        out.append(RunningDifference(metric.name, control, variant, table))
    return out
