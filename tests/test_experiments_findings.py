"""helpers.experiments.findings: every line and the summary.json dict, on hand-made results worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.experiments import findings
from helpers.experiments.design import ExperimentDesign
from helpers.experiments.evaluate import Evaluation, Settings
from helpers.experiments.sequential import RunningDifference
from helpers.experiments.srm import SrmResult, srm_table

DESIGN = ExperimentDesign(
    experiment_id="EXP-X", name="封面样式", unit="user", primary_metric="conversions", control="A",
    variants=("A", "B", "C"), start=pd.Timestamp("2026-10-05"), end=pd.Timestamp("2026-10-25"),
    expected_split={"A": 0.5, "B": 0.25, "C": 0.25}, guardrails=("revenue",), mde=0.01)
# 10,400 vs 9,600 against 50/50: χ² = 2 × 400²/10,000 = 32, df 1, p = erfc(√(32/2)) = erfc(4) = 1.5417e-8
FAILED = SrmResult(chi2=32.0, p_value=math.erfc(4.0), df=1, passed=False, observed={"A": 10_400, "B": 9_600},
                   expected={"A": 10_000.0, "B": 10_000.0}, threshold=0.001)
PASSED = SrmResult(chi2=0.5, p_value=0.48, df=1, passed=True, observed={"A": 5_050, "B": 4_950},
                   expected={"A": 5_000.0, "B": 5_000.0}, threshold=0.001)
RESULTS = pd.DataFrame({
    "metric": ["conversions", "conversions", "revenue"], "kind": ["binary", "binary", "mean"],
    "role": ["primary", "primary", "guardrail"], "control": ["A", "A", "A"], "variant": ["B", "C", "B"],
    "n_control": [100, 100, 100], "n_variant": [100, 100, 100], "control_value": [0.04, 0.04, 10.0],
    "variant_value": [0.06, 0.05, 11.0], "abs_diff": [0.02, 0.01, 1.0], "abs_ci_low": [0.01, -0.01, -0.5],
    "abs_ci_high": [0.03, 0.03, 2.5], "rel_diff": [0.5, 0.25, 0.1], "rel_ci_low": [0.2, -0.2, -0.05],
    "rel_ci_high": [0.8, 0.7, 0.25], "p_value": [0.001, 0.3, 0.2], "p_value_adjusted": [0.002, 0.3, 0.2],
    "significant": [True, False, False], "test": ["z", "z", "welch"], "power": [0.9, 0.9, np.nan],
    "mde": [0.008, 0.008, 1.5], "prob_beat_control": [0.99, 0.85, 0.9], "expected_loss": [0.0, 0.001, 0.05],
    "prior": ["Beta(1, 1)", "Beta(1, 1)", "flat"],
})
DECISIONS = pd.DataFrame({"metric": ["conversions", "conversions"], "variant": ["B", "C"],
                          "verdict": ["ship", "keep running"], "reason": ["better", "not yet"]})
CUPED = pd.DataFrame({"metric": ["revenue"], "covariate": ["pre_revenue"], "theta": [0.4],
                      "variance_reduction": [0.25]})
EVALUATION = Evaluation(DESIGN, PASSED, RESULTS, DECISIONS, CUPED)
SETTINGS = Settings(primary=("conversions",), guardrails=("revenue", "refunds"))


def running(variant: str, last: tuple[float, float, float], days: int = 3) -> RunningDifference:
    """A running table whose last day has (diff, cs_low, cs_high); earlier days are placeholders."""
    diff, low, high = last
    table = pd.DataFrame({"date": pd.date_range("2026-10-05", periods=days), "diff": [0.0] * (days - 1) + [diff],
                          "cs_low": [np.nan] * (days - 1) + [low], "cs_high": [np.nan] * (days - 1) + [high]})
    return RunningDifference("conversions", "A", variant, table)


def test_header_names_arms_dates_roles_and_the_assignment_window() -> None:
    # 5 Oct – 25 Oct inclusive = 21 days; guardrails list both names, no assignment line without a window
    assert findings.header(DESIGN, SETTINGS, None) == (
        "EXP-X: A vs B vs C (control A), 2026-10-05 – 2026-10-25 (21 days)\n"
        "Primary: conversions; guardrails: revenue, refunds")
    window = {"first": pd.Timestamp("2026-10-04 23:00"), "last": pd.Timestamp("2026-10-25 08:00"), "days": 22,
              "outside_planned_dates": 1234}
    assert findings.header(DESIGN, Settings(primary=("conversions",)), window).splitlines()[1:] == [
        "Primary: conversions; guardrails: none",
        "Assigned 2026-10-04 – 2026-10-25 (22 days); 1,234 unit(s) assigned outside the planned dates — check "
        "the set-up"]
    assert findings.header(DESIGN, SETTINGS, {**window, "outside_planned_dates": 0}).endswith("(22 days)")


def test_srm_line_says_what_a_failure_means() -> None:
    assert findings.srm_line(PASSED) == "SRM check: passed"
    assert findings.srm_line(FAILED) == ("SRM check: FAILED — units were not split as planned; results below are "
                                         "not trustworthy")


def test_srm_table_by_hand() -> None:
    # shares 10,400/20,000 = 0.52 and 9,600/20,000 = 0.48
    assert srm_table(FAILED).to_dict("list") == {"variant": ["A", "B"], "units": [10_400, 9_600],
                                                 "expected": [10_000.0, 10_000.0], "share": [0.52, 0.48]}


def test_views_keep_the_columns_a_reader_needs() -> None:
    assert list(findings.results_view(RESULTS).columns) == [
        "metric", "role", "variant", "control_value", "variant_value", "abs_diff", "abs_ci_low", "abs_ci_high",
        "rel_diff", "rel_ci_low", "rel_ci_high", "p_value", "p_value_adjusted", "test", "power", "mde"]
    assert findings.bayes_view(RESULTS).to_dict("list") == {
        "metric": ["conversions", "conversions", "revenue"], "variant": ["B", "C", "B"],
        "prob_beat_control": [0.99, 0.85, 0.9], "expected_loss": [0.0, 0.001, 0.05],
        "prior": ["Beta(1, 1)", "Beta(1, 1)", "flat"]}


def test_cuped_line_and_table_with_and_without_a_covariate() -> None:
    assert findings.cuped_line(CUPED).startswith("CUPED variance reduction")
    assert findings.cuped_line(pd.DataFrame()).startswith("No CUPED adjustment")
    empty = findings.cuped_view(pd.DataFrame())  # a totals run has no columns at all
    assert empty.empty and list(empty.columns) == ["metric", "covariate", "theta", "variance_reduction"]
    assert findings.cuped_view(CUPED).equals(CUPED)


def test_segments_line_counts_and_names_the_significant_rows() -> None:
    segments = pd.DataFrame({
        "segment": ["platform", "platform", "device", "device", "is_new", "is_new"],
        "value": ["douyin", "wechat", "iOS", "Android", "True", "False"], "variant": ["B"] * 6,
        "rel_diff": [0.384, -0.1, 0.236, np.nan, 0.193, 0.05],
        "significant": [True, False, True, np.nan, True, True]})  # the NaN row could not be tested
    # 4 of 6 significant; the first 3 named in table order, the 4th counted
    assert findings.segments_line(segments, "conversions") == (
        "conversions by platform, device, is_new: 4 of 6 segment rows differ significantly after correction over "
        "all of them: platform=douyin (B +38.4%); device=iOS (B +23.6%); is_new=True (B +19.3%) and 1 more. "
        "Segment results are hypotheses for the next test, not reasons to ship to one segment.")
    none = segments.assign(significant=False).head(2)
    assert findings.segments_line(none, "revenue").startswith(
        "revenue by platform: 0 of 2 segment rows differ significantly after correction over all of them. Segment")
    assert findings.segments_line(pd.DataFrame(), "conversions") == (
        "No segment breakdown: it needs unit rows and segment columns.")


def test_running_line_reads_the_always_valid_interval_of_the_last_day() -> None:
    lines = findings.running_line([running("B", (0.0085, 0.0023, 0.0148), days=28),
                                   running("C", (0.002, -0.004, 0.008)), running("D", (0.0, np.nan, np.nan))])
    assert lines.splitlines() == [
        "conversions, B − A after 28 day(s): +0.0085, always-valid interval [0.0023, 0.0148] excludes 0: a "
        "difference that holds even when watched daily.",
        "conversions, C − A after 3 day(s): +0.002, always-valid interval [-0.004, 0.008] includes 0: no "
        "difference yet that holds when watched daily.",
        "conversions, D − A after 3 day(s): +0; no interval yet (too few units or no variation)."]
    assert findings.running_line([]) == "No running chart: it needs unit rows with a timestamp (time_column)."
    # an interval wholly below 0 excludes it too
    assert "excludes 0" in findings.running_line([running("B", (-0.01, -0.015, -0.002))])


def test_decision_lines() -> None:
    assert findings.decision_lines(DECISIONS, "A") == ("Decision for conversions, B vs A: ship\n"
                                                       "Decision for conversions, C vs A: keep running")


def test_plan_line_for_a_rate_and_a_mean() -> None:
    rate = {"baseline": 0.04, "std": None, "mde": 0.15, "relative": True, "variants": 2, "n_per_variant": 17923,
            "daily_units": 3000, "days_needed": 12}
    assert findings.plan_line(rate) == ("To detect a relative change of 0.15 on a rate of 4.00% with 2 variants: "
                                        "17,923 units per variant, 12 day(s) at 3,000 units a day.")
    mean = {**rate, "baseline": 120, "std": 40.0, "mde": 5, "relative": False, "variants": 3, "n_per_variant": 1006}
    assert findings.plan_line(mean) == ("To detect an absolute change of 5 on a mean of 120 (sd 40) with 3 variants: "
                                        "1,006 units per variant, 12 day(s) at 3,000 units a day.")


def test_explorer_line() -> None:
    failed = Evaluation(DESIGN, FAILED, RESULTS, DECISIONS)
    assert findings.explorer_line(failed) == "SRM FAILED (p = 1.54e-08); B: ship; C: keep running"
    assert findings.explorer_line(EVALUATION) == "SRM passed (p = 0.48); B: ship; C: keep running"


def test_summary_rows_carry_intervals_as_pairs() -> None:
    frame = pd.DataFrame({"metric": ["m"], "abs_ci_low": [-1.0], "abs_ci_high": [2.0], "rel_ci_low": [-0.1],
                          "rel_ci_high": [0.2]})
    assert findings.summary_results(frame) == [{"metric": "m", "abs_ci": [-1.0, 2.0], "rel_ci": [-0.1, 0.2]}]


def test_summary_of_a_full_run_and_of_a_bare_one() -> None:
    plan = {"n_per_variant": 10}
    window = {"first": pd.Timestamp("2026-10-05"), "outside_planned_dates": 0}
    segments = pd.DataFrame({"segment": ["platform"], "significant": [False]})
    full = findings.summary(DESIGN, EVALUATION, assignment=window, segments=segments, plan=plan)
    assert list(full) == ["label", "experiment", "assignment", "srm", "results", "cuped", "segments", "decision",
                          "plan"]
    assert full["label"] == "EXP-X"
    assert full["experiment"] == {"experiment_id": "EXP-X", "name": "封面样式", "control": "A",
                                  "variants": ["A", "B", "C"], "start": pd.Timestamp("2026-10-05"),
                                  "end": pd.Timestamp("2026-10-25"), "days": 21, "planned_mde": 0.01}
    assert full["srm"] == {"chi2": 0.5, "p_value": 0.48, "passed": True, "threshold": 0.001}
    assert full["results"][0]["abs_ci"] == [0.01, 0.03] and full["results"][2]["rel_ci"] == [-0.05, 0.25]
    assert full["assignment"] == window and full["plan"] == plan
    assert full["cuped"] is CUPED and full["segments"] is segments and full["decision"] is DECISIONS
    bare = findings.summary(DESIGN, Evaluation(DESIGN, PASSED, RESULTS, DECISIONS), assignment=None,
                            segments=pd.DataFrame(), plan=plan)
    assert list(bare) == ["label", "experiment", "srm", "results", "decision", "plan"]


def test_tables_in_report_order() -> None:
    segments = pd.DataFrame({"segment": ["platform"]})
    names = findings.tables(EVALUATION, segments, [running("B", (0, 0, 0)), running("C", (0, 0, 0))])
    assert list(names) == ["srm", "results", "segments", "cumulative_B", "cumulative_C", "decisions"]
    assert names["decisions"] is DECISIONS and names["srm"]["units"].tolist() == [5_050, 4_950]
    assert list(findings.tables(EVALUATION, pd.DataFrame(), [])) == ["srm", "results", "decisions"]


def test_written_line() -> None:
    assert findings.written_line(["srm", "results"], ["forest"]) == "Wrote summary.json, 2 tables and 1 figures."


@pytest.mark.parametrize("variant", ["B", "C"])
def test_running_difference_names_its_artefacts(variant: str) -> None:
    assert running(variant, (0, 0, 0)).name == f"cumulative_{variant}"
