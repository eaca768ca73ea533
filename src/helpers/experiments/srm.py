"""Sample ratio mismatch (SRM): are units split between variants as the design intended?

A chi-square goodness-of-fit test (``scipy.stats.chisquare``, df = variants − 1) of the observed
units per variant against the expected split (equal by default; weights are normalised, so
``{"A": 1, "B": 1}`` and ``{"A": 0.5, "B": 0.5}`` are the same). The check passes when p ≥ the
threshold; 0.001 is the industry default (Microsoft ExP, GrowthBook, Optimizely): SRM tests run on
every experiment, so a strict threshold keeps false alarms rare, while a real assignment bug with
thousands of units gives p-values far below it. When SRM fails, the assignment or logging is
broken and the experiment's results are not trustworthy, whatever their p-values say.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from scipy import stats as sps

from helpers.errors import DataError, ParameterError

#: Default p-value threshold below which a sample ratio mismatch is declared.
SRM_THRESHOLD: float = 0.001


@dataclass(frozen=True)
class SrmResult:
    """Chi-square SRM check: statistic, p-value, df, verdict, observed and expected units per variant."""

    chi2: float
    p_value: float
    df: int
    passed: bool
    observed: dict[str, int]
    expected: dict[str, float]
    threshold: float


def _check_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Units per variant as ints; at least 2 variants, whole non-negative counts, some units."""
    if len(counts) < 2:
        raise ParameterError(f"An SRM check needs at least 2 variants, got {len(counts)}: {list(counts)}.")
    out = {}
    for name, value in counts.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DataError(f"Units of variant {name!r} must be a number, got {value!r}.") from None
        if not math.isfinite(number) or number < 0 or number != int(number):
            raise DataError(f"Units of variant {name!r} must be a whole number ≥ 0, got {value!r}.")
        out[str(name)] = int(number)
    if sum(out.values()) == 0:
        raise DataError("No units in any variant: nothing to check.")
    return out


def _weights(variants: list[str], expected_split: Mapping[str, float] | None) -> dict[str, float]:
    """Normalised expected shares per variant (equal when None); names must match the variants."""
    if expected_split is None:
        return {v: 1.0 / len(variants) for v in variants}
    split = {str(k): v for k, v in expected_split.items()}
    missing, extra = sorted(set(variants) - set(split)), sorted(set(split) - set(variants))
    if missing or extra:
        raise ParameterError(f"expected_split must name exactly the variants {variants}; "
                             f"missing {missing}, unknown {extra}.")
    for name, w in split.items():
        if not isinstance(w, numbers.Real) or isinstance(w, bool) or not math.isfinite(w) or w <= 0:
            raise ParameterError(f"expected_split weight of {name!r} must be a positive number, got {w!r}.")
    total = float(sum(split.values()))
    return {v: split[v] / total for v in variants}


def srm_test(counts: Mapping[str, int], expected_split: Mapping[str, float] | None = None,
             threshold: float = SRM_THRESHOLD) -> SrmResult:
    """Chi-square test of units per variant against the expected split; passed when p ≥ threshold."""
    if not isinstance(threshold, numbers.Real) or not 0 < threshold < 1:
        raise ParameterError(f"threshold must lie strictly between 0 and 1 (default 0.001), got {threshold!r}.")
    observed = _check_counts(counts)
    variants = list(observed)
    shares = _weights(variants, expected_split)
    total = sum(observed.values())
    expected = {v: total * shares[v] for v in variants}
    chi2, p = sps.chisquare([observed[v] for v in variants], [expected[v] for v in variants])
    return SrmResult(chi2=float(chi2), p_value=float(p), df=len(variants) - 1, passed=bool(p >= threshold),
                     observed=observed, expected=expected, threshold=float(threshold))


def srm_table(result: SrmResult) -> pd.DataFrame:
    """Units per variant as observed and as the planned split expects, with each variant's observed share."""
    table = pd.DataFrame({"variant": list(result.observed), "units": list(result.observed.values()),
                          "expected": [result.expected[v] for v in result.observed]})
    table["share"] = table["units"] / table["units"].sum()
    return table
