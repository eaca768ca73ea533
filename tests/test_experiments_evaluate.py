"""helpers.experiments.evaluate on the sample's planted experiments, checked against statsmodels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from helpers.errors import ParameterError
from helpers.experiments.design import load_experiment
from helpers.experiments.evaluate import Settings, evaluate, segment_breakdown
from helpers.experiments.metrics import MetricSpec, parse_metrics
from helpers.sample import PLANTED

METRICS = parse_metrics({"conversions": "binary:conversions", "clicks": "ratio:clicks/exposures",
                         "revenue": "mean:revenue"})


def run(experiment_id: str, sample_dir: Path, **kw):
    design, units = load_experiment(experiment_id, sample_dir)
    settings = Settings(primary=(design.primary_metric,), guardrails=design.guardrails,
                        mde={design.primary_metric: design.mde}, **kw)
    return design, units, evaluate(design, units, METRICS, settings)


def test_real_lift_is_significant_with_the_right_sign_and_shipped(sample_dir: Path) -> None:
    _, units, ev = run(PLANTED.experiment_with_lift, sample_dir)
    row = ev.results.set_index("metric").loc["conversions"]
    a, b = (units[units["variant"] == v]["conversions"] for v in ("A", "B"))
    _, p = proportions_ztest([b.sum(), a.sum()], [len(b), len(a)])  # independent: statsmodels on raw counts
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    assert row["abs_diff"] == pytest.approx(b.mean() - a.mean()) and row["abs_diff"] > 0
    # one Holm family per role: the primary alone here (one variant), the two guardrails together
    primary = ev.results[ev.results["role"] == "primary"]
    guards = ev.results[ev.results["role"] == "guardrail"]
    assert np.allclose(primary["p_value_adjusted"], primary["p_value"])
    assert np.allclose(guards["p_value_adjusted"], multipletests(guards["p_value"], method="holm")[1])
    assert ev.srm.passed
    assert ev.decisions.set_index("metric").loc["conversions", "verdict"] == "ship"


def test_null_experiment_is_not_significant(sample_dir: Path) -> None:
    _, _, ev = run(PLANTED.experiment_without_lift, sample_dir)
    primary = ev.results[ev.results["role"] == "primary"]
    assert len(primary) == 2 and not primary["significant"].any()
    assert set(ev.decisions["verdict"]) <= {"don't ship", "keep running"}


def test_srm_makes_the_result_invalid(sample_dir: Path) -> None:
    _, _, ev = run(PLANTED.experiment_with_srm, sample_dir)
    assert not ev.srm.passed and ev.srm.p_value < 1e-6
    assert ev.decisions["verdict"].tolist() == ["invalid"]
    assert "sample ratio mismatch" in ev.decisions.loc[0, "reason"]


def test_cuped_reduces_revenue_variance_and_keeps_the_effect(sample_dir: Path) -> None:
    _, _, plain = run(PLANTED.experiment_with_lift, sample_dir)
    _, _, adjusted = run(PLANTED.experiment_with_lift, sample_dir, covariate="pre_revenue")
    gain = adjusted.cuped.set_index("metric").loc["revenue", "variance_reduction"]
    assert 0.1 < gain < 0.5  # the sample's pre-period correlation is ρ ≈ 0.5, so ≈ ρ² = 0.25
    p_row = plain.results.set_index("metric").loc["revenue"]
    a_row = adjusted.results.set_index("metric").loc["revenue"]
    width = lambda r: r["abs_ci_high"] - r["abs_ci_low"]
    assert width(a_row) < width(p_row)
    assert a_row["abs_diff"] == pytest.approx(p_row["abs_diff"], abs=0.5 * (width(p_row) / 3.92))


def test_bad_settings_are_explained(sample_dir: Path) -> None:
    design, units = load_experiment(PLANTED.experiment_with_lift, sample_dir)
    with pytest.raises(ParameterError, match=r"\['orders'\] are named as primary"):
        evaluate(design, units, METRICS, Settings(primary=("orders",)))
    with pytest.raises(ParameterError, match="covariate='pre_orders' is not a column"):
        evaluate(design, units, METRICS, Settings(primary=("conversions",), covariate="pre_orders"))


def test_segments_are_corrected_for_their_number(sample_dir: Path) -> None:
    design, units = load_experiment(PLANTED.experiment_with_lift, sample_dir)
    table = segment_breakdown(units, design, MetricSpec("conversions", "binary", "conversions"),
                              ["platform", "device"], Settings())
    assert set(table["segment"]) == {"platform", "device"} and len(table) == 4 + 2
    assert (table["p_value_adjusted"] >= table["p_value"] - 1e-12).all()
    assert np.allclose(table["p_value_adjusted"], multipletests(table["p_value"], method="holm")[1])


def test_totals_export_gives_the_same_results_as_unit_rows(sample_dir: Path) -> None:
    from helpers.experiments.evaluate import evaluate_aggregates

    design, units = load_experiment(PLANTED.experiment_with_lift, sample_dir)
    per = units.assign(rev2=units["revenue"] ** 2, c2=units["clicks"] ** 2, e2=units["exposures"] ** 2,
                       ce=units["clicks"] * units["exposures"])
    totals = per.groupby("variant").agg(
        units=("unit_id", "size"), conversions_sum=("conversions", "sum"), revenue_sum=("revenue", "sum"),
        revenue_sum_sq=("rev2", "sum"), clicks_num_sum=("clicks", "sum"), clicks_num_sum_sq=("c2", "sum"),
        clicks_den_sum=("exposures", "sum"), clicks_den_sum_sq=("e2", "sum"), clicks_cross_sum=("ce", "sum"),
    ).reset_index()
    settings = Settings(primary=("conversions",), guardrails=design.guardrails, mde={"conversions": design.mde})
    from_totals = evaluate_aggregates(design, totals, METRICS, settings)
    from_units = evaluate(design, units, METRICS, settings)
    cols = ["abs_diff", "abs_ci_low", "abs_ci_high", "p_value", "p_value_adjusted", "prob_beat_control"]
    assert np.allclose(from_totals.results[cols].to_numpy(float), from_units.results[cols].to_numpy(float))
    assert from_totals.srm.p_value == pytest.approx(from_units.srm.p_value)


def test_a_declared_variant_without_units_cannot_be_tested(sample_dir: Path) -> None:
    design, units = load_experiment(PLANTED.experiment_without_lift, sample_dir)
    only_ab = units[units["variant"].isin(["A", "B"])].reset_index(drop=True)
    ev = evaluate(design, only_ab, METRICS, Settings(primary=("conversions",), mde={"conversions": design.mde}))
    c_rows = ev.results[ev.results["variant"] == "C"]
    assert (c_rows["test"] == "cannot test: a variant has no units").all() and c_rows["p_value"].isna().all()
    assert not ev.srm.passed  # 0 units where a third was planned
    assert ev.decisions.set_index("variant").loc["C", "verdict"] == "invalid"
    assert ev.decisions.set_index("variant").loc["C", "reason"] == (
        "Invalid: the comparison could not be tested (see the test column of tables/results.csv).")


def test_explorer_lists_every_experiment_and_draws_nothing_headless_until_used(
        sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.experiments.charts import experiment_explorer
    from helpers.experiments.explore import experiment_ids

    assert set(experiment_ids(sample_dir)) == {PLANTED.experiment_with_lift, PLANTED.experiment_without_lift,
                                               PLANTED.experiment_with_srm}
    monkeypatch.setenv("OPSBOOK_HEADLESS", "1")
    box = experiment_explorer(sample_dir, METRICS, ["platform"])
    assert box.answers == 0 and box.text.value == "" and box.image.layout.display == "none"


def test_mde_applies_only_to_its_metric_and_no_mde_means_keep_running(sample_dir: Path) -> None:
    design, units = load_experiment(PLANTED.experiment_without_lift, sample_dir)
    # revenue as primary with the design's MDE planned for conversions: no MDE for revenue
    ev = evaluate(design, units, METRICS, Settings(primary=("revenue",), mde={"conversions": design.mde}))
    assert set(ev.decisions["verdict"]) == {"keep running"}
    assert "No MDE was planned" in ev.decisions.loc[0, "reason"]
    assert ev.results.loc[ev.results["metric"] == "revenue", "power"].isna().all()


def test_lower_is_better_guardrail_breaches_when_it_rises() -> None:
    import pandas as pd

    from helpers.experiments.evaluate import guardrail_breaches

    results = pd.DataFrame({"role": ["guardrail", "guardrail"], "variant": ["B", "B"],
                            "metric": ["refund_rate", "revenue"], "significant": [True, True],
                            "abs_diff": [0.01, 0.5], "rel_diff": [0.2, 0.1]})
    # refunds up 20 % is a breach when refunds are lower-is-better (named by its label); revenue up is not
    assert guardrail_breaches(results, "B", Settings(lower_is_better=("refund_rate",))) == ["refund rate +20.0%"]
    assert guardrail_breaches(results, "B", Settings()) == []
