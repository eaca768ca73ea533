"""Multiple-comparison adjustment of p-values (A/B/n, many metrics, segments).

Methods: ``holm`` (default; controls the family-wise error rate, uniformly more powerful than
Bonferroni), ``bh`` (Benjamini–Hochberg, controls the false discovery rate), ``bonferroni`` and
``none``; computed by ``statsmodels.stats.multitest.multipletests``. A NaN p-value (a comparison
that could not be tested) is returned as NaN and is *not* counted in the family, so it neither
inflates nor is inflated by the others. A single p-value is returned as it is (every method
leaves a family of one unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from statsmodels.stats.multitest import multipletests

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
    # a family of one is its own adjustment under every method (and statsmodels would run gc.collect
    # for it, ~0.1 s in a busy kernel: the explorer's one-metric look pays that on every change)
    if METHODS[key] is not None and ok.sum() > 1:
        out[ok] = multipletests(p[ok], method=METHODS[key])[1]
    return out
