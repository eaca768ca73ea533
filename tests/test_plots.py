"""Review charts: drawn without warnings, and saying so when there is nothing to draw."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from helpers.review import charts as plots  # noqa: E402


def _board(attainment: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"kpi": ["impressions", "engagements"][:len(attainment)],
                         "label": ["Impressions", "Engagements"][:len(attainment)],
                         "platform": ["x", "x"][:len(attainment)], "attainment": attainment})


def test_scorecard_chart_without_targets_says_so_instead_of_an_empty_legend() -> None:
    board = _board([float("nan"), float("nan")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "No artists with labels" warning would fail here
        fig = plots.scorecard_chart(board, ["impressions", "engagements"])
    ax = fig.axes[0]
    assert ax.get_legend() is None
    assert [t.get_text() for t in ax.texts] == ["no KPI has a target"]


def test_scorecard_chart_with_targets_has_a_platform_legend() -> None:
    fig = plots.scorecard_chart(_board([0.95, 1.1]), ["impressions", "engagements"])
    ax = fig.axes[0]
    assert ax.get_legend() is not None and ax.get_legend().get_title().get_text() == "platform"
    assert len(ax.texts) == 0
