"""helpers.experiments.findings: every line and the summary.json dict, on hand-made results worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import i18n
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
    "rel_ci_high": [0.8, 0.7, 0.25], "rel_p_value": [0.0004, 0.3, 0.2], "p_value": [0.001, 0.3, 0.2],
    "p_value_adjusted": [0.002, 0.3, 0.2],
    "significant": [True, False, False], "test": ["z", "z", "welch"], "power": [0.9, 0.9, np.nan],
    "mde": [0.008, 0.008, 1.5], "prob_beat_control": [0.99, 0.85, 0.9], "expected_loss": [0.0, 0.001, 0.05],
    "prior": ["Beta(1, 1)", "Beta(1, 1)", "flat"],
})
DECISIONS = pd.DataFrame({"metric": ["conversions", "conversions"], "variant": ["B", "C"],
                          "verdict": ["ship", "keep running"], "reason": ["better", "not yet"],
                          "units_needed": [None, 5_000]})
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


PLAN = {"baseline": 0.04, "std": None, "mde": 0.15, "relative": True, "variants": 2, "n_per_variant": 17923,
        "daily_units": 3000, "days_needed": 12}


def test_header_names_arms_dates_roles_and_the_assignment_window() -> None:
    # 5 Oct – 25 Oct inclusive = 21 days; guardrails by their labels, no assignment line without a window
    assert findings.header(DESIGN, SETTINGS, None) == (
        "EXP-X: A vs B vs C (control A), Oct 5, 2026 – Oct 25, 2026 (21 days)\n"
        "Primary metric: conversion rate; guardrails: revenue per user, refund rate")
    window = {"first": pd.Timestamp("2026-10-04 23:00"), "last": pd.Timestamp("2026-10-25 08:00"), "days": 22,
              "outside_planned_dates": 1234}
    assert findings.header(DESIGN, Settings(primary=("conversions",)), window).splitlines()[1:] == [
        "Primary metric: conversion rate; guardrails: none",
        "Units assigned Oct 4, 2026 – Oct 25, 2026 (22 days); 1,234 units assigned outside the planned dates: check "
        "the set-up"]
    assert findings.header(DESIGN, SETTINGS, {**window, "outside_planned_dates": 0}).endswith("(22 days)")
    with i18n.use_language("zh-CN"):
        assert findings.header(DESIGN, SETTINGS, window).splitlines() == [
            "EXP-X：A 对比 B 对比 C（对照组 A），2026年10月5日至2026年10月25日（21 天）",
            "主要指标：转化率；护栏指标：人均收入、退款率",
            "用户分组时间 2026年10月4日至2026年10月25日（22 天）；1,234 个用户在计划日期之外分组：请检查实验设置"]


def test_srm_line_gives_the_p_value_and_what_a_failure_means() -> None:
    # FAILED has p = erfc(4) = 1.5e-8: below 0.001, so "p < 0.001", never 1.54e-08
    assert findings.srm_line(PASSED) == ("SRM check passed (p = 0.48; it fails below p = 0.001): units were split "
                                         "as planned.")
    assert findings.srm_line(FAILED) == ("SRM check FAILED (p < 0.001): units were not split as planned, so the "
                                         "results below are not trustworthy.")
    with i18n.use_language("zh-CN"):
        assert findings.srm_line(FAILED) == "分流检查未通过（p < 0.001）：用户没有按计划比例分组，下面的结果都不可信。"


def test_srm_table_by_hand() -> None:
    # shares 10,400/20,000 = 0.52 and 9,600/20,000 = 0.48
    assert srm_table(FAILED).to_dict("list") == {"variant": ["A", "B"], "units": [10_400, 9_600],
                                                 "expected": [10_000.0, 10_000.0], "share": [0.52, 0.48]}
    # the view adds the planned share (10,000/20,000 = 0.5) and shows whole expected units
    view = findings.srm_view(FAILED).data
    assert view["planned"].tolist() == [0.5, 0.5] and view["expected"].tolist() == [10_000, 10_000]


def test_results_view_is_transposed_with_units_of_each_metric() -> None:
    view = findings.results_view(RESULTS)
    assert list(view.columns) == ["measure", "conversion rate · B vs A", "conversion rate · C vs A",
                                  "revenue per user · B vs A"]
    rows = dict(zip(view["measure"], view["conversion rate · B vs A"], strict=True))
    # rates in %, differences in percentage points: 0.06 − 0.04 = +2.00 pp, CI 0.01–0.03 = +1.00 to +3.00 pp,
    # relative 0.06/0.04 − 1 = +50.0%, MDE 0.008 = 0.80 pp, power 0.9 = 90%
    assert rows == {"Role": "primary", "Control value": "4.00%", "Variant value": "6.00%", "Difference": "+2.00 pp",
                    "95% CI of the difference": "+1.00 to +3.00 pp", "Relative change": "+50.0%",
                    "95% CI of the relative change": "+20.0% to +80.0%",
                    "p-value of the relative change": "p < 0.001", "p-value": "p = 0.001",
                    "p-value adjusted (within its role)": "p = 0.002", "Significant after correction": "yes",
                    "Test": "z", "Power for the planned MDE": "90%", "MDE at this sample size": "0.80 pp"}
    revenue = dict(zip(view["measure"], view["revenue per user · B vs A"], strict=True))
    # a mean in its own units: 10 → 11, +1, CI −0.5 to 2.5 (3 significant digits), no MDE planned for it
    assert (revenue["Control value"], revenue["Variant value"], revenue["Difference"]) == ("10", "11", "+1")
    assert revenue["95% CI of the difference"] == "−0.500 to +2.50"
    assert revenue["Power for the planned MDE"] == "no MDE planned" and revenue["MDE at this sample size"] == "1.50"
    assert list(findings.results_view(RESULTS, ["guardrail"]).columns) == ["measure", "revenue per user · B vs A"]
    with i18n.use_language("zh-CN"):
        zh = findings.results_view(RESULTS, ["primary"])
        cells = dict(zip(zh["measure"], zh["转化率 · B 对比 A"], strict=True))
    assert cells["差值"] == "+2.00 个百分点" and cells["差值的 95% 置信区间"] == "+1.00 至 +3.00 个百分点"
    assert cells["角色"] == "主要指标" and cells["校正后显著"] == "是"


def test_bayes_view_caps_probabilities_and_writes_negligible_losses_as_about_zero() -> None:
    results = RESULTS.assign(prob_beat_control=[0.99999, 0.85, 0.9])
    assert findings.bayes_view(results).to_dict("list") == {
        "metric": ["conversion rate", "conversion rate", "revenue per user"], "variant": ["B", "C", "B"],
        # 0.99999 would round to 100.0%: capped; loss 0 → ≈ 0; 0.001 of a rate = 0.10 pp; a mean's 0.05 as is
        "prob_beat_control": [">99.9%", "85.0%", "90.0%"], "expected_loss": ["≈ 0", "0.10 pp", "0.05"],
        "prior": ["Beta(1, 1), uniform", "Beta(1, 1), uniform", "flat (normal posterior)"]}


def test_cuped_line_and_table_with_and_without_a_covariate() -> None:
    assert findings.cuped_line(CUPED).startswith("CUPED variance reduction")
    assert findings.cuped_line(pd.DataFrame()).startswith("No CUPED adjustment")
    empty = findings.cuped_view(pd.DataFrame())  # a totals run has no columns at all
    assert empty.empty and list(empty.columns) == ["metric", "covariate", "theta", "variance_reduction"]
    assert findings.cuped_view(CUPED).to_dict("list") == {"metric": ["revenue per user"],
                                                          "covariate": ["revenue before the test"], "theta": [0.4],
                                                          "variance_reduction": [0.25]}


SEGMENTS = pd.DataFrame({
    "segment": ["platform", "platform", "device", "device", "is_new", "is_new"],
    "value": ["douyin", "wechat", "iOS", "Android", "True", "False"], "variant": ["B"] * 6,
    "rel_diff": [0.384, -0.1, 0.236, np.nan, 0.193, 0.05],
    "significant": [True, False, True, np.nan, True, True]})  # the NaN row could not be tested


def test_segments_line_counts_and_names_the_significant_rows() -> None:
    # 4 of 6 significant; the first 3 named in table order, the 4th counted; names and values as people say them
    assert findings.segments_line(SEGMENTS, "conversions") == (
        "Conversion rate by Platform, Device, New user: 4 of 6 segment rows differ significantly after correction "
        "over all of them: Platform Douyin (B +38.4%); Device iOS (B +23.6%); New user yes (B +19.3%) and 1 more. "
        "Segment results are hypotheses for the next test, not reasons to ship to one segment.")
    none = SEGMENTS.assign(significant=False).head(2)
    assert findings.segments_line(none, "revenue").startswith(
        "Revenue per user by Platform: 0 of 2 segment rows differ significantly after correction over all of them. "
        "Segment")
    assert findings.segments_line(pd.DataFrame(), "conversions") == (
        "No segment breakdown: it needs unit rows and segment columns.")
    with i18n.use_language("zh-CN"):
        assert findings.segments_line(none, "conversions") == (
            "转化率按平台细分：在全部 2 个细分行一起校正后，0 行差异显著。"
            "细分结果是下一次实验的假设，不是只对某个人群上线的理由。")


def test_segments_view_in_percent_and_points() -> None:
    segments = pd.DataFrame({"segment": ["is_new"], "value": ["False"], "variant": ["B"], "control_value": [0.04],
                             "variant_value": [0.05], "abs_diff": [0.01], "abs_ci_low": [-0.002],
                             "abs_ci_high": [0.022], "rel_diff": [0.25], "p_value": [0.01],
                             "p_value_adjusted": [0.04], "significant": [True]})
    with i18n.use_language("zh-CN"):
        row = findings.segments_view(segments, "binary").iloc[0].to_dict()
    assert row == {"segment": "新用户", "value": "否", "variant": "B", "control_value": "4.00%",
                   "variant_value": "5.00%", "abs_diff": "+1.00 个百分点", "abs_ci": "−0.20 至 +2.20 个百分点",
                   "rel_diff": "+25.0%", "p_value_adjusted": "p = 0.040", "significant": "是"}


def test_running_line_reads_the_always_valid_interval_of_the_last_day() -> None:
    lines = findings.running_line([running("B", (0.0085, 0.0023, 0.0148), days=28),
                                   running("C", (0.002, -0.004, 0.008)), running("D", (0.0, np.nan, np.nan))])
    assert lines.splitlines() == [
        "Conversion rate, B − A after 28 days: +0.85 pp, always-valid interval +0.23 to +1.48 pp excludes 0: a "
        "difference that holds even when watched daily.",
        "Conversion rate, C − A after 3 days: +0.20 pp, always-valid interval −0.40 to +0.80 pp includes 0: no "
        "difference yet that holds when watched daily.",
        "Conversion rate, D − A after 3 days: 0.00 pp; no interval yet (too few units or no variation)."]
    assert findings.running_line([]) == ("No running chart: it needs unit rows with a timestamp (parameter "
                                         "time_column).")
    # an interval wholly below 0 excludes it too; a mean metric in its own units
    assert "excludes 0" in findings.running_line([running("B", (-0.01, -0.015, -0.002))])
    assert findings.running_line([running("B", (1.5, 0.5, 2.5))], share=False).startswith(
        "Conversion rate, B − A after 3 days: +1.50, always-valid interval +0.500 to +2.50 excludes 0")


def test_decision_lines() -> None:
    assert findings.decision_lines(DECISIONS, "A") == ("Decision for conversion rate, B vs A: ● ship\n"
                                                       "Decision for conversion rate, C vs A: ◆ keep running")
    with i18n.use_language("zh-CN"):
        assert findings.decision_lines(DECISIONS.head(1), "A") == "转化率，B 对比 A 的结论：● 上线"


def test_plan_line_for_a_rate_and_a_mean() -> None:
    assert findings.plan_line(PLAN) == ("To detect a relative change of 15.0% on a rate of 4.00% with 2 variants: "
                                        "17,923 units per variant, 12 days at 3,000 units a day.")
    mean = {**PLAN, "baseline": 120, "std": 40.0, "mde": 5, "relative": False, "variants": 3, "n_per_variant": 1006}
    assert findings.plan_line(mean) == ("To detect an absolute change of 5 on a mean of 120 (sd 40) with 3 variants: "
                                        "1,006 units per variant, 12 days at 3,000 units a day.")
    with i18n.use_language("zh-CN"):
        assert findings.plan_line(PLAN) == ("在基准比率 4.00% 上检测相对变化 15.0%（共 2 组）：每组需要 17,923 个用户，"
                                            "按每天 3,000 个用户计需 12 天。")


def test_explorer_line() -> None:
    failed = Evaluation(DESIGN, FAILED, RESULTS, DECISIONS)
    assert findings.explorer_line(failed) == "SRM FAILED (p < 0.001); B: ● ship; C: ◆ keep running"
    assert findings.explorer_line(EVALUATION) == "SRM passed (p = 0.48); B: ● ship; C: ◆ keep running"


# ---------------------------------------------------------------- the executive summary


def test_summary_of_a_ship_decision_in_english() -> None:
    s = findings.executive_summary(DESIGN, EVALUATION, SETTINGS, segments=pd.DataFrame(), plan=PLAN)
    assert s.title == "Experiment evaluation · EXP-X 封面样式 · Oct 5, 2026 – Oct 25, 2026"
    # B ships (C keeps running): 4.00% → 6.00%, +2.00 pp, 0.06/0.04 − 1 = +50.0%, CI 0.01–0.03
    assert (s.verdict_status, s.verdict_href) == ("ship", "#decision")
    assert s.verdict == "Ship B: conversion rate 4.00% → 6.00%, +2.00 pp (+50.0%), 95% CI +1.00 to +3.00 pp."
    assert [(t.label, t.value, t.status) for t in s.tiles] == [
        ("Conversion rate, control A", "4.00%", "neutral"), ("Conversion rate, variant B", "6.00%", "good"),
        ("Probability B beats A", "99.0%", "neutral"), ("SRM check", "passed", "good")]
    assert [(f.text, f.href) for f in s.findings] == [
        ("Conversion rate, B vs A: +2.00 pp (+50.0%), p = 0.002 after correction, significant.", "#primary"),
        ("Conversion rate, C vs A: +1.00 pp (+25.0%), p = 0.30 after correction, not significant.", "#primary"),
        ("Guardrails hold: none is significantly worse (revenue per user +10.0%).", "#guardrails"),
        ("Units split as planned: A 5,050 / B 4,950 (SRM check p = 0.48).", "#srm"),
        ("Probability that B beats A on conversion rate: 99.0%; expected loss if shipped: ≈ 0.", "#bayes")]
    assert [(a.text, a.href) for a in s.actions] == [
        ("Roll out B to everyone and keep watching the guardrails (revenue per user, refund rate) after launch.",
         "#decision"),
        ("Plan the next test: 17,923 units per variant, 12 days at 3,000 units a day.", "#plan")]


def test_summary_of_a_ship_decision_in_chinese() -> None:
    with i18n.use_language("zh-CN"):
        s = findings.executive_summary(DESIGN, EVALUATION, SETTINGS, segments=SEGMENTS, plan=PLAN)
    assert s.title == "A/B 测试评估 · EXP-X 封面样式 · 2026年10月5日至2026年10月25日"
    assert s.verdict == "上线 B：转化率 4.00% → 6.00%，+2.00 个百分点（+50.0%），95% 置信区间 +1.00 至 +3.00 个百分点"
    # 5 findings at most: the segment line (6th) is left out; its action is kept
    assert len(s.findings) == 5 and s.findings[2].text == "护栏指标守住了：没有一项显著变差（人均收入 +10.0%）。"
    assert [a.text for a in s.actions] == ["向全部用户上线 B，上线后继续盯住护栏指标（人均收入、退款率）。",
                                           "把细分人群的差异作为假设，放到后续实验里验证。",
                                           "规划下一次实验：每组 17,923 个用户，按每天 3,000 个用户计需 12 天。"]


def test_summary_of_keep_running_names_the_units_still_needed() -> None:
    evaluation = Evaluation(DESIGN, PASSED, RESULTS, DECISIONS.tail(1).reset_index(drop=True))
    s = findings.executive_summary(DESIGN, evaluation, SETTINGS, segments=pd.DataFrame(), plan=PLAN)
    # C: 4.00% → 5.00%, +1.00 pp, +25.0%, CI −0.01 to 0.03, adjusted p 0.3, 5,000 more units (decision table)
    assert s.verdict_status == "keep running"
    assert s.verdict == ("Keep running: conversion rate 4.00% → 5.00%, +1.00 pp (+25.0%), 95% CI −1.00 to +3.00 pp, "
                         "not significant yet (p = 0.30); about 5,000 more units per variant needed.")
    assert s.actions[0].href == "#running"
    with i18n.use_language("zh-CN"):
        zh = findings.executive_summary(DESIGN, evaluation, SETTINGS, segments=pd.DataFrame(), plan=PLAN)
    assert zh.verdict.endswith("暂不显著（p = 0.30）；每组还需约 5,000 个用户")


def test_summary_of_dont_ship_says_why() -> None:
    decisions = pd.DataFrame({"metric": ["conversions"], "variant": ["C"], "verdict": ["don't ship"],
                              "reason": ["x"], "units_needed": [None]})
    evaluation = Evaluation(DESIGN, PASSED, RESULTS, decisions)
    # planned MDE 0.05: the interval's upper end 0.03 < 0.05 rules it out
    ruled_out = findings.executive_summary(DESIGN, evaluation, Settings(primary=("conversions",),
                                                                        mde={"conversions": 0.05}),
                                           segments=pd.DataFrame(), plan=PLAN)
    assert ruled_out.verdict.endswith("; not significant (p = 0.30), and the interval rules out the planned MDE of "
                                      "5.00 pp.")
    assert ruled_out.actions[0].text == "Keep A; record what was learned and test a bolder change next."
    # planned MDE 0.01 is still inside the interval: the planned sample was reached
    reached = findings.executive_summary(DESIGN, evaluation, Settings(primary=("conversions",),
                                                                      mde={"conversions": 0.01}),
                                         segments=pd.DataFrame(), plan=PLAN)
    assert reached.verdict.startswith("Don't ship C: conversion rate 4.00% → 5.00%")
    assert reached.verdict.endswith("; not significant (p = 0.30) at the planned sample size.")


def test_summary_of_an_invalid_experiment_gives_the_reason() -> None:
    invalid = pd.DataFrame({"metric": ["conversions"], "variant": ["B"], "verdict": ["invalid"], "reason": ["x"],
                            "units_needed": [None]})
    s = findings.executive_summary(DESIGN, Evaluation(DESIGN, FAILED, RESULTS, invalid), SETTINGS,
                                   segments=pd.DataFrame(), plan=PLAN)
    assert s.verdict_status == "invalid"
    assert s.verdict == ("Invalid: units were not split as planned (SRM check p < 0.001); no metric can be trusted "
                         "until the assignment is fixed.")
    assert s.tiles[-1].value == "failed" and s.tiles[-1].status == "bad"
    assert s.actions[0].href == "#srm" and s.actions[0].text.startswith("Find why units were not split as planned")
    assert ("Units NOT split as planned: A 10,400 / B 9,600 (SRM check p < 0.001).", "#srm") in [
        (f.text, f.href) for f in s.findings]
    # a guardrail breach: revenue 10 → 9, significant, higher is better → −10.0%
    worse = RESULTS.copy()
    worse.loc[2, ["variant_value", "abs_diff", "abs_ci_low", "abs_ci_high", "rel_diff", "significant"]] = [
        9.0, -1.0, -1.8, -0.2, -0.1, True]
    breach = findings.executive_summary(DESIGN, Evaluation(DESIGN, PASSED, worse, invalid), SETTINGS,
                                        segments=pd.DataFrame(), plan=PLAN)
    assert breach.verdict == "Invalid for B: guardrail significantly worse: revenue per user −10.0%."
    assert breach.findings[1].text == "Guardrail significantly worse: revenue per user −10.0%."
    with i18n.use_language("zh-CN"):
        zh = findings.executive_summary(DESIGN, Evaluation(DESIGN, FAILED, RESULTS, invalid), SETTINGS,
                                        segments=pd.DataFrame(), plan=PLAN)
    assert zh.verdict == "实验无效：用户没有按计划比例分组（样本比例失衡，p < 0.001）；修好分流之前，任何指标都不可信。"


# ---------------------------------------------------------------- summary.json and tables


def test_summary_rows_carry_intervals_as_pairs() -> None:
    frame = pd.DataFrame({"metric": ["m"], "abs_ci_low": [-1.0], "abs_ci_high": [2.0], "rel_ci_low": [-0.1],
                          "rel_ci_high": [0.2]})
    assert findings.summary_results(frame) == [{"metric": "m", "abs_ci": [-1.0, 2.0], "rel_ci": [-0.1, 0.2]}]


def test_summary_of_a_full_run_and_of_a_bare_one() -> None:
    plan = {"n_per_variant": 10}
    window = {"first": pd.Timestamp("2026-10-05"), "outside_planned_dates": 0}
    segments = pd.DataFrame({"segment": ["platform"], "significant": [False]})
    full = findings.summary(DESIGN, EVALUATION, assignment=window, segments=segments, plan=plan)
    assert list(full) == ["label", "title", "experiment", "assignment", "srm", "results", "cuped", "segments",
                          "decision", "plan"]
    assert full["label"] == "EXP-X"
    assert full["title"] == "Experiment evaluation · EXP-X 封面样式 · Oct 5, 2026 – Oct 25, 2026"
    assert full["experiment"] == {"experiment_id": "EXP-X", "name": "封面样式", "control": "A",
                                  "variants": ["A", "B", "C"], "start": pd.Timestamp("2026-10-05"),
                                  "end": pd.Timestamp("2026-10-25"), "days": 21, "planned_mde": 0.01}
    assert full["srm"] == {"chi2": 0.5, "p_value": 0.48, "passed": True, "threshold": 0.001}
    assert full["results"][0]["abs_ci"] == [0.01, 0.03] and full["results"][2]["rel_ci"] == [-0.05, 0.25]
    assert full["assignment"] == window and full["plan"] == plan
    assert full["cuped"] is CUPED and full["segments"] is segments and full["decision"] is DECISIONS
    bare = findings.summary(DESIGN, Evaluation(DESIGN, PASSED, RESULTS, DECISIONS), assignment=None,
                            segments=pd.DataFrame(), plan=plan)
    assert list(bare) == ["label", "title", "experiment", "srm", "results", "decision", "plan"]
    with i18n.use_language("zh-CN"):
        assert findings.summary(DESIGN, EVALUATION, assignment=None, segments=pd.DataFrame(),
                                plan=plan)["title"] == "A/B 测试评估 · EXP-X 封面样式 · 2026年10月5日至2026年10月25日"


def test_tables_in_report_order() -> None:
    segments = pd.DataFrame({"segment": ["platform"]})
    names = findings.tables(EVALUATION, segments, [running("B", (0, 0, 0)), running("C", (0, 0, 0))])
    assert list(names) == ["srm", "results", "segments", "cumulative_B", "cumulative_C", "decisions"]
    assert names["decisions"] is DECISIONS and names["srm"]["units"].tolist() == [5_050, 4_950]
    assert list(findings.tables(EVALUATION, pd.DataFrame(), [])) == ["srm", "results", "decisions"]


def test_written_line() -> None:
    assert findings.written_line(["srm", "results"], ["forest"]) == "Wrote summary.json, 2 tables and 1 figure."
    with i18n.use_language("zh-CN"):
        assert findings.written_line(["srm"], ["forest", "x"]) == "已写出 summary.json、1 张表和 2 张图。"


@pytest.mark.parametrize("variant", ["B", "C"])
def test_running_difference_names_its_artefacts(variant: str) -> None:
    assert running(variant, (0, 0, 0)).name == f"cumulative_{variant}"
