"""What a person reads from an experiment evaluation: the lines under each section, the verdicts, summary.json.

Every function takes computed results and returns text or a table; none prints. The notebook
prints or displays what they return, so every sentence of the report is unit-tested here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.experiments.design import ExperimentDesign
from helpers.experiments.evaluate import Evaluation, Settings
from helpers.experiments.sequential import RunningDifference
from helpers.experiments.srm import SrmResult, srm_table

#: Columns of the results table as the notebook shows it (tables/results.csv keeps them all).
RESULT_VIEW: tuple[str, ...] = (
    "metric", "role", "variant", "control_value", "variant_value", "abs_diff", "abs_ci_low", "abs_ci_high",
    "rel_diff", "rel_ci_low", "rel_ci_high", "p_value", "p_value_adjusted", "test", "power", "mde",
)
#: Columns of the Bayesian view.
BAYES_VIEW: tuple[str, ...] = ("metric", "variant", "prob_beat_control", "expected_loss", "prior")
#: Columns of the CUPED table (evaluate.metric_stats).
CUPED_COLUMNS: tuple[str, ...] = ("metric", "covariate", "theta", "variance_reduction")
#: Segment rows named in the segments line at most.
SEGMENTS_NAMED = 3


def header(design: ExperimentDesign, settings: Settings, assignment: Mapping[str, Any] | None) -> str:
    """The experiment in three lines: arms and planned dates, metric roles, and when units were assigned."""
    lines = [f"{design.experiment_id}: {' vs '.join(design.variants)} (control {design.control}), "
             f"{design.start:%Y-%m-%d} – {design.end:%Y-%m-%d} ({design.days} days)",
             f"Primary: {', '.join(settings.primary)}; guardrails: {', '.join(settings.guardrails) or 'none'}"]
    if assignment is not None:
        outside = int(assignment["outside_planned_dates"])
        note = f"; {outside:,} unit(s) assigned outside the planned dates — check the set-up" if outside else ""
        lines.append(f"Assigned {assignment['first']:%Y-%m-%d} – {assignment['last']:%Y-%m-%d} "
                     f"({assignment['days']} days){note}")
    return "\n".join(lines)


def srm_line(srm: SrmResult) -> str:
    """The verdict of the sample ratio check, and what a failure means for everything below it."""
    if srm.passed:
        return "SRM check: passed"
    return "SRM check: FAILED — units were not split as planned; results below are not trustworthy"


def results_view(results: pd.DataFrame) -> pd.DataFrame:
    """The results table with the columns a reader needs (the Bayesian ones have their own section)."""
    return results[list(RESULT_VIEW)]


def cuped_line(cuped: pd.DataFrame) -> str:
    """What the CUPED table below shows, or why there is none."""
    if cuped.empty:
        return "No CUPED adjustment: no pre-period covariate (covariate = ''), or the run read totals."
    return "CUPED variance reduction (share of variance removed by the pre-period covariate):"


def cuped_view(cuped: pd.DataFrame) -> pd.DataFrame:
    """The CUPED table with its columns even when empty (a totals run has none)."""
    return cuped.reindex(columns=list(CUPED_COLUMNS))


def bayes_view(results: pd.DataFrame) -> pd.DataFrame:
    """Probability to beat control and expected loss per metric and variant."""
    return results[list(BAYES_VIEW)]


def segments_line(segments: pd.DataFrame, metric: str) -> str:
    """How many segment rows differ after correction over all of them (a hypothesis, never a ship reason)."""
    if segments.empty:
        return "No segment breakdown: it needs unit rows and segment columns."
    columns = ", ".join(dict.fromkeys(segments["segment"].astype(str)))
    significant = segments[segments["significant"].fillna(False).astype(bool)]
    named = [f"{r.segment}={r.value} ({r.variant} {r.rel_diff:+.1%})"
             for r in significant.head(SEGMENTS_NAMED).itertuples()]
    more = len(significant) - len(named)
    which = f": {'; '.join(named)}{f' and {more} more' if more else ''}" if named else ""
    return (f"{metric} by {columns}: {len(significant)} of {len(segments)} segment rows differ significantly after "
            f"correction over all of them{which}. Segment results are hypotheses for the next test, not reasons "
            "to ship to one segment.")


def running_line(running: Sequence[RunningDifference]) -> str:
    """Per treatment, the difference on the last day and whether the always-valid interval excludes 0."""
    if not running:
        return "No running chart: it needs unit rows with a timestamp (time_column)."
    lines = []
    for difference in running:
        last = difference.table.iloc[-1]
        head = (f"{difference.metric}, {difference.variant} − {difference.control} after {len(difference.table)} "
                f"day(s): {last['diff']:+.4g}")
        if pd.isna(last["cs_low"]) or pd.isna(last["cs_high"]):
            lines.append(f"{head}; no interval yet (too few units or no variation).")
            continue
        excludes = last["cs_low"] > 0 or last["cs_high"] < 0
        lines.append(f"{head}, always-valid interval [{last['cs_low']:.4g}, {last['cs_high']:.4g}] "
                     + ("excludes 0: a difference that holds even when watched daily." if excludes
                        else "includes 0: no difference yet that holds when watched daily."))
    return "\n".join(lines)


def decision_lines(decisions: pd.DataFrame, control: str) -> str:
    """One verdict line per primary metric and treatment."""
    return "\n".join(f"Decision for {r.metric}, {r.variant} vs {control}: {r.verdict}"
                     for r in decisions.itertuples())


def plan_line(plan: Mapping[str, Any]) -> str:
    """The next test's sample size and duration in one sentence (plan from power.plan_next_test)."""
    std = plan["std"] or 0
    baseline = f"a mean of {plan['baseline']:g} (sd {std:g})" if std > 0 else f"a rate of {plan['baseline']:.2%}"
    kind = "a relative" if plan["relative"] else "an absolute"
    return (f"To detect {kind} change of {plan['mde']:g} on {baseline} "
            f"with {plan['variants']} variants: {plan['n_per_variant']:,} units per variant, "
            f"{plan['days_needed']} day(s) at {plan['daily_units']:,} units a day.")


def explorer_line(evaluation: Evaluation) -> str:
    """The explorer's status: the SRM check and each treatment's verdict."""
    verdicts = "; ".join(f"{r.variant}: {r.verdict}" for r in evaluation.decisions.itertuples())
    return f"SRM {'passed' if evaluation.srm.passed else 'FAILED'} (p = {evaluation.srm.p_value:.3g}); {verdicts}"


def summary_results(results: pd.DataFrame) -> list[dict[str, Any]]:
    """Result rows in summary.json's shape: intervals as [lo, hi] pairs."""
    rows = []
    for r in results.to_dict(orient="records"):
        r["abs_ci"] = [r.pop("abs_ci_low"), r.pop("abs_ci_high")]
        r["rel_ci"] = [r.pop("rel_ci_low"), r.pop("rel_ci_high")]
        rows.append(r)
    return rows


def summary(design: ExperimentDesign, evaluation: Evaluation, *, assignment: Mapping[str, Any] | None,
            segments: pd.DataFrame, plan: Mapping[str, Any]) -> dict[str, Any]:
    """summary.json of a run (the runner adds the parameters): design, SRM, results, decisions and the plan.

    `assignment`, `cuped` and `segments` appear only when the run had them.
    """
    srm = evaluation.srm
    out: dict[str, Any] = {
        "label": design.experiment_id,
        "experiment": {"experiment_id": design.experiment_id, "name": design.name, "control": design.control,
                       "variants": list(design.variants), "start": design.start, "end": design.end,
                       "days": design.days, "planned_mde": design.mde},
    }
    if assignment is not None:
        out["assignment"] = dict(assignment)
    out["srm"] = {"chi2": srm.chi2, "p_value": srm.p_value, "passed": srm.passed, "threshold": srm.threshold}
    out["results"] = summary_results(evaluation.results)
    if not evaluation.cuped.empty:
        out["cuped"] = evaluation.cuped
    if not segments.empty:
        out["segments"] = segments
    out["decision"] = evaluation.decisions
    out["plan"] = dict(plan)
    return out


def tables(evaluation: Evaluation, segments: pd.DataFrame,
           running: Sequence[RunningDifference]) -> dict[str, pd.DataFrame]:
    """The run's tables/*.csv by name, in report order; segments and running tables only when the run had them."""
    out = {"srm": srm_table(evaluation.srm), "results": evaluation.results}
    if not segments.empty:
        out["segments"] = segments
    out.update({difference.name: difference.table for difference in running})
    out["decisions"] = evaluation.decisions
    return out


def written_line(tables: Sequence[str], figures: Sequence[str]) -> str:
    """What the run wrote."""
    return f"Wrote summary.json, {len(tables)} tables and {len(figures)} figures."
