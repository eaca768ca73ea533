"""Charts of the experiment evaluation (the forest of differences, the running difference) and the explorer.

The chart base is re-exported so the notebook imports one charts module. Figure functions take
tables the compute modules built and return a matplotlib Figure; the explorer wraps
`helpers.experiments.explore.explore` in three dropdowns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd

from helpers.charts import bar_chart, close, heatmap, png_image, setup_style, show_in, slant_dates  # noqa: F401  (re-exported)
from helpers.errors import OpsbookError
from helpers.experiments import findings
from helpers.experiments.explore import NO_SEGMENT, experiment_ids, explore
from helpers.experiments.metrics import MetricSpec
from helpers.experiments.sequential import RunningDifference


def forest_chart(results: pd.DataFrame, title: str = "Difference vs control with confidence intervals") -> plt.Figure:
    """Relative difference per metric and variant with its interval; the zero line marks 'no effect'."""
    data = results.dropna(subset=["rel_diff"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.55 * max(len(data), 3) + 1.2), layout="constrained")
    labels = [f"{r.metric} · {r.variant}" for r in data.itertuples()]
    colours = ["#2e7d32" if s and d > 0 else "#c62828" if s else "#607d8b"
               for s, d in zip(data["significant"].fillna(False), data["rel_diff"], strict=True)]
    y = list(range(len(data)))[::-1]
    for pos, colour, r in zip(y, colours, data.itertuples(), strict=True):
        ax.errorbar([r.rel_diff], [pos], xerr=[[r.rel_diff - r.rel_ci_low], [r.rel_ci_high - r.rel_diff]],
                    fmt="o", color=colour, elinewidth=2, capsize=4)
    ax.axvline(0, color="#333", linewidth=1)
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("relative difference vs control (green/red: significant after correction)")
    ax.set_title(title)
    return fig


def cumulative_chart(cumulative: pd.DataFrame, title: str) -> plt.Figure:
    """Running difference with the naive (peeking-unsafe) interval and the always-valid one."""
    fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
    ax.fill_between(cumulative["date"], cumulative["cs_low"], cumulative["cs_high"], color="#90caf9", alpha=0.5,
                    label="always-valid interval (safe to peek)")
    ax.plot(cumulative["date"], cumulative["fixed_low"], color="#ef6c00", linestyle="--", linewidth=1,
            label="fixed-horizon interval (valid only at the planned end)")
    ax.plot(cumulative["date"], cumulative["fixed_high"], color="#ef6c00", linestyle="--", linewidth=1)
    ax.plot(cumulative["date"], cumulative["diff"], color="#1565c0", marker="o", label="difference so far")
    ax.axhline(0, color="#333", linewidth=1)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title)
    slant_dates(ax)
    return fig


def running_chart(difference: RunningDifference) -> plt.Figure:
    """The running difference of one treatment against the control, titled with the metric and the two arms."""
    return cumulative_chart(difference.table,
                            f"{difference.metric}: {difference.variant} − {difference.control} over time")


def running_charts(differences: Sequence[RunningDifference]) -> dict[str, plt.Figure]:
    """One running-difference chart per treatment, by the name its figure is saved under."""
    return {difference.name: running_chart(difference) for difference in differences}


def experiment_explorer(data_dir: str | Path | None, metrics: Sequence[MetricSpec], segments: Sequence[str],
                        alpha: float = 0.05, correction: str = "holm") -> Any:
    """Dropdowns (experiment, metric, segment) that re-run the evaluation of the chosen metric on change.

    Nothing runs until a choice changes, so a headless run never waits on it. The returned VBox
    has ``redraw`` (draw the current choice now) and ``controls`` (experiment, metric, segment); a
    data or parameter problem is shown in the widget instead of raising into the event loop.
    """
    import ipywidgets as widgets

    from helpers.report import styled

    experiment = widgets.Dropdown(options=experiment_ids(data_dir), description="Experiment")
    metric = widgets.Dropdown(options=[m.name for m in metrics], description="Metric")
    segment = widgets.Dropdown(options=[NO_SEGMENT, *segments], description="Segment")
    output = widgets.Output()
    by_name = {m.name: m for m in metrics}

    def redraw(_: object = None) -> None:
        try:
            view = explore(data_dir, experiment.value, by_name[metric.value], segment.value, alpha, correction)
        except OpsbookError as exc:
            output.outputs = ({"output_type": "stream", "name": "stdout", "text": f"{exc}\n"},)
            return
        forest = png_image(forest_chart(view.evaluation.results, f"{view.design.experiment_id}: {view.metric.name}"))
        tables = [styled(view.segments)] if not view.segments.empty else []
        show_in(output, forest, *tables, text=findings.explorer_line(view.evaluation))

    for control in (experiment, metric, segment):
        control.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox([experiment, metric, segment]), output])
    box.redraw = redraw
    box.controls = (experiment, metric, segment)
    return box
