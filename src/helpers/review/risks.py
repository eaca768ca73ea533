"""Risk register scoring, matrix and ranking (METHODOLOGY 8).

Score = probability (0–1) × impact (1–5), so scores run from 0 to 5. Levels: high ≥ 2.0,
medium ≥ 1.0, low below. A risk counts as open unless its status is one of CLOSED_STATUSES
(a missing status is treated as open, so an unreviewed risk stays visible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError

#: Columns every risk register has.
RISK_COLUMNS: tuple[str, ...] = (
    "risk_id", "category", "description", "probability", "impact", "owner", "mitigation", "status",
)
#: Probability bands, lowest first, with their exclusive upper bounds.
PROBABILITY_BANDS: tuple[str, ...] = ("rare", "unlikely", "possible", "likely", "almost certain")
_BAND_EDGES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, np.inf)
#: Score thresholds of the levels: high ≥ 2.0, medium ≥ 1.0.
HIGH_SCORE: float = 2.0
MEDIUM_SCORE: float = 1.0
#: Statuses (case-insensitive) that mean a risk is no longer open.
CLOSED_STATUSES: tuple[str, ...] = ("closed", "resolved", "retired")
#: Impact rows of the matrix, most severe first.
IMPACT_LEVELS: tuple[int, ...] = (5, 4, 3, 2, 1)


def _bad_ids(risks: pd.DataFrame, mask: pd.Series) -> list[str]:
    """risk_id values of the rows a mask selects, for error messages."""
    return risks.loc[mask, "risk_id"].astype("str").tolist()


def _validate(risks: pd.DataFrame) -> pd.DataFrame:
    """Check columns and ranges; return a copy with numeric probability and impact."""
    missing = [c for c in RISK_COLUMNS if c not in risks.columns]
    if missing:
        raise DataError(f"Table 'risks' lacks required column(s) {missing}; it has {list(risks.columns)}.")
    out = risks.copy()
    probability = pd.to_numeric(out["probability"], errors="coerce").astype("float64")
    impact = pd.to_numeric(out["impact"], errors="coerce").astype("float64")
    bad_p = probability.isna() | (probability < 0) | (probability > 1)
    if bad_p.any():
        raise DataError(f"risks: probability must be a number in [0, 1] (e.g. 0.3, not 30 %); "
                        f"risk_id {_bad_ids(out, bad_p)} violate this.")
    bad_i = impact.isna() | (impact < 1) | (impact > 5) | (impact != impact.round())
    if bad_i.any():
        raise DataError(f"risks: impact must be a whole number from 1 to 5; "
                        f"risk_id {_bad_ids(out, bad_i)} violate this.")
    out["probability"] = probability
    out["impact"] = impact.astype("int64")
    return out


def _level(score: pd.Series) -> np.ndarray:
    """Map scores to "high" / "medium" / "low"."""
    return np.select([score >= HIGH_SCORE, score >= MEDIUM_SCORE], ["high", "medium"], default="low")


def score_risks(risks: pd.DataFrame) -> pd.DataFrame:
    """Add score = probability × impact, a probability band and a level; validates ranges first."""
    out = _validate(risks)
    # Rounded so binary artefacts (0.7 × 3 = 2.0999999999999996) cannot move a risk across a level edge.
    out["score"] = (out["probability"] * out["impact"]).round(12)
    bands = pd.cut(out["probability"], bins=list(_BAND_EDGES), labels=list(PROBABILITY_BANDS), right=False)
    out["probability_band"] = bands.astype("str")
    out["level"] = _level(out["score"])
    return out


def _is_open(risks: pd.DataFrame) -> pd.Series:
    """True where the status is not a closed status (missing status counts as open)."""
    status = risks["status"].astype("str").str.strip().str.lower()
    return ~status.isin(CLOSED_STATUSES) | risks["status"].isna()


def risk_matrix(risks: pd.DataFrame) -> pd.DataFrame:
    """Count open risks by impact (rows 5..1) × probability band (columns, all bands, zeros kept)."""
    scored = score_risks(risks)
    open_risks = scored[_is_open(scored)]
    counts = pd.crosstab(open_risks["impact"], open_risks["probability_band"])
    matrix = counts.reindex(index=list(IMPACT_LEVELS), columns=list(PROBABILITY_BANDS), fill_value=0)
    matrix.index.name, matrix.columns.name = "impact", "probability_band"
    return matrix.astype("int64")


def top_risks(risks: pd.DataFrame, n: int = 5, include_closed: bool = False) -> pd.DataFrame:
    """The n highest-scoring risks (ties: higher impact first, then risk_id), open ones only by default."""
    if int(n) != n or n < 1:
        raise ParameterError(f"n must be a positive whole number of risks, got {n!r}.")
    scored = score_risks(risks)
    if not include_closed:
        scored = scored[_is_open(scored)]
    ranked = scored.sort_values(["score", "impact", "risk_id"], ascending=[False, False, True], kind="stable")
    columns = ["risk_id", "category", "description", "probability", "impact", "score", "level",
               "owner", "mitigation", "status"]
    return ranked.head(int(n))[columns].reset_index(drop=True)


@dataclass(frozen=True)
class RiskReview:
    """The risk section of a review: the scored register, its open-risk matrix and the top risks."""

    register: pd.DataFrame  # score_risks
    matrix: pd.DataFrame  # risk_matrix
    top: pd.DataFrame  # top_risks


def review_risks(risks: pd.DataFrame | None, n: int = 5) -> RiskReview | None:
    """Score the register, count open risks by impact × probability, rank the top n; None without a register."""
    if risks is None:
        return None
    register = score_risks(risks)
    return RiskReview(register=register, matrix=risk_matrix(register), top=top_risks(register, n=n))
