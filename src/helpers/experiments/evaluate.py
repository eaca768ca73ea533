"""One experiment evaluated end to end: SRM, every metric × variant, corrections, Bayes, decisions.

Conventions (tools differ here, so they are stated): binary metrics use the pooled-SE z-test for
the p-value and the unpooled Wald interval, no continuity correction, Fisher's exact test when an
expected cell count is under 5; mean metrics use Welch's t; ratio metrics the delta method with z.
The relative interval has its own p-value (rel_p_value, agreeing with it); p_value, of the
absolute difference, is the one adjusted and decided on.
Adjusted p-values correct within each role's family (Holm by default): the primary metrics over
their variants, the guardrails over theirs, the secondary metrics over theirs, so adding a
secondary metric never weakens the primary test and a guardrail need not beat the whole family
to count. Intervals are per comparison (not adjusted). CUPED, when a pre-period covariate is
given, adjusts mean metrics only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers import i18n
from helpers.errors import ParameterError, require_columns
from helpers.experiments.bayes import beta_binomial, normal_posterior
from helpers.experiments.corrections import adjust_pvalues
from helpers.experiments.cuped import cuped_adjust
from helpers.experiments.decision import decide
from helpers.experiments.design import ExperimentDesign, unit_counts
from helpers.experiments.frequentist import Comparison, compare, estimate
from helpers.experiments.labels import difference_format, is_share, metric_label
from helpers.experiments.metrics import (
    MetricSpec,
    VariantStats,
    as_segment,
    stats_from_aggregates,
    totals_by_variant,
    variant_stats,
)
from helpers.experiments.power import achieved_power, additional_units_needed, mde_at
from helpers.experiments.srm import SrmResult, srm_test
from helpers.i18n import _

RESULT_COLUMNS = [
    "metric", "kind", "role", "control", "variant", "n_control", "n_variant", "control_value", "variant_value",
    "abs_diff", "abs_ci_low", "abs_ci_high", "rel_diff", "rel_ci_low", "rel_ci_high", "rel_p_value",
    "p_value", "p_value_adjusted", "significant", "test", "power", "mde", "prob_beat_control", "expected_loss", "prior",
]


@dataclass(frozen=True)
class Settings:
    """How to evaluate: alpha, power, correction, metric roles, CUPED covariate and the planned MDE."""

    alpha: float = 0.05
    power: float = 0.8
    correction: str = "holm"
    primary: tuple[str, ...] = ()
    guardrails: tuple[str, ...] = ()
    covariate: str | None = None
    mde: Mapping[str, float] = field(default_factory=dict)  # planned absolute MDE per metric
    lower_is_better: tuple[str, ...] = ()

    def mde_for(self, metric: str) -> float | None:
        """The planned absolute MDE of a metric, if one was planned."""
        value = self.mde.get(metric)
        return None if value is None or pd.isna(value) else float(value)

    def higher_is_better(self, metric: str) -> bool:
        """Direction of good: True unless the metric is listed as lower-is-better (refunds, unsubscribes)."""
        return metric not in self.lower_is_better

    def role(self, metric: str) -> str:
        """primary, guardrail or secondary."""
        if metric in self.primary:
            return "primary"
        return "guardrail" if metric in self.guardrails else "secondary"


@dataclass(frozen=True)
class Evaluation:
    """Everything the notebook shows: SRM, results per metric × variant, CUPED gains and decisions."""

    design: ExperimentDesign
    srm: SrmResult
    results: pd.DataFrame
    decisions: pd.DataFrame
    cuped: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{r.metric}/{r.variant}: {r.verdict}" for r in self.decisions.itertuples())
        return (f"Evaluation({self.design.experiment_id}, SRM {'passed' if self.srm.passed else 'FAILED'} "
                f"(p={self.srm.p_value:.3g}), {len(self.results)} comparisons, decisions: {verdicts})")


def metric_stats(units: pd.DataFrame, metrics: Sequence[MetricSpec],
                 covariate: str | None = None) -> tuple[dict[str, dict[str, VariantStats]], pd.DataFrame]:
    """Per metric, per-variant statistics (CUPED-adjusted for mean metrics when a covariate is given)."""
    stats: dict[str, dict[str, VariantStats]] = {}
    gains = []
    for metric in metrics:
        if covariate and metric.kind == "mean":
            result = cuped_adjust(units[metric.column], units[covariate], units["variant"])
            adjusted = units.assign(_cuped=result.adjusted)
            stats[metric.name] = variant_stats(adjusted, MetricSpec(metric.name, "mean", "_cuped"))
            gains.append({"metric": metric.name, "covariate": covariate, "theta": result.theta,
                          "variance_reduction": result.variance_reduction})
        else:
            stats[metric.name] = variant_stats(units, metric)
    return stats, pd.DataFrame(gains, columns=["metric", "covariate", "theta", "variance_reduction"])


def _bayes(control: VariantStats, variant: VariantStats, metric: MetricSpec, comparison: Comparison) -> tuple:
    """(probability to beat control, expected loss of shipping, prior) for one comparison."""
    if metric.kind == "binary":
        b = beta_binomial(int(control.sum_x), control.n, int(variant.sum_x), variant.n)
    else:
        ce, ve = estimate(control, metric), estimate(variant, metric)
        b = normal_posterior(ce.value, float(np.sqrt(ce.var)), ve.value, float(np.sqrt(ve.var)))
    return b.prob_beat_control, b.expected_loss, b.prior


def compare_metrics(stats: Mapping[str, Mapping[str, VariantStats]], metrics: Sequence[MetricSpec],
                    design: ExperimentDesign, settings: Settings,
                    cuped_metrics: Sequence[str] = ()) -> pd.DataFrame:
    """One row per metric × treatment with frequentist, power and Bayesian results, p-values adjusted."""
    rows: list[dict[str, Any]] = []
    for metric in metrics:
        by_variant = stats[metric.name]
        control = by_variant.get(design.control)
        for variant in design.treatments:
            treated = by_variant.get(variant)
            if control is None or treated is None or treated.n == 0 or control.n == 0:
                rows.append({"metric": metric.name, "kind": metric.kind, "role": settings.role(metric.name),
                             "control": design.control, "variant": variant,
                             "test": "cannot test: a variant has no units"})
                continue
            try:
                c = compare(control, treated, metric, settings.alpha)
            except ParameterError as exc:  # e.g. no variation yet: one metric cannot stop the others
                rows.append({"metric": metric.name, "kind": metric.kind, "role": settings.role(metric.name),
                             "control": design.control, "variant": variant, "test": f"cannot test: {exc}"})
                continue
            effect = settings.mde_for(metric.name)
            prob, loss, prior = _bayes(control, treated, metric, c)
            adjusted = metric.name in cuped_metrics
            rows.append({
                "metric": metric.name, "kind": metric.kind, "role": settings.role(metric.name),
                "control": design.control, "variant": variant, "n_control": control.n, "n_variant": treated.n,
                "control_value": c.control_value, "variant_value": c.variant_value, "abs_diff": c.abs_diff,
                "abs_ci_low": c.abs_ci[0], "abs_ci_high": c.abs_ci[1], "rel_diff": c.rel_diff,
                "rel_ci_low": c.rel_ci[0], "rel_ci_high": c.rel_ci[1], "rel_p_value": c.rel_p_value,
                "p_value": c.p_value,
                "test": c.test + (" (CUPED-adjusted values)" if adjusted else ""),
                "power": achieved_power(control, treated, metric, effect, settings.alpha),
                "mde": mde_at(control, treated, metric, settings.alpha, settings.power),
                "prob_beat_control": prob, "expected_loss": loss, "prior": prior,
            })
    table = pd.DataFrame(rows).reindex(columns=RESULT_COLUMNS)
    table["p_value_adjusted"] = np.nan
    for _role, family in table.groupby("role", sort=False):  # one correction family per role
        table.loc[family.index, "p_value_adjusted"] = adjust_pvalues(family["p_value"].to_numpy(dtype=float),
                                                                     settings.correction)
    table["significant"] = table["p_value_adjusted"] < settings.alpha
    return table


def guardrail_breaches(results: pd.DataFrame, variant: str, settings: Settings | None = None) -> list[str]:
    """Guardrail metrics that got significantly worse for a variant, in each metric's direction of good."""
    settings = settings or Settings()
    rows = results[(results["role"] == "guardrail") & (results["variant"] == variant)
                   & results["significant"].fillna(False).astype(bool)]
    worse = [r for r in rows.itertuples()
             if (r.abs_diff < 0) == settings.higher_is_better(r.metric) and r.abs_diff != 0]
    return [f"{metric_label(r.metric)} {i18n.fmt_change(r.rel_diff)}" for r in worse]


def make_decisions(results: pd.DataFrame, stats: Mapping[str, Mapping[str, VariantStats]],
                   metrics: Sequence[MetricSpec], design: ExperimentDesign, srm: SrmResult,
                   settings: Settings) -> pd.DataFrame:
    """A plain-language verdict per primary metric and variant (invalid / ship / don't ship / keep running)."""
    by_name = {m.name: m for m in metrics}
    rows = []
    for r in results[results["role"] == "primary"].itertuples():
        if pd.isna(r.p_value):
            rows.append({"metric": r.metric, "variant": r.variant, "verdict": "invalid",
                         "reason": _("Invalid: the comparison could not be tested (see the test column of "
                                     "tables/results.csv)."), "units_needed": None})
            continue
        control, treated = stats[r.metric][design.control], stats[r.metric][r.variant]
        mde = settings.mde_for(r.metric)
        more = (additional_units_needed(control, treated, by_name[r.metric], mde, settings.alpha, settings.power)
                if mde else None)
        d = decide(float(r.p_value_adjusted), float(r.abs_diff), float(r.abs_ci_low), float(r.abs_ci_high),
                   settings.alpha, srm_passed=srm.passed,
                   guardrail_breaches=guardrail_breaches(results, r.variant, settings),
                   additional_units_needed=more, mde=mde, higher_is_better=settings.higher_is_better(r.metric),
                   metric=metric_label(r.metric), p_label="adjusted p", srm_p=srm.p_value,
                   value_format=difference_format(is_share(r.kind, r.control_value, r.variant_value)))
        rows.append({"metric": r.metric, "variant": r.variant, "verdict": d.verdict, "reason": d.reason,
                     "units_needed": more if d.verdict == "keep running" else None})
    return pd.DataFrame(rows, columns=["metric", "variant", "verdict", "reason", "units_needed"])


def evaluate(design: ExperimentDesign, units: pd.DataFrame, metrics: Sequence[MetricSpec],
             settings: Settings) -> Evaluation:
    """SRM check, then every metric × variant comparison, corrections, Bayes and decisions."""
    _check_roles(metrics, settings)
    if settings.covariate and settings.covariate not in units.columns:
        raise ParameterError(f"Parameter covariate={settings.covariate!r} is not a column of experiment_units "
                             f"(columns: {', '.join(map(str, units.columns))}).")
    stats, cuped = metric_stats(units, metrics, settings.covariate)
    return _evaluation(design, unit_counts(design, units), stats, metrics, settings, cuped)


def evaluate_aggregates(design: ExperimentDesign, aggregates: pd.DataFrame, metrics: Sequence[MetricSpec],
                        settings: Settings) -> Evaluation:
    """The same evaluation from a platform's totals export (variant, units, per-metric sums); no CUPED.

    Several rows of one variant (one per platform or day) are summed, once, for the SRM check and
    every metric alike.
    """
    _check_roles(metrics, settings)
    if settings.covariate:
        raise ParameterError("CUPED needs unit rows; with an aggregates file set covariate to ''.")
    require_columns(aggregates, ["variant", "units"], "aggregates", "A totals export has a row per variant "
                    "(or several: per platform or day) with its units.")
    units = totals_by_variant(aggregates, [])["units"]  # the same summed rows every metric's statistics use
    unknown = sorted(set(units.index) - set(design.variants))
    if unknown:
        raise ParameterError(f"aggregates: variant(s) {unknown} are not declared for {design.experiment_id} "
                             f"(declared: {list(design.variants)}).")
    stats = {m.name: stats_from_aggregates(aggregates, m) for m in metrics}
    counts = {v: int(units.get(v, 0)) for v in design.variants}
    return _evaluation(design, counts, stats, metrics, settings, pd.DataFrame())


def evaluate_stats(design: ExperimentDesign, counts: dict[str, int], stats: Mapping[str, Mapping[str, VariantStats]],
                   metrics: Sequence[MetricSpec], settings: Settings, cuped: pd.DataFrame) -> Evaluation:
    """The evaluation from per-variant statistics already computed (sums.evaluate_experiment's path).

    ``counts`` are the units per declared variant (the SRM check's), ``cuped`` the CUPED gains table.
    """
    _check_roles(metrics, settings)
    return _evaluation(design, counts, stats, metrics, settings, cuped)


def _evaluation(design: ExperimentDesign, counts: dict[str, int], stats: Mapping[str, Mapping[str, VariantStats]],
                metrics: Sequence[MetricSpec], settings: Settings, cuped: pd.DataFrame) -> Evaluation:
    """The shared tail: SRM on the unit counts, comparisons, decisions."""
    srm = srm_test(counts, design.expected_split or None)
    cuped_metrics = list(cuped["metric"]) if not cuped.empty else []
    results = compare_metrics(stats, metrics, design, settings, cuped_metrics)
    decisions = make_decisions(results, stats, metrics, design, srm, settings)
    return Evaluation(design, srm, results, decisions, cuped)


def _check_roles(metrics: Sequence[MetricSpec], settings: Settings) -> None:
    """Primary and guardrail metrics must be defined."""
    names = {m.name for m in metrics}
    missing = [m for m in (*settings.primary, *settings.guardrails) if m not in names]
    if missing:
        raise ParameterError(f"Metric(s) {missing} are named as primary or guardrail but not defined in "
                             f"parameter metrics ({sorted(names)}).")


def segment_breakdown(units: pd.DataFrame, design: ExperimentDesign, metric: MetricSpec,
                      segment_columns: Sequence[str], settings: Settings) -> pd.DataFrame:
    """Per segment value and treatment: the comparison, with p-values corrected over all segment rows.

    Exploratory: with many segments some differ by chance, so the adjusted p-value is the one to
    read, and a segment result is a hypothesis for the next test, not a decision. The metric is not
    CUPED-adjusted here (the segments compare its plain values).
    """
    parts = []
    for column in segment_columns:
        if column not in units.columns:
            raise ParameterError(f"Segment column {column!r} is not in experiment_units.")
        for value, part in units.groupby(as_segment(units[column]), dropna=False, sort=True):
            parts.append((column, value, variant_stats(part, metric)))
    return segment_table(parts, design, metric, settings)


def segment_table(parts: Iterable[tuple[str, object, Mapping[str, VariantStats]]], design: ExperimentDesign,
                  metric: MetricSpec, settings: Settings) -> pd.DataFrame:
    """segment_breakdown's table from each (segment column, value, per-variant statistics), in that order.

    The rows path computes the statistics from each segment's rows; `sums.ParquetUnits` from DuckDB sums.
    """
    rows: list[dict[str, Any]] = []
    for column, value, stats in parts:
        for variant in design.treatments:
            c_stats, v_stats = stats.get(design.control), stats.get(variant)
            base = {"segment": column, "value": str(value), "variant": variant}
            try:
                if c_stats is None or v_stats is None:
                    raise ParameterError("a variant has no units in this segment")
                c = compare(c_stats, v_stats, metric, settings.alpha)
            except ParameterError as exc:
                rows.append({**base, "test": f"cannot test: {exc}"})
                continue
            rows.append({**base, "n_control": c_stats.n, "n_variant": v_stats.n,
                         "control_value": c.control_value, "variant_value": c.variant_value,
                         "abs_diff": c.abs_diff, "abs_ci_low": c.abs_ci[0], "abs_ci_high": c.abs_ci[1],
                         "rel_diff": c.rel_diff, "p_value": c.p_value, "test": c.test})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["p_value_adjusted"] = adjust_pvalues(table["p_value"].to_numpy(dtype=float), settings.correction)
    table["significant"] = table["p_value_adjusted"] < settings.alpha
    return table
