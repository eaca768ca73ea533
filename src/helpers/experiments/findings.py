"""What a person reads from an experiment evaluation: the lines under each section, the verdicts, summary.json.

Every function takes computed results and returns text or a table, in the run's language
(``helpers.i18n``); none prints. The notebook prints or displays what they return, so every
sentence of the report is unit-tested here. Rates are written as percentages, their differences in
percentage points, p-values as "p < 0.001", probabilities capped at ">99.9%", negligible losses
"≈ 0". The tables written to tables/*.csv keep the raw values and machine column names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers import i18n, page
from helpers.experiments.design import ExperimentDesign
from helpers.experiments.evaluate import Evaluation, Settings
from helpers.experiments.labels import (
    difference_format,
    is_share,
    method_label,
    metric_label,
    role_label,
    segment_label,
    segment_value,
    value_format,
)
from helpers.experiments.sequential import RunningDifference
from helpers.experiments.srm import SrmResult, srm_table
from helpers.i18n import N_, _, ngettext

#: Segment rows named in the segments line at most.
SEGMENTS_NAMED = 3
#: Key findings and actions in the summary at most.
MAX_FINDINGS = 5
MAX_ACTIONS = 3
#: Section anchors of the notebook (the summary links to them).
ANCHORS = {"srm": "#srm", "primary": "#primary", "guardrails": "#guardrails", "bayes": "#bayes",
           "segments": "#segments", "running": "#running", "decision": "#decision", "plan": "#plan"}
#: Which decision the summary's verdict reports when the treatments differ: the first in this order.
VERDICT_ORDER = ("invalid", "ship", "keep running", "don't ship")
#: Labels of the display tables (machine column → label).
SRM_LABELS = {"units": N_("Units"), "expected": N_("Expected units"), "share": N_("Observed share"),
              "planned": N_("Planned share")}
CUPED_LABELS = {"metric": N_("Metric"), "covariate": N_("Covariate"), "theta": "θ",
                "variance_reduction": N_("Variance removed")}
BAYES_LABELS = {"metric": N_("Metric"), "variant": N_("Variant"),
                "prob_beat_control": N_("Probability to beat control"),
                "expected_loss": N_("Expected loss if shipped"), "prior": N_("Prior")}
SEGMENT_LABELS = {"segment": N_("Segment"), "value": N_("Value"), "variant": N_("Variant"),
                  "control_value": N_("Control"), "variant_value": N_("Variant value"),
                  "abs_diff": N_("Difference"), "abs_ci": N_("95% CI"), "rel_diff": N_("Relative"),
                  "p_value_adjusted": N_("Adjusted p"), "significant": N_("Significant")}
DECISION_LABELS = {"metric": N_("Metric"), "variant": N_("Variant"), "verdict": N_("Decision"), "reason": N_("Why")}
#: Pre-period covariates people name (the sample's); others are shown with spaces for underscores.
COVARIATE_LABELS = {"pre_revenue": N_("revenue before the test"), "pre_conversions": N_("conversions before the test")}


# ---------------------------------------------------------------- small pieces


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and not pd.isna(value)


def _share(row: Any) -> bool:
    """Is this result row's metric a share (written in % and percentage points)?"""
    return is_share(str(row["kind"]), float(row["control_value"]), float(row["variant_value"]))


def interval_text(low: float, high: float, share: bool) -> str:
    """An interval in the metric's units, the unit once: "+0.45 to +1.26 pp" / "+0.45 至 +1.26 个百分点"."""
    show = difference_format(share)
    if not (_present(low) and _present(high)):
        return i18n.MISSING
    low_text = show(low).split(" ")[0] if share else show(low)
    return _("{low} to {high}").format(low=low_text, high=show(high))


def relative_interval_text(low: float, high: float) -> str:
    """A relative interval: "+10.2% to +32.4%"."""
    if not (_present(low) and _present(high)):
        return i18n.MISSING
    return _("{low} to {high}").format(low=i18n.fmt_change(low), high=i18n.fmt_change(high))


def covariate_label(column: str) -> str:
    """A CUPED covariate as a reader names it."""
    label = COVARIATE_LABELS.get(str(column))
    return i18n.gettext(label) if label else str(column).replace("_", " ")


def sentence(text: str) -> str:
    """`text` with its first letter upper-case (labels start lower-case in English; Chinese is unchanged)."""
    return text[:1].upper() + text[1:]


def verdict_label(verdict: str) -> str:
    """A verdict code as a reader sees it, shape first ("● 上线")."""
    return page.status_label(verdict)


# ---------------------------------------------------------------- section lines


def header(design: ExperimentDesign, settings: Settings, assignment: Mapping[str, Any] | None) -> str:
    """The experiment in three lines: arms and planned dates, metric roles, and when units were assigned."""
    arms = _(" vs ").join(design.variants)
    lines = [_("{id}: {arms} (control {control}), {dates} ({days})").format(
        id=design.experiment_id, arms=arms, control=design.control, dates=i18n.fmt_day_range(design.start, design.end),
        days=ngettext("{n} day", "{n} days", design.days).format(n=design.days))]
    guardrails = _(", ").join(metric_label(g) for g in settings.guardrails) or _("none")
    lines.append(_("Primary metric: {primary}; guardrails: {guardrails}").format(
        primary=_(", ").join(metric_label(p) for p in settings.primary), guardrails=guardrails))
    if assignment is not None:
        days = int(assignment["days"])
        line = _("Units assigned {dates} ({days})").format(
            dates=i18n.fmt_day_range(assignment["first"], assignment["last"]),
            days=ngettext("{n} day", "{n} days", days).format(n=days))
        outside = int(assignment["outside_planned_dates"])
        if outside:
            line += _("; {units} assigned outside the planned dates: check the set-up").format(
                units=ngettext("{n} unit", "{n} units", outside).format(n=i18n.fmt_count(outside)))
        lines.append(line)
    return "\n".join(lines)


def srm_line(srm: SrmResult) -> str:
    """The verdict of the sample ratio check with its p-value, and what a failure means for everything below it."""
    p = i18n.fmt_p_value(srm.p_value)
    if srm.passed:
        return _("SRM check passed ({p}; it fails below p = {threshold:g}): units were split as planned.").format(
            p=p, threshold=srm.threshold)
    return _("SRM check FAILED ({p}): units were not split as planned, so the results below are not "
             "trustworthy.").format(p=p)


def srm_view(srm: SrmResult) -> Any:
    """Units per variant as observed and as planned (expected units rounded: a count is whole)."""
    table = srm_table(srm)
    total = sum(srm.expected.values())
    table["planned"] = [srm.expected[v] / total for v in table["variant"]]
    table["expected"] = table["expected"].round()
    return _styled(table[["variant", "units", "expected", "planned", "share"]], SRM_LABELS,
                   percent=("planned", "share"))


def _styled(frame: pd.DataFrame, labels: Mapping[str, str], percent: tuple[str, ...] = ()) -> Any:
    from helpers.report import styled

    return styled(frame, percent=percent, labels=labels)


def comparison_column(row: Any) -> str:
    """The header of one comparison in the transposed results table: "转化率 · B vs A"."""
    return _("{metric} · {variant} vs {control}").format(metric=metric_label(row["metric"]), variant=row["variant"],
                                                         control=row["control"])


RESULT_ROWS: tuple[tuple[str, str], ...] = (
    ("role", N_("Role")), ("control_value", N_("Control value")), ("variant_value", N_("Variant value")),
    ("abs_diff", N_("Difference")), ("abs_ci", N_("95% CI of the difference")), ("rel_diff", N_("Relative change")),
    ("rel_ci", N_("95% CI of the relative change")), ("rel_p_value", N_("p-value of the relative change")),
    ("p_value", N_("p-value")),
    ("p_value_adjusted", N_("p-value adjusted (within its role)")), ("significant", N_("Significant after correction")),
    ("test", N_("Test")), ("power", N_("Power for the planned MDE")), ("mde", N_("MDE at this sample size")),
)


def _result_cells(row: Any) -> dict[str, str]:
    """One comparison's values as a reader sees them, by row key of RESULT_ROWS."""
    if not _present(row.get("p_value")):
        return {"role": role_label(row["role"]), "test": method_label(row.get("test"))}
    share = _share(row)
    value, diff = value_format(share), difference_format(share)
    return {
        "role": role_label(row["role"]), "control_value": value(row["control_value"]),
        "variant_value": value(row["variant_value"]), "abs_diff": diff(row["abs_diff"]),
        "abs_ci": interval_text(row["abs_ci_low"], row["abs_ci_high"], share),
        "rel_diff": i18n.fmt_change(row["rel_diff"]), "rel_ci": relative_interval_text(row["rel_ci_low"],
                                                                                          row["rel_ci_high"]),
        "rel_p_value": i18n.fmt_p_value(row["rel_p_value"]) if _present(row.get("rel_p_value")) else i18n.MISSING,
        "p_value": i18n.fmt_p_value(row["p_value"]), "p_value_adjusted": i18n.fmt_p_value(row["p_value_adjusted"]),
        "significant": i18n.yes_no(row["significant"]), "test": method_label(row["test"]),
        "power": i18n.fmt_percent(row["power"], 0) if _present(row["power"]) else _("no MDE planned"),
        "mde": diff(row["mde"]).lstrip("+") if _present(row["mde"]) else i18n.MISSING,
    }


def results_view(results: pd.DataFrame, roles: Sequence[str] | None = None) -> pd.DataFrame:
    """The results transposed: one column per comparison (metric · variant), one row per measure, text formatted.

    `roles` keeps only those roles (the notebook shows the primary metric and the others in two sections).
    """
    rows = results if roles is None else results[results["role"].isin(list(roles))]
    view = pd.DataFrame({"measure": [i18n.gettext(label) for _, label in RESULT_ROWS]})
    for _i, row in rows.iterrows():
        cells = _result_cells(row)
        view[comparison_column(row)] = [cells.get(key, i18n.MISSING) for key, _label in RESULT_ROWS]
    return view


def results_table(results: pd.DataFrame, roles: Sequence[str] | None = None) -> Any:
    """`results_view` styled for the report (the first column is the measure)."""
    return _styled(results_view(results, roles), {"measure": N_("Measure")})


def others_line(results: pd.DataFrame) -> str:
    """What the guardrail and secondary table shows, or that the run has none."""
    others = results[results["role"] != "primary"]
    if others.empty:
        return _("No guardrail or secondary metric in this run.")
    return _("Guardrails protect what the change must not hurt; a guardrail significantly worse after correction "
             "makes the experiment invalid whatever the primary metric says.")


def cuped_line(cuped: pd.DataFrame) -> str:
    """What the CUPED table below shows, or why there is none."""
    if cuped.empty:
        return _("No CUPED adjustment: no pre-period covariate (parameter covariate is empty), or the run read totals.")
    return _("CUPED variance reduction (share of variance removed by the pre-period covariate):")


def cuped_view(cuped: pd.DataFrame) -> pd.DataFrame:
    """The CUPED table with labelled metric and covariate names (empty with its columns for a totals run)."""
    table = cuped.reindex(columns=["metric", "covariate", "theta", "variance_reduction"])
    table["metric"] = [metric_label(m) for m in table["metric"]]
    table["covariate"] = [covariate_label(c) for c in table["covariate"]]
    return table


def cuped_table(cuped: pd.DataFrame) -> Any:
    """`cuped_view` styled for the report."""
    return _styled(cuped_view(cuped), CUPED_LABELS, percent=("variance_reduction",))


def expected_loss_text(loss: float, share: bool) -> str:
    """An expected loss: "≈ 0" when negligible, else in percentage points (rates) or the metric's units."""
    if not _present(loss):
        return i18n.MISSING
    if share:
        return "≈ 0" if i18n.fmt_small(loss, 2, "percent") == "≈ 0" else i18n.fmt_pp(loss).lstrip("+")
    return i18n.fmt_small(loss, 2)


def prior_text(kind: str) -> str:
    """The prior in the reader's words (summary.json keeps the full statement)."""
    if kind == "binary":
        return _("Beta(1, 1), uniform")
    return _("flat (normal posterior)")


def bayes_view(results: pd.DataFrame) -> pd.DataFrame:
    """Probability to beat control and expected loss per metric and variant, formatted."""
    rows = []
    for _i, row in results.iterrows():
        if not _present(row.get("prob_beat_control")):
            continue
        rows.append({"metric": metric_label(row["metric"]), "variant": row["variant"],
                     "prob_beat_control": i18n.fmt_probability(row["prob_beat_control"]),
                     "expected_loss": expected_loss_text(row["expected_loss"], _share(row)),
                     "prior": prior_text(str(row["kind"]))})
    return pd.DataFrame(rows, columns=list(BAYES_LABELS))


def bayes_table(results: pd.DataFrame) -> Any:
    """`bayes_view` styled for the report."""
    return _styled(bayes_view(results), BAYES_LABELS)


def segments_line(segments: pd.DataFrame, metric: str) -> str:
    """How many segment rows differ after correction over all of them (a hypothesis, never a ship reason)."""
    if segments.empty:
        return _("No segment breakdown: it needs unit rows and segment columns.")
    columns = _(", ").join(segment_label(c) for c in dict.fromkeys(segments["segment"].astype(str)))
    significant = segments[segments["significant"].fillna(False).astype(bool)]
    named = [_("{segment} {value} ({variant} {change})").format(
        segment=segment_label(r.segment), value=segment_value(r.segment, r.value), variant=r.variant,
        change=i18n.fmt_change(r.rel_diff)) for r in significant.head(SEGMENTS_NAMED).itertuples()]
    more = len(significant) - len(named)
    text = _("{metric} by {columns}: {k} of {n} segment rows differ significantly after correction over all of "
             "them").format(metric=metric_label(metric), columns=columns, k=len(significant), n=len(segments))
    if named:
        text += _(": {rows}").format(rows=_("; ").join(named))
        if more:
            text += _(" and {more} more").format(more=more)
    return sentence(text + _(". Segment results are hypotheses for the next test, not reasons to ship to one "
                             "segment."))


def segments_view(segments: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The segment breakdown as a reader sees it: names, values in % and percentage points, adjusted p."""
    columns = list(SEGMENT_LABELS)
    if segments.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for _i, row in segments.iterrows():
        base = {"segment": segment_label(row["segment"]), "value": segment_value(row["segment"], row["value"]),
                "variant": row["variant"]}
        if not _present(row.get("p_value")):
            rows.append({**base, "abs_diff": _("cannot test")})
            continue
        share = is_share(kind, float(row["control_value"]), float(row["variant_value"]))
        rows.append({**base, "control_value": value_format(share)(row["control_value"]),
                     "variant_value": value_format(share)(row["variant_value"]),
                     "abs_diff": difference_format(share)(row["abs_diff"]),
                     "abs_ci": interval_text(row["abs_ci_low"], row["abs_ci_high"], share),
                     "rel_diff": i18n.fmt_change(row["rel_diff"]),
                     "p_value_adjusted": i18n.fmt_p_value(row["p_value_adjusted"]),
                     "significant": i18n.yes_no(row["significant"])})
    return pd.DataFrame(rows, columns=columns).fillna(i18n.MISSING)


def segments_table(segments: pd.DataFrame, kind: str) -> Any:
    """`segments_view` styled for the report."""
    return _styled(segments_view(segments, kind), SEGMENT_LABELS)


def running_line(running: Sequence[RunningDifference], share: bool = True) -> str:
    """Per treatment, the difference on the last day and whether the always-valid interval excludes 0."""
    if not running:
        return _("No running chart: it needs unit rows with a timestamp (parameter time_column).")
    show = difference_format(share)
    lines = []
    for difference in running:
        last = difference.table.iloc[-1]
        days = len(difference.table)
        head = _("{metric}, {variant} − {control} after {days}: {diff}").format(
            metric=metric_label(difference.metric), variant=difference.variant, control=difference.control,
            days=ngettext("{n} day", "{n} days", days).format(n=days), diff=show(last["diff"]))
        if pd.isna(last["cs_low"]) or pd.isna(last["cs_high"]):
            lines.append(_("{head}; no interval yet (too few units or no variation).").format(head=head))
            continue
        interval = interval_text(last["cs_low"], last["cs_high"], share)
        if last["cs_low"] > 0 or last["cs_high"] < 0:
            lines.append(_("{head}, always-valid interval {interval} excludes 0: a difference that holds even when "
                           "watched daily.").format(head=head, interval=interval))
        else:
            lines.append(_("{head}, always-valid interval {interval} includes 0: no difference yet that holds when "
                           "watched daily.").format(head=head, interval=interval))
    return "\n".join(sentence(line) for line in lines)


def decision_lines(decisions: pd.DataFrame, control: str) -> str:
    """One verdict line per primary metric and treatment."""
    return "\n".join(_("Decision for {metric}, {variant} vs {control}: {verdict}").format(
        metric=metric_label(r.metric), variant=r.variant, control=control, verdict=verdict_label(r.verdict))
        for r in decisions.itertuples())


def decisions_view(decisions: pd.DataFrame) -> pd.DataFrame:
    """The decisions with labelled metric and verdict (the reason is already in the run's language)."""
    view = decisions[["metric", "variant", "verdict", "reason"]].copy()
    view["metric"] = [metric_label(m) for m in view["metric"]]
    view["verdict"] = [verdict_label(v) for v in view["verdict"]]
    return view


def decisions_table(decisions: pd.DataFrame) -> Any:
    """`decisions_view` styled for the report."""
    return _styled(decisions_view(decisions), DECISION_LABELS)


def plan_line(plan: Mapping[str, Any]) -> str:
    """The next test's sample size and duration in one sentence (plan from power.plan_next_test)."""
    std = plan["std"] or 0
    if std > 0:
        baseline = _("a mean of {mean} (sd {sd})").format(mean=i18n.fmt_number(plan["baseline"]),
                                                          sd=i18n.fmt_number(std))
        change = (_("a relative change of {mde}").format(mde=i18n.fmt_percent(plan["mde"], 1)) if plan["relative"]
                  else _("an absolute change of {mde}").format(mde=i18n.fmt_number(plan["mde"])))
    else:
        baseline = _("a rate of {rate}").format(rate=i18n.fmt_percent(plan["baseline"], 2))
        change = (_("a relative change of {mde}").format(mde=i18n.fmt_percent(plan["mde"], 1)) if plan["relative"]
                  else _("an absolute change of {mde}").format(mde=i18n.fmt_pp(plan["mde"]).lstrip("+")))
    days = int(plan["days_needed"])
    return _("To detect {change} on {baseline} with {variants} variants: {units} units per variant, {days} at "
             "{daily} units a day.").format(change=change, baseline=baseline, variants=plan["variants"],
                                             units=i18n.fmt_count(plan["n_per_variant"]),
                                             days=ngettext("{n} day", "{n} days", days).format(n=days),
                                             daily=i18n.fmt_count(plan["daily_units"]))


def explorer_line(evaluation: Evaluation) -> str:
    """The explorer's status: the SRM check and each treatment's verdict."""
    srm = _("SRM passed") if evaluation.srm.passed else _("SRM FAILED")
    verdicts = _("; ").join(_("{variant}: {verdict}").format(variant=r.variant, verdict=verdict_label(r.verdict))
                            for r in evaluation.decisions.itertuples())
    return _("{srm} ({p}); {verdicts}").format(srm=srm, p=i18n.fmt_p_value(evaluation.srm.p_value), verdicts=verdicts)


def explorer_labels() -> dict[str, str]:
    """The explorer's control labels in the run's language."""
    return {"experiment": _("Experiment"), "metric": _("Metric"), "segment": _("Segment"), "none": _("(none)")}


# ---------------------------------------------------------------- the executive summary


def report_title(design: ExperimentDesign) -> str:
    """Report · experiment · planned dates, in the run's language (the page <title> and the summary's title)."""
    return page.report_title(_("Experiment evaluation"), f"{design.experiment_id} {design.name}".strip(),
                             i18n.fmt_day_range(design.start, design.end))


def _lead_decision(evaluation: Evaluation) -> pd.Series | None:
    """The decision the verdict reports: invalid first, then the best shipped, the keep-running, the don't-ship."""
    decisions = evaluation.decisions
    if decisions.empty:
        return None
    results = evaluation.results.set_index(["metric", "variant"])
    for verdict in VERDICT_ORDER:
        rows = decisions[decisions["verdict"] == verdict]
        if rows.empty:
            continue
        rel = [results.loc[(r.metric, r.variant), "rel_diff"] if (r.metric, r.variant) in results.index else math.nan
               for r in rows.itertuples()]
        order = pd.Series(rel, index=rows.index).fillna(-math.inf).sort_values(ascending=False)
        return decisions.loc[order.index[0]]
    return decisions.iloc[0]


def _result_of(evaluation: Evaluation, metric: str, variant: str) -> pd.Series | None:
    rows = evaluation.results[(evaluation.results["metric"] == metric) & (evaluation.results["variant"] == variant)]
    return None if rows.empty else rows.iloc[0]


def effect_text(row: Any, level: float) -> str:
    """"转化率 4.01% → 4.86%，+0.85 个百分点（+21.3%），95% 置信区间 +0.45 至 +1.26 个百分点"."""
    share = _share(row)
    return _("{metric} {control} → {variant}, {diff} ({rel}), {level}% CI {interval}").format(
        metric=metric_label(row["metric"]), control=value_format(share)(row["control_value"]),
        variant=value_format(share)(row["variant_value"]), diff=difference_format(share)(row["abs_diff"]),
        rel=i18n.fmt_change(row["rel_diff"]), level=f"{100 * level:g}",
        interval=interval_text(row["abs_ci_low"], row["abs_ci_high"], share))


def verdict_text(decision: Any, row: Any, evaluation: Evaluation, settings: Settings) -> str:
    """The verdict in one line, from the decision and its comparison."""
    verdict = str(decision["verdict"])
    variant = str(decision["variant"])
    if verdict == "invalid":
        if not evaluation.srm.passed:
            return _("Invalid: units were not split as planned (SRM check {p}); no metric can be trusted until the "
                     "assignment is fixed.").format(p=i18n.fmt_p_value(evaluation.srm.p_value))
        breaches = guardrail_breaches(evaluation, variant, settings)
        if breaches:
            return _("Invalid for {variant}: guardrail significantly worse: {breaches}.").format(
                variant=variant, breaches=_(", ").join(breaches))
        return _("Invalid for {variant}: the comparison could not be tested.").format(variant=variant)
    if row is None or not _present(row.get("p_value")):
        return _("{verdict} {variant}.").format(verdict=verdict_label(verdict), variant=variant)
    effect = effect_text(row, 1 - settings.alpha)
    if verdict == "ship":
        return _("Ship {variant}: {effect}.").format(variant=variant, effect=effect)
    p = i18n.fmt_p_value(row["p_value_adjusted"])
    if verdict == "don't ship":
        mde = settings.mde_for(str(row["metric"]))
        best = row["abs_ci_high"] if settings.higher_is_better(str(row["metric"])) else -row["abs_ci_low"]
        if bool(row["significant"]):
            why = _("significantly worse ({p} after correction)").format(p=p)
        elif mde is not None and best < mde:
            why = _("not significant ({p}), and the interval rules out the planned MDE of {mde}").format(
                p=p, mde=difference_format(_share(row))(mde).lstrip("+"))
        else:
            why = _("not significant ({p}) at the planned sample size").format(p=p)
        return _("Don't ship {variant}: {effect}; {why}.").format(variant=variant, effect=effect, why=why)
    units = decision.get("units_needed") if hasattr(decision, "get") else None
    if _present(units):
        return _("Keep running: {effect}, not significant yet ({p}); about {units} more units per variant "
                 "needed.").format(effect=effect, p=p, units=i18n.fmt_count(units))
    return _("Keep running: {effect}, not significant yet ({p}); no MDE planned, so set parameter mde to know how "
             "many units are needed.").format(effect=effect, p=p)


def guardrail_breaches(evaluation: Evaluation, variant: str, settings: Settings) -> list[str]:
    """Guardrails significantly worse for `variant`, as "收入 −12.0%" (the decision's rule)."""
    from helpers.experiments.evaluate import guardrail_breaches as breaches

    return breaches(evaluation.results, variant, settings)


def _primary_lines(evaluation: Evaluation) -> list[page.Line]:
    lines = []
    for d in evaluation.decisions.itertuples():
        row = _result_of(evaluation, d.metric, d.variant)
        if row is None or not _present(row.get("p_value")):
            continue
        significance = _("significant") if bool(row["significant"]) else _("not significant")
        lines.append(page.Line(_("{metric}, {variant} vs {control}: {diff} ({rel}), {p} after correction, "
                                 "{significance}.").format(
            metric=metric_label(d.metric), variant=d.variant, control=row["control"],
            diff=difference_format(_share(row))(row["abs_diff"]), rel=i18n.fmt_change(row["rel_diff"]),
            p=i18n.fmt_p_value(row["p_value_adjusted"]), significance=significance),
            ANCHORS["primary"], str(d.verdict)))
    return lines


def _guardrail_line(evaluation: Evaluation, settings: Settings) -> page.Line | None:
    guards = evaluation.results[evaluation.results["role"] == "guardrail"]
    if guards.empty:
        return None
    breaches = [b for v in dict.fromkeys(guards["variant"]) for b in guardrail_breaches(evaluation, v, settings)]
    if breaches:
        return page.Line(_("Guardrail significantly worse: {breaches}.").format(breaches=_(", ").join(breaches)),
                         ANCHORS["guardrails"], "bad")
    several = guards["variant"].nunique() > 1
    changes = _(", ").join(
        (_("{metric} ({variant}) {change}") if several else _("{metric} {change}")).format(
            metric=metric_label(r.metric), variant=r.variant, change=i18n.fmt_change(r.rel_diff))
        for r in guards.itertuples() if _present(r.rel_diff))
    return page.Line(_("Guardrails hold: none is significantly worse ({changes}).").format(changes=changes),
                     ANCHORS["guardrails"], "good")


def _srm_finding(srm: SrmResult) -> page.Line:
    split = _(" / ").join(_("{variant} {units}").format(variant=v, units=i18n.fmt_count(n))
                          for v, n in srm.observed.items())
    if srm.passed:
        return page.Line(_("Units split as planned: {split} (SRM check {p}).").format(
            split=split, p=i18n.fmt_p_value(srm.p_value)), ANCHORS["srm"], "good")
    return page.Line(_("Units NOT split as planned: {split} (SRM check {p}).").format(
        split=split, p=i18n.fmt_p_value(srm.p_value)), ANCHORS["srm"], "bad")


def _bayes_line(evaluation: Evaluation, lead: Any) -> page.Line | None:
    row = _result_of(evaluation, str(lead["metric"]), str(lead["variant"])) if lead is not None else None
    if row is None or not _present(row.get("prob_beat_control")):
        return None
    return page.Line(_("Probability that {variant} beats {control} on {metric}: {prob}; expected loss if shipped: "
                       "{loss}.").format(variant=row["variant"], control=row["control"],
                                         metric=metric_label(row["metric"]),
                                         prob=i18n.fmt_probability(row["prob_beat_control"]),
                                         loss=expected_loss_text(row["expected_loss"], _share(row))),
                     ANCHORS["bayes"])


def _segment_line(segments: pd.DataFrame) -> page.Line | None:
    if segments.empty:
        return None
    significant = segments[segments["significant"].fillna(False).astype(bool)]
    if significant.empty:
        return page.Line(_("No segment differs after correction over all {n} segment rows.").format(n=len(segments)),
                         ANCHORS["segments"])
    top = significant.sort_values("rel_diff", key=lambda s: s.abs(), ascending=False).iloc[0]
    return page.Line(_("{k} of {n} segment rows differ after correction; the largest: {segment} {value} "
                       "({variant} {change}). A hypothesis to test, not a reason to ship to that segment.").format(
        k=len(significant), n=len(segments), segment=segment_label(top["segment"]),
        value=segment_value(top["segment"], top["value"]), variant=top["variant"],
        change=i18n.fmt_change(top["rel_diff"])), ANCHORS["segments"])


def _actions(evaluation: Evaluation, lead: Any, segments: pd.DataFrame, plan: Mapping[str, Any],
             guardrails: Sequence[str]) -> list[page.Line]:
    actions: list[page.Line] = []
    verdict = str(lead["verdict"]) if lead is not None else ""
    variant = str(lead["variant"]) if lead is not None else ""
    control = evaluation.design.control
    guard_names = _(", ").join(metric_label(g) for g in guardrails)
    if verdict == "invalid" and not evaluation.srm.passed:
        actions.append(page.Line(_("Find why units were not split as planned (assignment, bot filtering, redirects, "
                                   "logging), fix it and run the test again; do not use these results."),
                                 ANCHORS["srm"]))
    elif verdict == "invalid":
        actions.append(page.Line(_("Do not ship {variant}: find and fix what hurts the guardrail first.").format(
            variant=variant), ANCHORS["guardrails"]))
    elif verdict == "ship":
        text = (_("Roll out {variant} to everyone and keep watching the guardrails ({names}) after launch.")
                if guard_names else _("Roll out {variant} to everyone."))
        actions.append(page.Line(text.format(variant=variant, names=guard_names), ANCHORS["decision"]))
    elif verdict == "keep running":
        actions.append(page.Line(_("Keep the test running; do not stop it on a daily peek: decide when the planned "
                                   "sample is reached or the always-valid interval excludes 0."), ANCHORS["running"]))
    elif verdict == "don't ship":
        actions.append(page.Line(_("Keep {control}; record what was learned and test a bolder change next.").format(
            control=control), ANCHORS["decision"]))
    seg = _segment_line(segments)
    if seg is not None and segments["significant"].fillna(False).astype(bool).any():
        actions.append(page.Line(_("Turn the segment difference into a hypothesis for a follow-up test."),
                                 ANCHORS["segments"]))
    days = int(plan["days_needed"])
    actions.append(page.Line(_("Plan the next test: {units} units per variant, {days} at {daily} units a day.").format(
        units=i18n.fmt_count(plan["n_per_variant"]), days=ngettext("{n} day", "{n} days", days).format(n=days),
        daily=i18n.fmt_count(plan["daily_units"])), ANCHORS["plan"]))
    return actions[:MAX_ACTIONS]


def _tiles(evaluation: Evaluation, lead: Any) -> tuple[page.Tile, ...]:
    row = _result_of(evaluation, str(lead["metric"]), str(lead["variant"])) if lead is not None else None
    srm = evaluation.srm
    srm_tile = page.Tile(_("SRM check"), _("passed") if srm.passed else _("failed"), "good" if srm.passed else "bad",
                         (i18n.fmt_p_value(srm.p_value),), ANCHORS["srm"])
    if row is None or not _present(row.get("p_value")):
        return (srm_tile,)
    share = _share(row)
    show = value_format(share)
    direction = "neutral"
    if bool(row["significant"]):
        direction = "good" if str(lead["verdict"]) == "ship" else "bad"
    label = metric_label(row["metric"])
    tiles = [
        page.Tile(_("{metric}, control {control}").format(metric=label, control=row["control"]),
                  show(row["control_value"]), "neutral", (), ANCHORS["primary"]),
        page.Tile(_("{metric}, variant {variant}").format(metric=label, variant=row["variant"]),
                  show(row["variant_value"]), direction,
                  (difference_format(share)(row["abs_diff"]), i18n.fmt_change(row["rel_diff"])), ANCHORS["primary"]),
        page.Tile(_("Probability {variant} beats {control}").format(variant=row["variant"], control=row["control"]),
                  i18n.fmt_probability(row["prob_beat_control"]), "neutral", (), ANCHORS["bayes"]),
        srm_tile,
    ]
    return tuple(tiles)


def executive_summary(design: ExperimentDesign, evaluation: Evaluation, settings: Settings, *,
                      segments: pd.DataFrame, plan: Mapping[str, Any]) -> page.Summary:
    """The first screen: the verdict in one line, tiles, 3–5 key findings and what to do, each linked to its section."""
    lead = _lead_decision(evaluation)
    row = _result_of(evaluation, str(lead["metric"]), str(lead["variant"])) if lead is not None else None
    verdict = verdict_text(lead, row, evaluation, settings) if lead is not None else ""
    subtitle = _("Control {control} against {variants}; primary metric {metric}; α = {alpha:g}, {correction} "
                 "correction within each role").format(
        control=design.control, variants=_(", ").join(design.treatments),
        metric=_(", ").join(metric_label(p) for p in settings.primary), alpha=settings.alpha,
        correction=settings.correction.capitalize() if settings.correction != "bh" else "Benjamini–Hochberg")
    found: list[page.Line] = _primary_lines(evaluation)[:2]
    for line in (_guardrail_line(evaluation, settings), _srm_finding(evaluation.srm), _bayes_line(evaluation, lead),
                 _segment_line(segments)):
        if line is not None:
            found.append(line)
    return page.Summary(
        title=report_title(design), subtitle=subtitle, verdict=verdict,
        verdict_status=str(lead["verdict"]) if lead is not None else "", verdict_href=ANCHORS["decision"],
        tiles=tuple(page.Tile(sentence(t.label), t.value, t.status, t.lines, t.href) for t in _tiles(evaluation, lead)),
        findings=tuple(page.Line(sentence(f.text), f.href, f.status) for f in found[:MAX_FINDINGS]),
        actions=tuple(_actions(evaluation, lead, segments, plan, settings.guardrails)))


# ---------------------------------------------------------------- summary.json and tables


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
    """summary.json of a run (the runner adds the parameters): title, design, SRM, results, decisions and the plan.

    `assignment`, `cuped` and `segments` appear only when the run had them.
    """
    srm = evaluation.srm
    out: dict[str, Any] = {
        "label": design.experiment_id,
        "title": report_title(design),
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
    return _("Wrote summary.json, {tables} and {figures}.").format(
        tables=ngettext("{n} table", "{n} tables", len(tables)).format(n=len(tables)),
        figures=ngettext("{n} figure", "{n} figures", len(figures)).format(n=len(figures)))
