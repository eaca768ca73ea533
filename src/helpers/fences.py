"""Upper outlier fences on log activity, shared by the audience's and the comments' bot rules.

Moved out of helpers.audience.bots (which re-exports it) so that the voice of the customer flags
comment bots with the same rule: Q3 + k·IQR (default k 1.5) or mean + k·σ (default k 3) of
``log1p`` of a heavy-tailed activity measure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError

__all__ = ["DEFAULT_K", "check_fence_rule", "upper_fence"]

DEFAULT_K = {"iqr": 1.5, "sigma": 3.0}


def check_fence_rule(rule: str, k: float | None) -> float:
    """The fence multiplier for a rule (its default when k is None); ParameterError on a bad rule or k."""
    if rule not in DEFAULT_K:
        raise ParameterError(f"Unknown bot rule {rule!r}; use 'iqr' (Q3 + k·IQR) or 'sigma' (mean + k·σ).")
    k = DEFAULT_K[rule] if k is None else float(k)
    if not math.isfinite(k) or k <= 0:
        raise ParameterError(f"The bot threshold k must be a positive number, got {k!r}.")
    return k


def upper_fence(values: pd.Series, rule: str = "iqr", k: float | None = None) -> float:
    """Upper fence of log1p(values): Q3 + k·IQR (linear quantiles) or mean + k·σ (sample σ); NaNs ignored."""
    k = check_fence_rule(rule, k)
    logged = np.log1p(values.dropna().astype(float))
    if len(logged) < 2:
        raise DataError(f"Need at least two users with {values.name!r} to compute a bot fence, got {len(logged)}.")
    if rule == "iqr":
        q1, q3 = logged.quantile([0.25, 0.75])
        return float(q3 + k * (q3 - q1))
    return float(logged.mean() + k * logged.std(ddof=1))
