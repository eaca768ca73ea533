"""The period review's attribution section: the period's journeys credited by every model (helpers.attribution)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.attribution import (
    MARKOV_VALUES,
    NO_TOUCH,
    REPEAT_CONVERSIONS,
    DateLike,
    assist_ratio,
    build_journeys,
    compare_models,
    reconcile,
)
from helpers.errors import ParameterError

__all__ = ["MARKOV_VALUES", "NO_TOUCH", "AttributionReview", "review_journeys"]


@dataclass(frozen=True)
class AttributionReview:
    """The journeys of a period, the five models side by side, which channels assist, and the conventions used.

    Conversions with no recorded touch are the row ``NO_TOUCH`` of every model in ``comparison``,
    so each model sums to all the period's conversions; :meth:`reconciliation` gives the figures.
    """

    journeys: pd.DataFrame  # build_journeys
    comparison: pd.DataFrame  # compare_models (with the no-touch row)
    assist: pd.DataFrame  # assist_ratio
    markov_value: str = "share"  # the Markov value credit convention (MARKOV_VALUES)

    def conventions(self) -> dict[str, str]:
        """The stated model conventions: Markov value credit, and how repeat conversions count."""
        return {"markov_value": self.markov_value, "repeat_conversions": REPEAT_CONVERSIONS}

    def reconciliation(self) -> dict[str, float]:
        """Conversions (journeys, count, value) in all, credited to channels, and with no recorded touch.

        credited + no touch = all (attribution.reconcile); a value is NaN when any it sums is unknown.
        """
        return reconcile(self.journeys)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The section's tables by artefact name, in reading order."""
        return {"attribution": self.comparison, "assist_ratio": self.assist}

    def shares(self) -> pd.DataFrame:
        """Share of conversions credited per channel (rows) and model (columns)."""
        return self.comparison.pivot_table(index="channel", columns="model", values="share")


def review_journeys(touchpoints: pd.DataFrame | None, conversions: pd.DataFrame | None,
                    start: DateLike, end: DateLike, markov_value: str = "share") -> AttributionReview | None:
    """Journeys ending in [start, end] credited by every model; None without touchpoints or conversions."""
    if markov_value not in MARKOV_VALUES:
        raise ParameterError(f"Parameter markov_value={markov_value!r} is not valid; use one of: "
                             f"{', '.join(MARKOV_VALUES)}.")
    if touchpoints is None or conversions is None:
        return None
    journeys = build_journeys(touchpoints, conversions, start, end)
    comparison = compare_models(journeys, markov_value=markov_value)
    return AttributionReview(journeys=journeys, comparison=comparison, assist=assist_ratio(comparison),
                             markov_value=markov_value)
