"""Tests of helpers.review.risks: scores, bands and levels by hand, the matrix and the ranking."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.review.risks import PROBABILITY_BANDS, risk_matrix, score_risks, top_risks


def register() -> pd.DataFrame:
    """Seven risks; R6 is closed, R7 has no status (treated as open)."""
    return pd.DataFrame({
        "risk_id": ["R1", "R2", "R3", "R4", "R5", "R6", "R7"],
        "category": ["content", "platform", "compliance", "technical", "strategy", "content", "content"],
        "description": [f"risk {i}" for i in range(1, 8)],
        "probability": [0.5, 0.4, 0.3, 0.25, 0.7, 0.9, 0.19],
        "impact": [4, 5, 3, 4, 3, 5, 1],
        "owner": ["ann", "bo", "cy", "di", "ed", "fa", "gu"],
        "mitigation": ["m"] * 7,
        "status": ["open", "Open", "monitoring", "open", "open", "Closed", None],
    })


def test_scores_bands_and_levels_by_hand() -> None:
    scored = score_risks(register()).set_index("risk_id")
    # score = probability × impact
    # R1 0.5×4 = 2.0 high | R2 0.4×5 = 2.0 high | R3 0.3×3 = 0.9 low | R4 0.25×4 = 1.0 medium
    # R5 0.7×3 = 2.1 high | R6 0.9×5 = 4.5 high | R7 0.19×1 = 0.19 low
    assert scored["score"].tolist() == pytest.approx([2.0, 2.0, 0.9, 1.0, 2.1, 4.5, 0.19])
    assert scored["level"].tolist() == ["high", "high", "low", "medium", "high", "high", "low"]
    # bands: [0, .2) rare, [.2, .4) unlikely, [.4, .6) possible, [.6, .8) likely, [.8, 1] almost certain
    assert scored["probability_band"].tolist() == [
        "possible", "possible", "unlikely", "unlikely", "likely", "almost certain", "rare"]


@pytest.mark.parametrize("p, band", [(0.0, "rare"), (0.2, "unlikely"), (0.4, "possible"), (0.6, "likely"),
                                     (0.8, "almost certain"), (1.0, "almost certain"), (0.7999, "likely")])
def test_band_edges(p: float, band: str) -> None:
    one = register().iloc[[0]].assign(probability=p)
    assert score_risks(one)["probability_band"].iloc[0] == band


def test_matrix_counts_open_risks() -> None:
    matrix = risk_matrix(register())
    assert matrix.index.tolist() == [5, 4, 3, 2, 1]
    assert matrix.columns.tolist() == list(PROBABILITY_BANDS)
    # open: R1 (4, possible), R2 (5, possible), R3 (3, unlikely), R4 (4, unlikely), R5 (3, likely),
    # R7 (1, rare); R6 (5, almost certain) is closed
    expected = pd.DataFrame(0, index=[5, 4, 3, 2, 1], columns=list(PROBABILITY_BANDS))
    expected.loc[5, "possible"] = 1
    expected.loc[4, "possible"] = 1
    expected.loc[3, "unlikely"] = 1
    expected.loc[4, "unlikely"] = 1
    expected.loc[3, "likely"] = 1
    expected.loc[1, "rare"] = 1
    assert (matrix.to_numpy() == expected.to_numpy()).all()
    assert matrix.to_numpy().sum() == 6


def test_top_risks_order_and_columns() -> None:
    top = top_risks(register(), n=3)
    # open scores: R5 2.1, R1 2.0 (impact 4), R2 2.0 (impact 5) → R5, then R2 before R1 on impact
    assert top["risk_id"].tolist() == ["R5", "R2", "R1"]
    assert list(top.columns) == ["risk_id", "category", "description", "probability", "impact", "score",
                                 "level", "owner", "mitigation", "status"]
    assert top_risks(register(), n=1, include_closed=True)["risk_id"].tolist() == ["R6"]
    assert len(top_risks(register(), n=10)) == 6


def test_scored_register_can_be_scored_again() -> None:
    scored = score_risks(register())
    assert top_risks(scored, n=2)["risk_id"].tolist() == ["R5", "R2"]


def test_range_errors_name_the_risks() -> None:
    bad = register()
    bad.loc[1, "probability"] = 40  # a percentage instead of a fraction
    with pytest.raises(DataError, match=r"probability.*R2"):
        score_risks(bad)
    bad = register().astype({"impact": "float64"})
    bad.loc[[2, 4], "impact"] = [0, 3.5]
    with pytest.raises(DataError, match=r"impact.*R3.*R5"):
        score_risks(bad)
    with pytest.raises(DataError, match="owner"):
        score_risks(register().drop(columns="owner"))
    with pytest.raises(ParameterError):
        top_risks(register(), n=0)


def test_review_risks_scores_counts_and_ranks() -> None:
    from helpers.review.risks import review_risks

    review = review_risks(register(), n=2)
    assert review is not None
    # open risks by score: R5 2.1, then R1 and R2 at 2.0 (R2 has the higher impact); R6 (4.5) is closed
    assert review.top["risk_id"].tolist() == ["R5", "R2"]
    assert len(review.register) == 7 and int(review.matrix.to_numpy().sum()) == 6  # six open risks
    assert review_risks(None) is None
