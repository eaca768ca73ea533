"""A widget to switch experiment, metric and segment in JupyterLab without editing code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from helpers.data import load_tables
from helpers.experiments.design import load_experiment
from helpers.experiments.evaluate import Settings, evaluate, segment_breakdown
from helpers.experiments.metrics import MetricSpec


def experiment_ids(data_dir: str | Path | None) -> list[str]:
    """Every experiment of the experiments table, for the selector."""
    return list(load_tables(["experiments"], data_dir)["experiments"]["experiment_id"])


def experiment_explorer(data_dir: str | Path | None, metrics: Sequence[MetricSpec], segments: Sequence[str],
                        alpha: float = 0.05, correction: str = "holm") -> Any:
    """Dropdowns (experiment, metric, segment) that re-run the evaluation on change.

    Nothing runs until a choice changes, so a headless run never waits on it.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from helpers.experiments import charts as plots
    from helpers.report import styled

    experiment = widgets.Dropdown(options=experiment_ids(data_dir), description="Experiment")
    metric = widgets.Dropdown(options=[m.name for m in metrics], description="Metric")
    segment = widgets.Dropdown(options=["(none)", *segments], description="Segment")
    output = widgets.Output()
    by_name = {m.name: m for m in metrics}

    def redraw(_: object = None) -> None:
        output.clear_output(wait=True)
        with output:
            design, units = load_experiment(experiment.value, data_dir)
            spec = by_name[metric.value]
            mde = {design.primary_metric: design.mde} if design.mde else {}
            settings = Settings(alpha=alpha, correction=correction, primary=(spec.name,), mde=mde)
            ev = evaluate(design, units, [spec], settings)
            print(f"SRM {'passed' if ev.srm.passed else 'FAILED'} (p = {ev.srm.p_value:.3g}); "
                  + "; ".join(f"{r.variant}: {r.verdict}" for r in ev.decisions.itertuples()))
            fig = plots.forest_chart(ev.results, f"{design.experiment_id}: {spec.name}")
            display(fig)
            plots.close(fig)
            if segment.value != "(none)" and segment.value in units.columns:
                display(styled(segment_breakdown(units, design, spec, [segment.value], settings)))

    for control in (experiment, metric, segment):
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([experiment, metric, segment]), output])
