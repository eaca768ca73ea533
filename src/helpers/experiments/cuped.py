"""CUPED: variance reduction with a pre-period covariate (Deng, Xu, Kohavi & Walker, WSDM 2013).

Each unit's metric y is adjusted with its own pre-experiment value x of the same (or a related)
metric:

    y_adj = y − θ·(x − x̄),   θ = Cov(y, x) / Var(x)

θ is the OLS slope of y on x, estimated once over *all* units, ignoring the variant: x was
measured before assignment, so it is independent of the variant and E[x − x̄] is the same in
every arm, which leaves the treatment effect unbiased. Centring on the overall x̄ keeps adjusted
means on the scale of y. The variance of y_adj is Var(y)·(1 − ρ²), ρ = corr(y, x); the fraction
removed is reported as ``variance_reduction``. The adjusted values then go through the ordinary
tests (Welch t-test, z-test) in place of y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import DataError


@dataclass(frozen=True)
class CupedResult:
    """θ, the fraction of variance removed (1 − Var(y_adj)/Var(y), within-variant pooled) and y_adj."""

    theta: float
    variance_reduction: float
    adjusted: pd.Series


def _numeric(values: pd.Series, name: str) -> pd.Series:
    """The values as float64; a missing or non-numeric value is a DataError naming the first rows."""
    out = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = out.isna() | ~np.isfinite(out.to_numpy())
    if bad.any():
        raise DataError(f"CUPED: {name} has {int(bad.sum())} missing or non-numeric value(s) "
                        f"(first at line(s) {list(out.index[bad][:5] + 2)}). Every unit needs a value; fill a "
                        "missing pre-period value with 0 only if the unit truly had none, or drop the units.")
    return out


def _aligned(y: pd.Series, x: pd.Series, groups: pd.Series | None) -> None:
    """Raise DataError unless y, x (and groups) describe the same units in the same order."""
    for name, other in (("covariate x", x), ("groups", groups)):
        if other is not None and not other.index.equals(y.index):
            raise DataError(f"CUPED: {name} must have the same index as the metric y (same units, same "
                            f"order); got {len(other)} vs {len(y)} rows or a different index.")
    if len(y) < 3:
        raise DataError(f"CUPED needs at least 3 units to estimate θ, got {len(y)}.")
    if groups is not None and groups.isna().any():
        raise DataError("CUPED: groups (the variant of each unit) has missing values.")


def cuped_theta(y: np.ndarray, x: np.ndarray) -> float:
    """θ = Cov(y, x) / Var(x) over all units: the OLS slope that makes y − θx least variable."""
    xc = x - x.mean()
    var_x = float(xc @ xc)
    if var_x <= 0.0:
        raise DataError("CUPED: the covariate is constant across units, so it carries no information "
                        "to adjust with; run the analysis without a covariate.")
    return float(xc @ (y - y.mean())) / var_x


def pooled_variance(values: np.ndarray, groups: np.ndarray | None) -> float:
    """Within-group pooled variance Σ(n_g−1)s_g² / (N−G), so a treatment effect does not inflate it."""
    if groups is None:
        return float(np.var(values, ddof=1))
    frame = pd.DataFrame({"g": groups, "v": values})
    grouped = frame.groupby("g", sort=False)["v"]
    ss = float(((frame["v"] - grouped.transform("mean")) ** 2).sum())
    dof = len(values) - grouped.ngroups
    if dof <= 0:
        raise DataError("CUPED: every group has a single unit, so the within-group variance is undefined.")
    return ss / dof


def cuped_adjust(y: pd.Series, x: pd.Series, groups: pd.Series | None = None) -> CupedResult:
    """Adjust y with the pre-period covariate x (θ pooled over all units) to shrink its variance.

    ``groups`` (the variant of each unit) is used only to measure the variance reduction within
    variants, so that the treatment effect itself is not counted as variance.
    """
    _aligned(y, x, groups)
    yv = _numeric(y, "the metric y")
    xv = _numeric(x, "the pre-period covariate x")
    ya, xa = yv.to_numpy(), xv.to_numpy()
    theta = cuped_theta(ya, xa)
    adjusted = ya - theta * (xa - xa.mean())
    g = None if groups is None else groups.to_numpy()
    var_y = pooled_variance(ya, g)
    if var_y <= 0.0:
        raise DataError("CUPED: the metric y has zero variance, so there is no variance to reduce.")
    reduction = 1.0 - pooled_variance(adjusted, g) / var_y
    return CupedResult(theta=theta, variance_reduction=float(reduction),
                       adjusted=pd.Series(adjusted, index=y.index, name=y.name))
