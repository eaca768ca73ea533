"""Multiple-comparison adjustment of p-values (A/B/n, many metrics, segments).

Methods: ``holm`` (default; controls the family-wise error rate, uniformly more powerful than
Bonferroni), ``bh`` (Benjamini–Hochberg, controls the false discovery rate), ``bonferroni`` and
``none``; the same figures as ``statsmodels.stats.multitest.multipletests`` (tests compare them),
computed here in numpy because statsmodels runs ``gc.collect()`` on every call (0.1–0.2 s in a
kernel holding a large table, three times per evaluation). A NaN p-value (a comparison
that could not be tested) is returned as NaN and is *not* counted in the family, so it neither
inflates nor is inflated by the others. A single p-value is returned as it is (every method
leaves a family of one unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from helpers.errors import ParameterError

#: Accepted method names → statsmodels method names (None: no adjustment).
METHODS: dict[str, str | None] = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni", "none": None}


def adjust_pvalues(pvalues: Sequence[float], method: str = "holm") -> np.ndarray:
    """Adjusted p-values in the input order; NaN passes through and is left out of the family."""
    key = str(method).lower()
    if key not in METHODS:
        raise ParameterError(f"Unknown correction method {method!r}; use one of {', '.join(METHODS)}.")
    try:
        p = np.asarray(pvalues, dtype="float64").reshape(-1)
    except (TypeError, ValueError):
        raise ParameterError(f"p-values must be numbers, got {pvalues!r}.") from None
    ok = ~np.isnan(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        raise ParameterError(f"p-values must lie within 0–1, got {p[ok][(p[ok] < 0) | (p[ok] > 1)].tolist()}.")
    out = p.copy()
    name = METHODS[key]
    if name is not None and ok.sum() > 1:  # a family of one is its own adjustment
        out[ok] = _adjusted(p[ok], name)
    return out


def _adjusted(p: np.ndarray, method: str) -> np.ndarray:
    """Holm's step-down, Benjamini–Hochberg's step-up or Bonferroni's adjustment of a family, capped at 1."""
    m = len(p)
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, kind="mergesort")
    ranked = p[order]
    if method == "holm":  # max over i ≤ k of (m − i + 1)·p_(i)
        steps = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:  # fdr_bh: min over i ≥ k of m·p_(i) / i
        steps = np.minimum.accumulate((m / np.arange(m, 0, -1)) * ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(steps, 1.0)
    return out
