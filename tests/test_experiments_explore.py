"""The experiment explorer: what one choice computes (explore) and the widget that shows it (charts)."""

from __future__ import annotations

from pathlib import Path

from helpers.experiments.charts import experiment_explorer
from helpers.experiments.explore import NO_SEGMENT, experiment_ids, explore
from helpers.experiments.metrics import MetricSpec, parse_metrics
from helpers.sample import PLANTED

METRICS = parse_metrics({"conversions": "binary:conversions", "revenue": "mean:revenue"})


def test_experiment_ids_list_the_experiments_table(sample_dir: Path) -> None:
    assert experiment_ids(sample_dir) == [PLANTED.experiment_with_lift, PLANTED.experiment_without_lift,
                                          PLANTED.experiment_with_srm]


def test_explore_takes_the_chosen_metric_as_primary(sample_dir: Path) -> None:
    view = explore(sample_dir, PLANTED.experiment_without_lift, METRICS[1], "device")
    results = view.evaluation.results
    # A/B/C: one row per treatment, the chosen metric is the only one and it is primary
    assert results[["metric", "role", "variant"]].values.tolist() == [["revenue", "primary", "B"],
                                                                      ["revenue", "primary", "C"]]
    # the design's MDE is for conversions, so revenue has none: no power
    assert results["power"].isna().all()
    # device has two values × two treatments
    assert len(view.segments) == 4 and set(view.segments["value"]) == {"iOS", "Android"}
    lift = explore(sample_dir, PLANTED.experiment_with_lift, METRICS[0])
    assert lift.segments.empty and lift.evaluation.results["power"].notna().all()
    assert explore(sample_dir, PLANTED.experiment_with_lift, METRICS[0], "not_a_column").segments.empty


def test_explorer_draws_nothing_until_a_choice_changes_then_shows_verdict_forest_and_segments(
        sample_dir: Path) -> None:
    box = experiment_explorer(sample_dir, METRICS, ["platform"])
    experiment, metric, segment = box.controls
    assert experiment.options == (PLANTED.experiment_with_lift, PLANTED.experiment_without_lift,
                                  PLANTED.experiment_with_srm)
    assert metric.options == ("conversions", "revenue") and segment.options == (NO_SEGMENT, "platform")
    assert box.children[1].outputs == ()
    experiment.value = PLANTED.experiment_with_srm  # 10,400 vs 9,600 against 50/50: invalid
    text, forest = box.children[1].outputs
    assert text["output_type"] == "stream" and text["text"].startswith("SRM FAILED (p = ")
    assert text["text"].endswith("; B: invalid\n")
    assert "image/png" in forest["data"]
    segment.value = "platform"
    outputs = box.children[1].outputs
    assert len(outputs) == 3 and "wechat" in outputs[2]["data"]["text/html"]


def test_explorer_shows_a_data_problem_instead_of_raising(sample_dir: Path) -> None:
    box = experiment_explorer(sample_dir, [MetricSpec("refunds", "binary", "refunded")], [])
    box.redraw()
    [shown] = box.children[1].outputs
    assert shown["output_type"] == "stream" and "refunded" in shown["text"]
