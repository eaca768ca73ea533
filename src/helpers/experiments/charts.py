"""Charts of the experiment evaluation (the forest of differences, the running difference) and the explorer.

The chart base is re-exported so the notebook imports one charts module. Figure functions take
tables the compute modules built and return a matplotlib Figure; the explorer wraps
`helpers.experiments.explore.explore_loaded` in three dropdowns.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd

from helpers import config
from helpers.charts import bar_chart, close, heatmap, setup_style, slant_dates, subplots  # noqa: F401  (re-exported)
from helpers.data import find_table_file, load_tables
from helpers.experiments import findings
from helpers.experiments.design import experiment_from_tables, find_design, load_experiment_tables
from helpers.experiments.explore import NO_SEGMENT, experiment_ids, explore_loaded, explore_sums
from helpers.experiments.labels import metric_label
from helpers.experiments.metrics import MetricSpec
from helpers.experiments.sequential import RunningDifference
from helpers.experiments.sums import ParquetUnits, open_units
from helpers.i18n import _


def forest_chart(results: pd.DataFrame, title: str | None = None) -> plt.Figure:
    """Relative difference per metric and variant with its (log-ratio) interval; the zero line marks 'no effect'."""
    data = results.dropna(subset=["rel_diff"]).reset_index(drop=True)
    fig, ax = subplots(figsize=(9, 0.55 * max(len(data), 3) + 1.2))
    labels = [_("{metric} · {variant} vs {control}").format(metric=metric_label(r.metric), variant=r.variant,
                                                             control=r.control) for r in data.itertuples()]
    colours = ["#2e7d32" if s and d > 0 else "#c62828" if s else "#607d8b"
               for s, d in zip(data["significant"].fillna(False), data["rel_diff"], strict=True)]
    y = list(range(len(data)))[::-1]
    for pos, colour, r in zip(y, colours, data.itertuples(), strict=True):
        ax.errorbar([r.rel_diff], [pos], xerr=[[r.rel_diff - r.rel_ci_low], [r.rel_ci_high - r.rel_diff]],
                    fmt="o", color=colour, elinewidth=2, capsize=4)
    ax.axvline(0, color="#333", linewidth=1)
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(_("relative change vs control, 95% CI (green/red: significant after correction)"))
    ax.set_title(title or _("Relative change vs control with confidence intervals"))
    return fig


def cumulative_chart(cumulative: pd.DataFrame, title: str, share: bool = True) -> plt.Figure:
    """Running difference with the naive (peeking-unsafe) interval and the always-valid one (pp for a share)."""
    fig, ax = subplots(figsize=(10, 3.8))
    ax.fill_between(cumulative["date"], cumulative["cs_low"], cumulative["cs_high"], color="#90caf9", alpha=0.5,
                    label=_("always-valid interval (safe to peek)"))
    ax.plot(cumulative["date"], cumulative["fixed_low"], color="#ef6c00", linestyle="--", linewidth=1,
            label=_("fixed-horizon interval (valid only at the planned end)"))
    ax.plot(cumulative["date"], cumulative["fixed_high"], color="#ef6c00", linestyle="--", linewidth=1)
    ax.plot(cumulative["date"], cumulative["diff"], color="#1565c0", marker="o", label=_("difference so far"))
    ax.axhline(0, color="#333", linewidth=1)
    ax.legend(loc="best", fontsize=8)
    if share:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v * 100:+.1f}"))
        ax.set_ylabel(_("difference, percentage points"))
    else:
        ax.set_ylabel(_("difference"))
    ax.set_title(title)
    slant_dates(ax)
    return fig


def running_chart(difference: RunningDifference, share: bool = True) -> plt.Figure:
    """The running difference of one treatment against the control, titled with the metric and the two arms."""
    title = _("{metric}: {variant} − {control} over time").format(
        metric=metric_label(difference.metric), variant=difference.variant, control=difference.control)
    return cumulative_chart(difference.table, title, share)


def running_charts(differences: Sequence[RunningDifference], share: bool = True) -> dict[str, plt.Figure]:
    """One running-difference chart per treatment, by the name its figure is saved under."""
    return {difference.name: running_chart(difference, share) for difference in differences}


def experiment_explorer(data_dir: str | Path | None, metrics: Sequence[MetricSpec], segments: Sequence[str],
                        alpha: float = 0.05, correction: str = "holm", experiment_id: str | None = None) -> Any:
    """Dropdowns (experiment, metric, segment) that re-run the evaluation of the chosen metric.

    It starts on `experiment_id` (the notebook's) and shows its verdict line, forest plot and, with a
    segment, the breakdown; each experiment's units are read once. See helpers.explorer for when
    it draws; ``controls`` are (experiment, metric, segment).
    """
    import ipywidgets as widgets

    from helpers.explorer import Explorer, View, fit_descriptions

    words = findings.explorer_labels()
    ids = experiment_ids(data_dir)
    start = experiment_id if experiment_id in ids else (ids[0] if ids else None)
    experiment = widgets.Dropdown(options=ids, value=start, description=words["experiment"])
    metric = widgets.Dropdown(options=[(metric_label(m.name), m.name) for m in metrics], description=words["metric"])
    choices = [(words["none"], NO_SEGMENT), *((findings.segment_label(s), s) for s in segments)]
    segment = widgets.Dropdown(options=choices, description=words["segment"])
    fit_descriptions((experiment, metric, segment))
    by_name = {m.name: m for m in metrics}
    folder = config.data_dir(data_dir)
    tables = functools.cache(lambda: load_experiment_tables(folder))  # read on the first draw, once
    load = functools.lru_cache(maxsize=16)(lambda eid: experiment_from_tables(tables(), eid))
    unit_files = functools.lru_cache(maxsize=16)(lambda eid: _unit_file(folder, eid, metrics))

    def draw() -> View:
        if find_table_file("experiment_units", folder) is None:  # a totals export only: nothing to re-run
            return View(_("The explorer re-runs the evaluation from unit rows (experiment_units), and this data "
                          "folder has none: the results above come from the totals export."), problem=True)
        unit_file = unit_files(experiment.value)
        view = (explore_sums(unit_file, by_name[metric.value], segment.value, alpha, correction)
                if unit_file is not None else None)
        if view is None:  # CSV, or something the rows path must name or read
            design, units = load(experiment.value)
            view = explore_loaded(design, units, by_name[metric.value], segment.value, alpha, correction)
        forest = forest_chart(view.evaluation.results, _("{experiment}: {metric}").format(
            experiment=view.design.experiment_id, metric=metric_label(view.metric.name)))
        tables_shown = (findings.segments_table(view.segments, view.metric.kind),) if not view.segments.empty else ()
        return View(findings.explorer_line(view.evaluation), forest, tables_shown)

    return Explorer("experiment", (experiment, metric, segment), draw)


def _unit_file(folder: Path, experiment_id: str, metrics: Sequence[MetricSpec]) -> ParquetUnits | None:
    """The experiment's checked Parquet units file with the sums of every metric; None for CSV or a defect."""
    path = find_table_file("experiment_units", folder)
    if path is None:
        return None
    design = find_design(load_tables(["experiments"], folder)["experiments"], experiment_id)
    return open_units(path, design, metrics, None)
