"""Experiments on inputs real platforms give (issue 17): several totals rows per variant, a totals file
without unit rows, true/false columns, negative values (refunds), the p-value of the relative change.

Expectations are computed here independently: by hand from the summed counts, or with scipy.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from helpers.errors import DataError
from helpers.experiments.design import ExperimentDesign, typed_units
from helpers.experiments.evaluate import Settings, evaluate, evaluate_aggregates, segment_breakdown
from helpers.experiments.frequentist import compare
from helpers.experiments.metrics import MetricSpec, VariantStats, stats_from_aggregates, variant_stats

DESIGN = ExperimentDesign(experiment_id="EXP-T", name="t", unit="user", primary_metric="cvr", control="A",
                          variants=("A", "B"), start=pd.Timestamp("2026-01-01"), end=pd.Timestamp("2026-01-14"),
                          expected_split={"A": 0.5, "B": 0.5})
CVR = MetricSpec("cvr", "binary", "conversions")
RPU = MetricSpec("rpu", "mean", "revenue")
AOV = MetricSpec("aov", "ratio", "revenue", "orders")


# ---------------------------------------------------------------- 1. several totals rows per variant

def two_rows_per_variant() -> pd.DataFrame:
    """A platform export with one row per platform: A and B twice each."""
    return pd.DataFrame({"variant": ["A", "B", "A", "B"], "platform": ["douyin", "douyin", "weibo", "weibo"],
                         "units": [6000, 6100, 4000, 4150],
                         "cvr_sum": [240, 300, 160, 190],
                         "rpu_sum": [30000.0, 33000.0, 20000.0, 21000.0],
                         "rpu_sum_sq": [9.0e6, 1.0e7, 6.0e6, 6.5e6]})


def test_totals_rows_of_one_variant_are_summed_for_srm_and_every_test() -> None:
    totals = two_rows_per_variant()
    ev = evaluate_aggregates(DESIGN, totals, [CVR, RPU], Settings(primary=("cvr",)))
    # by hand from the summed rows: A 10,000 units / 400 conversions, B 10,250 / 490
    n_a, n_b, x_a, x_b = 6000 + 4000, 6100 + 4150, 240 + 160, 300 + 190
    assert ev.srm.observed == {"A": n_a, "B": n_b}
    assert ev.srm.p_value == pytest.approx(sps.chisquare([n_a, n_b], [(n_a + n_b) / 2] * 2).pvalue)
    pooled = (x_a + x_b) / (n_a + n_b)
    z = (x_b / n_b - x_a / n_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    row = ev.results.set_index("metric").loc["cvr"]
    assert (row["n_control"], row["n_variant"]) == (n_a, n_b)
    assert row["p_value"] == pytest.approx(2 * sps.norm.sf(abs(z)))
    assert row["abs_diff"] == pytest.approx(x_b / n_b - x_a / n_a)
    # the mean metric: Welch from the summed Σx and Σx² (sums of squares add)
    s_a, s_b, q_a, q_b = 50000.0, 54000.0, 1.5e7, 1.65e7
    sd_a = math.sqrt((q_a - s_a ** 2 / n_a) / (n_a - 1))
    sd_b = math.sqrt((q_b - s_b ** 2 / n_b) / (n_b - 1))
    welch = sps.ttest_ind_from_stats(s_b / n_b, sd_b, n_b, s_a / n_a, sd_a, n_a, equal_var=False)
    assert ev.results.set_index("metric").loc["rpu", "p_value"] == pytest.approx(welch.pvalue)


def test_totals_carrying_means_instead_of_sums_are_refused_with_how_to_aggregate() -> None:
    totals = pd.DataFrame({"variant": ["A", "B", "A", "B"], "units": [60, 61, 40, 41],
                           "rpu_mean": [5.0, 5.4, 5.0, 5.1], "rpu_std": [3.0, 3.1, 2.9, 3.0]})
    with pytest.raises(DataError, match=r"(?s)means.*rpu_sum = rpu_mean × units.*rpu_sum_sq"):
        stats_from_aggregates(totals, RPU)


def test_missing_totals_are_refused_naming_the_line() -> None:
    totals = two_rows_per_variant().astype({"cvr_sum": "float64"})
    totals.loc[2, "cvr_sum"] = float("nan")
    with pytest.raises(DataError, match=r"cvr_sum.*line\(s\) \[4\]"):
        stats_from_aggregates(totals, CVR)


# ---------------------------------------------------------------- 2. a totals file alone

def test_a_totals_file_is_enough_without_unit_rows(sample_dir: Path, tmp_path: Path) -> None:
    from helpers.experiments.session import prepare

    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    experiments = pd.read_csv(data / "experiments.csv")
    new = experiments.iloc[[0]].assign(experiment_id="EXP-TOTALS-09", variants="A;B", expected_split="0.5;0.5")
    pd.concat([experiments, new]).to_csv(data / "experiments.csv", index=False)
    totals = tmp_path / "totals.csv"
    two_rows_per_variant().rename(columns={"cvr_sum": "conversions_sum", "rpu_sum": "revenue_sum",
                                           "rpu_sum_sq": "revenue_sum_sq"}).to_csv(totals, index=False)
    run = prepare(experiment_id="EXP-TOTALS-09", data_dir=str(data), aggregates_file=str(totals),
                  metrics={"conversions": "binary:conversions", "revenue": "mean:revenue"}, primary=[],
                  guardrails=[], mde="", lower_is_better=[], alpha=0.05, power=0.8, correction="holm",
                  covariate="", segments=["platform"], time_column="assigned_at", plan_std=0.0,
                  plan_baseline=0.04, plan_mde=0.15, plan_relative=True, plan_variants=2, plan_daily_units=3000,
                  lang="en")
    assert run.units is None and run.design.experiment_id == "EXP-TOTALS-09"
    ev = run.evaluate()
    assert ev.srm.observed == {"A": 10000, "B": 10250}
    assert list(ev.decisions["metric"]) == ["conversions"]  # the design's primary metric, from its row


# ---------------------------------------------------------------- 3. true/false columns

SPELLINGS = [("True", "False"), ("true", "false"), ("TRUE", "FALSE"), ("1", "0"), ("是", "否"), ("yes", "no"),
             ("Yes", "No")]


def units_with_flags(yes: str, no: str) -> pd.DataFrame:
    """Units as a CSV gives them (every cell text), `converted` and `is_new` spelled yes/no."""
    converted = [yes, no, no, no, yes, yes, no, yes, no, no, yes, no]
    is_new = [yes, yes, no, no, yes, no, yes, no, yes, no, yes, no]
    return pd.DataFrame({"experiment_id": "EXP-T", "unit_id": [f"u{i}" for i in range(12)],
                         "variant": ["A", "B"] * 6, "converted": converted, "is_new": is_new}).astype(str)


@pytest.mark.parametrize(("yes", "no"), SPELLINGS)
def test_flag_columns_read_as_one_and_zero(yes: str, no: str) -> None:
    units = typed_units(units_with_flags(yes, no))
    stats = variant_stats(units, MetricSpec("cvr", "binary", "converted"))
    # A = rows 0, 2, 4, 6, 8, 10: yes, no, yes, no, no, yes → 3 of 6; B = rows 1, 3, ...: no, no, yes, yes, no, no → 2
    assert (stats["A"].n, stats["A"].sum_x, stats["B"].n, stats["B"].sum_x) == (6, 3.0, 6, 2.0)


@pytest.mark.parametrize(("yes", "no"), SPELLINGS)
def test_flag_columns_are_segments_with_a_readable_label(yes: str, no: str) -> None:
    from helpers import i18n
    from helpers.experiments.labels import segment_value

    units = typed_units(units_with_flags(yes, no))
    table = segment_breakdown(units, DESIGN, MetricSpec("cvr", "binary", "converted"), ["is_new"], Settings())
    i18n.set_language("en")
    assert sorted(segment_value("is_new", v) for v in table["value"]) == ["no", "yes"]
    i18n.set_language("zh-CN")
    assert sorted(segment_value("is_new", v) for v in table["value"]) == sorted(["是", "否"])
    i18n.set_language("en")


def test_a_flag_column_with_missing_values_stays_missing_not_zero() -> None:
    frame = units_with_flags("true", "false")
    frame.loc[3, "converted"] = ""
    units = typed_units(frame.replace("", np.nan))
    with pytest.raises(DataError, match=r"converted.*1 missing.*line\(s\) \[5\]"):
        variant_stats(units, MetricSpec("cvr", "binary", "converted"))


def test_a_column_of_other_text_gets_a_clear_message() -> None:
    frame = units_with_flags("true", "false")
    frame.loc[3, "converted"] = "maybe"
    units = typed_units(frame)
    with pytest.raises(DataError) as caught:
        variant_stats(units, MetricSpec("cvr", "binary", "converted"))
    message = str(caught.value)
    assert "'maybe'" in message and "line(s) [5]" in message and "Fill them" not in message
    assert "true/false" in message


# ---------------------------------------------------------------- 4. negative values

def test_negative_mean_totals_are_accepted_and_tested_with_welch() -> None:
    totals = pd.DataFrame({"variant": ["A", "B"], "units": [200, 210], "rpu_sum": [-150.0, 90.0],
                           "rpu_sum_sq": [9000.0, 8800.0]})
    ev = evaluate_aggregates(DESIGN, totals, [RPU], Settings(primary=("rpu",)))
    sd = [math.sqrt((q - s ** 2 / n) / (n - 1)) for n, s, q in ((200, -150.0, 9000.0), (210, 90.0, 8800.0))]
    welch = sps.ttest_ind_from_stats(90.0 / 210, sd[1], 210, -150.0 / 200, sd[0], 200, equal_var=False)
    assert ev.results.loc[0, "p_value"] == pytest.approx(welch.pvalue)


def test_negative_sums_of_squares_are_still_refused() -> None:
    totals = pd.DataFrame({"variant": ["A", "B"], "units": [200, 210], "rpu_sum": [-150.0, 90.0],
                           "rpu_sum_sq": [9000.0, -1.0]})
    with pytest.raises(DataError, match="rpu_sum_sq.*cannot be negative"):
        stats_from_aggregates(totals, RPU)


def delta_ratio(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Σx/Σy and its delta-method variance, written out: Var(R) ≈ Var(x̄ − R·ȳ)/ȳ²."""
    r = x.sum() / y.sum()
    return r, float(np.var(x - r * y, ddof=1) / (len(x) * y.mean() ** 2))


def test_aov_with_refunds_is_accepted_by_the_delta_method() -> None:
    rng = np.random.default_rng(7)
    orders = rng.integers(1, 4, 400).astype(float)
    revenue = orders * rng.normal(80.0, 30.0, 400) - rng.choice([0.0, 150.0], 400, p=[0.9, 0.1])
    assert (revenue < 0).any()
    units = pd.DataFrame({"variant": ["A", "B"] * 200, "revenue": revenue, "orders": orders})
    stats = variant_stats(units, AOV)
    c = compare(stats["A"], stats["B"], AOV)
    a, b = units[units["variant"] == "A"], units[units["variant"] == "B"]
    (ra, va), (rb, vb) = delta_ratio(a["revenue"].to_numpy(), a["orders"].to_numpy()), delta_ratio(
        b["revenue"].to_numpy(), b["orders"].to_numpy())
    assert c.abs_diff == pytest.approx(rb - ra)
    assert c.p_value == pytest.approx(2 * sps.norm.sf(abs(rb - ra) / math.sqrt(va + vb)))


def test_a_ratio_denominator_below_zero_is_refused_with_the_reason() -> None:
    units = pd.DataFrame({"variant": ["A", "B", "A", "B"], "revenue": [10.0, -5.0, 8.0, 7.0],
                          "orders": [1.0, 1.0, -1.0, 2.0]})
    with pytest.raises(DataError, match=r"orders.*line\(s\) \[4\].*denominator.*positive"):
        variant_stats(units, AOV)
    totals = pd.DataFrame({"variant": ["A", "B"], "units": [50, 50], "aov_num_sum": [-20.0, 300.0],
                           "aov_num_sum_sq": [900.0, 4000.0], "aov_den_sum": [-3.0, 60.0],
                           "aov_den_sum_sq": [100.0, 90.0], "aov_cross_sum": [50.0, 400.0]})
    with pytest.raises(DataError, match="aov_den_sum.*positive"):
        stats_from_aggregates(totals, AOV)
    ok = totals.assign(aov_den_sum=[55.0, 60.0])
    assert stats_from_aggregates(ok, AOV)["A"].sum_x == -20.0


# ---------------------------------------------------------------- 5. p-value of the relative change

def binary(variant: str, n: int, x: int) -> VariantStats:
    """Binary totals (x² = x)."""
    return VariantStats(variant, n, float(x), float(x))


def test_relative_p_value_of_a_ratio_of_means_by_hand() -> None:
    control, variant = binary("A", 5000, 200), binary("B", 5000, 250)
    c = compare(control, variant, CVR)
    pa, pb = 200 / 5000, 250 / 5000
    se_log = math.sqrt((1 - pb) / (5000 * pb) + (1 - pa) / (5000 * pa))  # Var(p)/p² = (1 − p)/(n·p)
    z = math.log(pb / pa) / se_log
    assert c.rel_p_value == pytest.approx(2 * (1 - sps.norm.cdf(abs(z))))


@pytest.mark.parametrize("seed", range(12))
def test_relative_p_value_agrees_with_the_relative_interval(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 3000))
    rev = [rng.gamma(2.0, 20.0, n) * (1 + d) - 5 for d in (0.0, rng.uniform(-0.15, 0.15))]
    stats = {v: VariantStats(v, n, float(x.sum()), float((x * x).sum())) for v, x in zip("AB", rev, strict=True)}
    c = compare(stats["A"], stats["B"], RPU, alpha=0.05)
    excludes_zero = c.rel_ci[0] > 0 or c.rel_ci[1] < 0
    assert (c.rel_p_value < 0.05) == excludes_zero
    conversions = rng.integers(5, 200, 2)
    b = compare(binary("A", 4000, int(conversions[0])), binary("B", 4000, int(conversions[1])), CVR)
    assert (b.rel_p_value < 0.05) == (b.rel_ci[0] > 0 or b.rel_ci[1] < 0)


def test_relative_p_value_is_in_the_results_table_and_summary(sample_dir: Path) -> None:
    from helpers.experiments import findings
    from helpers.experiments.design import load_experiment

    design, units = load_experiment("EXP-TITLE-01", sample_dir)
    ev = evaluate(design, units, [MetricSpec("conversions", "binary", "conversions")],
                  Settings(primary=("conversions",)))
    row: dict[str, Any] = findings.summary_results(ev.results)[0]
    assert 0 < row["rel_p_value"] < 1
    view = findings.results_view(ev.results)
    assert "p-value of the relative change" in list(view["measure"])
