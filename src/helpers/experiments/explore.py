"""What the explorer shows for one choice of experiment, metric and segment (the widget is in charts)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.data import load_tables
from helpers.experiments.design import ExperimentDesign, load_experiment
from helpers.experiments.evaluate import Evaluation, Settings, evaluate, segment_breakdown, segment_table
from helpers.experiments.metrics import MetricSpec
from helpers.experiments.sums import ParquetUnits, evaluate_sums

#: The segment choice that means "no breakdown".
NO_SEGMENT = "(none)"


@dataclass(frozen=True)
class Exploration:
    """One experiment evaluated on one metric (as its primary), and that metric by segment if one was chosen."""

    design: ExperimentDesign
    metric: MetricSpec
    evaluation: Evaluation
    segments: pd.DataFrame  # empty when no segment was chosen or the column is absent


def experiment_ids(data_dir: str | Path | None) -> list[str]:
    """Every experiment of the experiments table, for the selector."""
    return list(load_tables(["experiments"], data_dir)["experiments"]["experiment_id"])


def explore(data_dir: str | Path | None, experiment_id: str, metric: MetricSpec, segment: str = NO_SEGMENT,
            alpha: float = 0.05, correction: str = "holm") -> Exploration:
    """Evaluate `metric` as the primary of `experiment_id` (the design's MDE when it is the design's primary).

    Guardrails are left out: this is a quick look at one metric, not the decision of the notebook.
    """
    design, units = load_experiment(experiment_id, data_dir)
    return explore_loaded(design, units, metric, segment, alpha, correction)


def explore_loaded(design: ExperimentDesign, units: pd.DataFrame, metric: MetricSpec, segment: str = NO_SEGMENT,
                   alpha: float = 0.05, correction: str = "holm") -> Exploration:
    """`explore` on an experiment already loaded (the explorer reads each experiment's units once)."""
    settings = _settings(design, metric, alpha, correction)
    evaluation = evaluate(design, units, [metric], settings)
    by_segment = (segment_breakdown(units, design, metric, [segment], settings)
                  if segment != NO_SEGMENT and segment in units.columns else pd.DataFrame())
    return Exploration(design, metric, evaluation, by_segment)


def explore_sums(unit_file: ParquetUnits, metric: MetricSpec, segment: str = NO_SEGMENT, alpha: float = 0.05,
                 correction: str = "holm") -> Exploration | None:
    """`explore` from a checked Parquet units file's DuckDB sums (its rows never read); None where rows must decide.

    ``unit_file`` holds the sums of every metric the explorer offers (sums.open_units); the segment, if
    chosen, is summed per variant × value as the notebook's segment section does.
    """
    design = unit_file.design
    settings = _settings(design, metric, alpha, correction)
    evaluation = evaluate_sums(design, unit_file.sums, [metric], settings)
    by_segment = pd.DataFrame()
    if segment != NO_SEGMENT and segment in unit_file.columns:
        parts = unit_file.segment_parts(metric, segment)
        if parts is None:
            return None
        by_segment = segment_table(parts, design, metric, settings)
    return Exploration(design, metric, evaluation, by_segment)


def _settings(design: ExperimentDesign, metric: MetricSpec, alpha: float, correction: str) -> Settings:
    """One metric as the primary, the design's MDE when it is the design's primary metric, no guardrails."""
    mde = {design.primary_metric: design.mde} if design.mde else {}
    return Settings(alpha=alpha, correction=correction, primary=(metric.name,), mde=mde)
