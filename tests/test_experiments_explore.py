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
    # labels in the run's language, values the machine names
    assert metric.options == (("conversion rate", "conversions"), ("revenue per user", "revenue"))
    assert segment.options == (("(none)", NO_SEGMENT), ("Platform", "platform"))
    assert (experiment.description, metric.description, segment.description) == ("Experiment", "Metric", "Segment")
    assert box.children[1].outputs == ()
    experiment.value = PLANTED.experiment_with_srm  # 10,400 vs 9,600 against 50/50: invalid
    text, forest = box.children[1].outputs
    assert text["output_type"] == "stream" and text["text"].startswith("SRM FAILED (p < 0.001); ")
    assert text["text"].endswith("; B: ▲ invalid\n")
    assert "image/png" in forest["data"]
    segment.value = "platform"
    outputs = box.children[1].outputs
    assert len(outputs) == 3 and "WeChat" in outputs[2]["data"]["text/html"]  # platform by its name


def test_explorer_labels_follow_the_language(sample_dir: Path) -> None:
    from helpers import i18n
    from helpers.experiments.charts import setup_style

    setup_style()  # the CJK font, as the notebook's set-up cell does
    with i18n.use_language("zh-CN"):
        box = experiment_explorer(sample_dir, METRICS, ["platform"])
        experiment, metric, segment = box.controls
        assert (experiment.description, metric.description, segment.description) == ("实验", "指标", "细分人群")
        assert metric.options[0] == ("转化率", "conversions") and segment.options[1] == ("平台", "platform")
        experiment.value = PLANTED.experiment_with_srm
        assert box.children[1].outputs[0]["text"] == "分流检查未通过（p < 0.001）；B：▲ 实验无效\n"


def test_explorer_shows_a_data_problem_instead_of_raising(sample_dir: Path) -> None:
    box = experiment_explorer(sample_dir, [MetricSpec("refunds", "binary", "refunded")], [])
    box.redraw()
    [shown] = box.children[1].outputs
    assert shown["output_type"] == "stream" and "refunded" in shown["text"]
