"""The experiment notebook's set-up: validate its parameters once, load the data, shape the summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.errors import ParameterError
from helpers.experiments.corrections import METHODS
from helpers.experiments.design import ExperimentDesign, load_experiment
from helpers.experiments.evaluate import Evaluation, Settings, evaluate, evaluate_aggregates
from helpers.experiments.metrics import MetricSpec, parse_metrics
from helpers.params import check_number


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated parameter as a tuple of names."""
    return tuple(part.strip() for part in str(text or "").split(",") if part.strip())


@dataclass(frozen=True)
class ExperimentRun:
    """Validated parameters and loaded data of one experiment evaluation."""

    design: ExperimentDesign
    units: pd.DataFrame | None
    aggregates: pd.DataFrame | None
    metrics: tuple[MetricSpec, ...]
    settings: Settings
    segments: tuple[str, ...]
    time_column: str | None

    def evaluate(self) -> Evaluation:
        """Run the evaluation from unit rows, or from the totals export when one was given."""
        if self.aggregates is not None:
            return evaluate_aggregates(self.design, self.aggregates, self.metrics, self.settings)
        assert self.units is not None
        return evaluate(self.design, self.units, self.metrics, self.settings)

    def metric(self, name: str) -> MetricSpec:
        """A defined metric by name."""
        return next(m for m in self.metrics if m.name == name)


def prepare_run(experiment_id: str, data_dir: str, metrics: dict[str, str], primary: str, guardrails: str,
                alpha: float, power: float, correction: str, covariate: str, segments: str, time_column: str,
                aggregates_file: str = "", mde: object = "", lower_is_better: str = "") -> ExperimentRun:
    """Check every parameter, load the experiment (units or a totals export) and build the settings."""
    check_number("alpha", alpha, 0.0001, 0.5)
    check_number("power", power, 0.5, 0.999)
    if correction not in METHODS:
        raise ParameterError(f"Parameter correction={correction!r}: use one of {', '.join(METHODS)}.")
    specs = tuple(parse_metrics(metrics))
    design, units = load_experiment(experiment_id, data_dir)
    primary_names = _names(primary) or (design.primary_metric,)
    # explicit guardrails must be defined metrics; the design's are used where a metric defines them
    defined = {m.name for m in specs}
    guardrail_names = _names(guardrails) or tuple(g for g in design.guardrails if g in defined)
    lower = _names(lower_is_better)
    undefined = [m for m in lower if m not in defined]
    if undefined:
        raise ParameterError(f"Parameter lower_is_better names undefined metric(s) {undefined}.")
    settings = Settings(alpha=float(alpha), power=float(power), correction=correction, primary=primary_names,
                        guardrails=guardrail_names, covariate=str(covariate).strip() or None,
                        mde=planned_mde(design, primary_names, mde), lower_is_better=lower)
    aggregates = None
    if str(aggregates_file).strip():
        path = Path(aggregates_file).expanduser()
        if not path.exists():
            raise ParameterError(f"Parameter aggregates_file={aggregates_file!r}: file not found.")
        aggregates = pd.read_csv(path, encoding="utf-8-sig")
        units = None
    seg = _names(segments)
    if units is not None:
        absent = [c for c in seg if c not in units.columns]
        if absent:
            raise ParameterError(f"Parameter segments: column(s) {absent} are not in experiment_units "
                                 f"(columns: {', '.join(map(str, units.columns))}).")
    time = str(time_column).strip() or None
    if units is not None and time and time not in units.columns:
        raise ParameterError(f"Parameter time_column={time!r} is not a column of experiment_units; use '' to skip "
                             "the cumulative chart.")
    return ExperimentRun(design, units, aggregates, specs, settings, seg, time)


def planned_mde(design: ExperimentDesign, primary: tuple[str, ...], mde: object) -> dict[str, float]:
    """Absolute MDE per metric: the `mde` parameter for the primary metrics, else the design's for its own."""
    text = str(mde).strip() if mde is not None else ""
    if text:
        value = check_number("mde", text, 1e-12, 1e12)
        return {name: value for name in primary}
    return {design.primary_metric: design.mde} if design.mde else {}


def summary_results(results: pd.DataFrame) -> list[dict[str, Any]]:
    """Result rows in summary.json's shape: intervals as [lo, hi] pairs."""
    rows = []
    for r in results.to_dict(orient="records"):
        r["abs_ci"] = [r.pop("abs_ci_low"), r.pop("abs_ci_high")]
        r["rel_ci"] = [r.pop("rel_ci_low"), r.pop("rel_ci_high")]
        rows.append(r)
    return rows
