"""The experiment notebook's set-up: check every parameter once, load the data, and run the sections on it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import i18n
from helpers.data import check_files, find_table_file, load_checked_tables
from helpers.errors import ParameterError
from helpers.experiments.corrections import METHODS
from helpers.experiments.design import ExperimentDesign, assignment_window, find_design, load_experiment
from helpers.experiments.evaluate import (
    Evaluation,
    Settings,
    evaluate,
    evaluate_aggregates,
    segment_breakdown,
    segment_table,
)
from helpers.experiments.metrics import MetricSpec, parse_metrics
from helpers.experiments.power import PlanInputs, plan_next_test
from helpers.experiments.sequential import RunningDifference, running_differences
from helpers.experiments.sums import ParquetUnits, evaluate_sums, open_units
from helpers.params import check_choice, check_mapping, check_number, check_optional_list

METRICS_EXAMPLE = '{"conversions": "binary:conversions", "clicks": "ratio:clicks/exposures"}'


@dataclass(frozen=True)
class ExperimentRun:
    """Checked parameters and loaded data of one experiment evaluation.

    The data is one of: the unit rows (``units``), a totals export (``aggregates``), or a checked
    Parquet units file (``unit_file``) whose sections are computed as sums in DuckDB; where one of
    those must read the rows instead (a segment or time column of another type, a missing time),
    the rows are loaded then, once (``rows``).
    """

    design: ExperimentDesign
    units: pd.DataFrame | None  # None when the run reads a totals export or a Parquet file's sums
    aggregates: pd.DataFrame | None
    metrics: tuple[MetricSpec, ...]
    settings: Settings
    segments: tuple[str, ...]
    time_column: str | None
    data_dir: Path
    plan: PlanInputs
    lang: str = i18n.DEFAULT_LANGUAGE  # the report's language, resolved by prepare
    unit_file: ParquetUnits | None = None  # a Parquet units file evaluated from DuckDB sums

    @functools.cached_property
    def rows(self) -> pd.DataFrame | None:
        """The unit rows: as loaded, or read now from the Parquet file (a section the sums cannot serve)."""
        if self.units is not None or self.unit_file is None:
            return self.units
        return load_experiment(self.design.experiment_id, self.data_dir)[1]

    def evaluate(self) -> Evaluation:
        """Run the evaluation from unit rows, the Parquet file's sums, or the totals export when one was given."""
        if self.aggregates is not None:
            return evaluate_aggregates(self.design, self.aggregates, self.metrics, self.settings)
        if self.unit_file is not None:
            return evaluate_sums(self.design, self.unit_file.sums, self.metrics, self.settings)
        assert self.units is not None
        return evaluate(self.design, self.units, self.metrics, self.settings)

    def metric(self, name: str) -> MetricSpec:
        """A defined metric by name."""
        return next(m for m in self.metrics if m.name == name)

    @property
    def primary_metric(self) -> MetricSpec:
        """The first primary metric: the one the segment breakdown and the running chart follow."""
        return self.metric(self.settings.primary[0])

    def assignment_window(self) -> dict[str, object] | None:
        """When units were assigned (first, last, days, outside the planned dates); None without unit timestamps."""
        if not self.time_column:
            return None
        window = self.unit_file.assignment_window(self.time_column) if self.unit_file is not None else None
        rows = self.rows if window is None else None
        return window if rows is None else assignment_window(self.design, rows, self.time_column)

    def segment_breakdown(self) -> pd.DataFrame:
        """The primary metric per segment value; an empty table without unit rows or segment columns."""
        if not self.segments:
            return pd.DataFrame()
        if self.unit_file is not None:
            parts = [self.unit_file.segment_parts(self.primary_metric, column) for column in self.segments]
            if all(part is not None for part in parts):
                return segment_table([p for part in parts if part is not None for p in part], self.design,
                                     self.primary_metric, self.settings)
        if self.rows is None:
            return pd.DataFrame()
        return segment_breakdown(self.rows, self.design, self.primary_metric, self.segments, self.settings)

    def running_differences(self) -> list[RunningDifference]:
        """The primary metric's running difference per treatment; none without unit rows or a time_column."""
        if not self.time_column:
            return []
        if self.unit_file is not None:
            found = self.unit_file.running_differences(self.primary_metric, self.time_column, self.settings.alpha)
            if found is not None:
                return found
        if self.rows is None:
            return []
        return running_differences(self.rows, self.time_column, self.primary_metric, self.design.control,
                                   self.design.treatments, alpha=self.settings.alpha)

    @property
    def primary_is_share(self) -> bool:
        """Is the primary metric written as a share (%, differences in percentage points)?"""
        return self.primary_metric.kind in ("binary", "ratio")

    def plan_next_test(self) -> dict[str, Any]:
        """Units per variant and days for the planned next test, at the run's alpha and power."""
        return plan_next_test(self.plan, self.settings.alpha, self.settings.power)


@dataclass(frozen=True)
class ExperimentParameters:
    """The experiment parameters checked before the unit rows are read (check_parameters)."""

    data_dir: Path
    metrics: tuple[MetricSpec, ...]
    settings: Settings
    segments: tuple[str, ...]
    time_column: str | None
    aggregates_file: Path | None
    plan: PlanInputs
    design: ExperimentDesign | None = None  # the experiment's row of the experiments table


def check_parameters(*, experiment_id: str, data_dir: str, aggregates_file: str, metrics: dict[str, str],
                     primary: list[str], guardrails: list[str], mde: object, lower_is_better: list[str], alpha: float,
                     power: float, correction: str, covariate: str, segments: list[str], time_column: str,
                     plan_std: float, plan_baseline: float, plan_mde: float, plan_relative: bool, plan_variants: int,
                     plan_daily_units: float, lang: str) -> ExperimentParameters:
    """Every check of prepare that needs no unit rows: values, metrics, the data folder, the experiment's design.

    The experiment is looked up in the experiments table (small); segments and time_column are
    columns of experiment_units, checked by prepare once it has read them.
    """
    i18n.resolve_language(lang)
    alpha = check_number("alpha", alpha, 0.0001, 0.5)
    power = check_number("power", power, 0.5, 0.999)
    correction = check_choice("correction", correction, tuple(METHODS))
    specs = tuple(parse_metrics(check_mapping("metrics", metrics, _definition, example=METRICS_EXAMPLE,
                                              allow_empty=True)))
    primary_names = check_optional_list("primary", primary, example='["conversions"]')
    guardrail_list = check_optional_list("guardrails", guardrails, example='["clicks", "revenue"]')
    lower = check_optional_list("lower_is_better", lower_is_better, example='["refund_rate"]')
    seg = check_optional_list("segments", segments, example='["platform", "device", "is_new"]')
    plan = check_plan(plan_std=plan_std, plan_baseline=plan_baseline, plan_mde=plan_mde, plan_relative=plan_relative,
                      plan_variants=plan_variants, plan_daily_units=plan_daily_units)
    totals_given = bool(str(aggregates_file).strip())  # a totals export needs no unit rows
    folder = check_files(("experiments",) if totals_given else ("experiments", "experiment_units"), data_dir)
    design = find_design(load_checked_tables(["experiments"], folder)["experiments"], experiment_id)
    primary_names = primary_names or (design.primary_metric,)
    # explicit guardrails must be defined metrics; the design's are used where a metric defines them
    defined = {m.name for m in specs}
    guardrail_names = guardrail_list or tuple(g for g in design.guardrails if g in defined)
    undefined = [m for m in lower if m not in defined]
    if undefined:
        raise ParameterError(f"Parameter lower_is_better names undefined metric(s) {undefined}.")
    settings = Settings(alpha=alpha, power=power, correction=correction, primary=primary_names,
                        guardrails=guardrail_names, covariate=str(covariate).strip() or None,
                        mde=planned_mde(design, primary_names, mde), lower_is_better=lower)
    totals = None
    if str(aggregates_file).strip():
        totals = Path(aggregates_file).expanduser()
        if not totals.exists():
            raise ParameterError(f"Parameter aggregates_file={aggregates_file!r}: file not found.")
    return ExperimentParameters(folder, specs, settings, seg, str(time_column).strip() or None, totals, plan, design)


def prepare(*, experiment_id: str, data_dir: str, aggregates_file: str, metrics: dict[str, str],
            primary: list[str], guardrails: list[str], mde: object, lower_is_better: list[str], alpha: float,
            power: float, correction: str, covariate: str, segments: list[str], time_column: str, plan_std: float,
            plan_baseline: float, plan_mde: float, plan_relative: bool, plan_variants: int,
            plan_daily_units: float, lang: str) -> ExperimentRun:
    """Set the report's language, check every parameter (check_parameters), load the units or a totals export.

    With a totals export the experiment's row of the experiments table is its design; it needs no
    rows in experiment_units.
    """
    language = i18n.set_language(lang)
    checked = check_parameters(
        experiment_id=experiment_id, data_dir=data_dir, aggregates_file=aggregates_file, metrics=metrics,
        primary=primary, guardrails=guardrails, mde=mde, lower_is_better=lower_is_better, alpha=alpha, power=power,
        correction=correction, covariate=covariate, segments=segments, time_column=time_column, plan_std=plan_std,
        plan_baseline=plan_baseline, plan_mde=plan_mde, plan_relative=plan_relative, plan_variants=plan_variants,
        plan_daily_units=plan_daily_units, lang=lang)
    seg, time = checked.segments, checked.time_column
    aggregates, units, unit_file = None, None, None
    assert checked.design is not None
    design = checked.design
    if checked.aggregates_file is not None:  # the totals and the design's row are enough: no unit rows needed
        aggregates = pd.read_csv(checked.aggregates_file, encoding="utf-8-sig")
    else:
        path = find_table_file("experiment_units", checked.data_dir)
        if path is not None:  # a clean Parquet file: its sections are sums in DuckDB, its rows are not read
            unit_file = open_units(path, design, checked.metrics, checked.settings.covariate)
        if unit_file is None:
            design, units = load_experiment(experiment_id, checked.data_dir)
    columns = list(units.columns) if units is not None else unit_file.columns if unit_file is not None else None
    if columns is not None:
        absent = [c for c in seg if c not in columns]
        if absent:
            raise ParameterError(f"Parameter segments: column(s) {absent} are not in experiment_units "
                                 f"(columns: {', '.join(map(str, columns))}).")
    if columns is not None and time and time not in columns:
        raise ParameterError(f"Parameter time_column={time!r} is not a column of experiment_units; use '' to skip "
                             "the cumulative chart.")
    return ExperimentRun(design, units, aggregates, checked.metrics, checked.settings, seg, time, checked.data_dir,
                         checked.plan, language, unit_file)


def _definition(name: str, value: Any) -> str:
    """A metric definition of the `metrics` map: text such as 'binary:conversions' (parse_metric reads it)."""
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"Parameter {name}={value!r}: define the metric as text, e.g. 'binary:conversions', "
                             "'mean:revenue' or 'ratio:clicks/exposures'.")
    return value.strip()


def planned_mde(design: ExperimentDesign, primary: tuple[str, ...], mde: object) -> dict[str, float]:
    """Absolute MDE per metric: the `mde` parameter for the primary metrics, else the design's for its own."""
    text = str(mde).strip() if mde is not None else ""
    if text:
        value = check_number("mde", text, 1e-12, 1e12)
        return dict.fromkeys(primary, value)
    return {design.primary_metric: design.mde} if design.mde else {}


def check_plan(*, plan_std: Any, plan_baseline: Any, plan_mde: Any, plan_relative: Any, plan_variants: Any,
               plan_daily_units: Any) -> PlanInputs:
    """The planning parameters: a rate (plan_std 0, baseline in (0, 1)) or a mean (plan_std > 0), an MDE ≠ 0."""
    std = check_number("plan_std", plan_std, 0.0, 1e12)
    if std == 0:
        baseline = check_number("plan_baseline", plan_baseline, 0.0, 1.0)
        if baseline in (0.0, 1.0):
            raise ParameterError(f"Parameter plan_baseline={plan_baseline!r} is a rate (plan_std = 0) and must lie "
                                 "strictly between 0 and 1, e.g. 0.04; for a mean metric set plan_std > 0.")
    else:
        baseline = check_number("plan_baseline", plan_baseline, -1e12, 1e12)
    effect = check_number("plan_mde", plan_mde, -1e12, 1e12)
    if effect == 0:
        raise ParameterError("Parameter plan_mde=0: no sample size detects no change; give the smallest effect "
                             "worth acting on, e.g. 0.15 (relative) or 0.006 (absolute).")
    if not isinstance(plan_relative, bool):
        raise ParameterError(f"Parameter plan_relative={plan_relative!r} must be True (plan_mde relative to the "
                             "baseline) or False (absolute).")
    variants = check_number("plan_variants", plan_variants, 2, 1e6)
    if not variants.is_integer():
        raise ParameterError(f"Parameter plan_variants={plan_variants!r} counts the control too: a whole number ≥ 2.")
    daily = check_number("plan_daily_units", plan_daily_units, 1e-9, 1e12)
    return PlanInputs(baseline=baseline, std=std, mde=effect, relative=plan_relative, variants=int(variants),
                      daily_units=int(daily) if daily.is_integer() else daily)
