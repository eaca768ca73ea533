"""The experiment explorer: what one choice computes (explore) and the widget that shows it (charts)."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

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


def shown_line(box: object) -> str:
    """The explorer's text line as a person reads it (after the pending change is answered)."""
    box.settle()  # type: ignore[attr-defined]
    return html.unescape(re.sub(r"<[^>]+>", "", box.text.value))  # type: ignore[attr-defined]


def test_explorer_starts_on_the_notebooks_experiment_then_shows_verdict_forest_and_segments(
        sample_dir: Path) -> None:
    box = experiment_explorer(sample_dir, METRICS, ["platform"], experiment_id=PLANTED.experiment_with_srm)
    experiment, metric, segment = box.controls
    assert experiment.options == (PLANTED.experiment_with_lift, PLANTED.experiment_without_lift,
                                  PLANTED.experiment_with_srm)
    # labels in the run's language, values the machine names
    assert metric.options == (("conversion rate", "conversions"), ("revenue per user", "revenue"))
    assert segment.options == (("(none)", NO_SEGMENT), ("Platform", "platform"))
    assert (experiment.description, metric.description, segment.description) == ("Experiment", "Metric", "Segment")
    # drawn at once: 10,400 vs 9,600 against 50/50 is invalid
    line = shown_line(box)
    assert line.startswith("SRM FAILED (p < 0.001); ") and line.endswith("; B: ▲ invalid")
    with Image.open(io.BytesIO(box.image.value)) as forest:
        assert forest.format == "PNG" and forest.size[0] > 300
        assert len(np.unique(np.asarray(forest.convert("L")))) > 10  # a drawn chart, not a blank page
    assert box.tables.value == ""
    segment.value = "platform"
    shown_line(box)
    assert box.tables.value.count("<table") == 1 and "WeChat" in box.tables.value  # platform by its name
    experiment.value = PLANTED.experiment_with_lift
    assert shown_line(box).startswith("SRM passed")
    assert experiment_explorer(sample_dir, METRICS, [], experiment_id="EXP-NOPE").controls[0].value == (
        PLANTED.experiment_with_lift)  # an unknown start falls back to the first experiment


def test_explorer_labels_follow_the_language(sample_dir: Path) -> None:
    from helpers import i18n
    from helpers.experiments.charts import setup_style

    setup_style()  # the CJK font, as the notebook's set-up cell does
    with i18n.use_language("zh-CN"):
        box = experiment_explorer(sample_dir, METRICS, ["platform"], experiment_id=PLANTED.experiment_with_srm)
        experiment, metric, segment = box.controls
        assert (experiment.description, metric.description, segment.description) == ("实验", "指标", "细分人群")
        assert metric.options[0] == ("转化率", "conversions") and segment.options[1] == ("平台", "platform")
        assert shown_line(box) == "分流检查未通过（p < 0.001）；B：▲ 实验无效"


def test_explorer_shows_a_data_problem_instead_of_raising(sample_dir: Path) -> None:
    box = experiment_explorer(sample_dir, [MetricSpec("refunds", "binary", "refunded")], [])
    assert "refunded" in shown_line(box) and "opsbook-problem" in box.text.value
    assert box.image.layout.display == "none"


def test_explorer_without_unit_rows_says_the_results_come_from_totals(sample_dir: Path, tmp_path: Path) -> None:
    import shutil

    from helpers import i18n

    shutil.copy(sample_dir / "experiments.csv", tmp_path / "experiments.csv")  # a totals-only folder
    box = experiment_explorer(tmp_path, METRICS, ["platform"])
    assert box.controls[0].options == (PLANTED.experiment_with_lift, PLANTED.experiment_without_lift,
                                       PLANTED.experiment_with_srm)  # the experiments table is there
    assert "has none: the results above come from the totals export" in shown_line(box)
    assert "opsbook-problem" in box.text.value and box.image.layout.display == "none"
    with i18n.use_language("zh-CN"):
        box.redraw()
    assert shown_line(box).startswith("探索器需要用逐个用户的数据（experiment_units）重新评估")


def test_explorer_on_a_parquet_folder_draws_from_sums_the_same_view(sample_dir: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample's units as Parquet: the same line and segment table as from the CSV rows, no rows read."""
    import shutil

    import pandas as pd

    from helpers.experiments import charts

    folder = tmp_path / "data"
    shutil.copytree(sample_dir, folder)
    units = pd.read_csv(folder / "experiment_units.csv")
    units.to_parquet(folder / "experiment_units.parquet", index=False)
    (folder / "experiment_units.csv").unlink()
    shown = {}
    for name, data in (("csv", sample_dir), ("parquet", folder)):
        box = experiment_explorer(data, METRICS, ["platform"], experiment_id=PLANTED.experiment_with_lift)
        box.controls[2].value = "platform"
        shown[name] = (shown_line(box), re.sub(r"T_[0-9a-f]+", "T_", box.tables.value))  # the styler's random id
    assert shown["parquet"] == shown["csv"] and shown["csv"][1].count("<table") == 1
    read: list[object] = []
    monkeypatch.setattr(charts, "experiment_from_tables", lambda *args: read.append(args))
    box = experiment_explorer(folder, METRICS, ["platform"], experiment_id=PLANTED.experiment_with_lift)
    box.controls[2].value = "platform"
    assert shown_line(box) == shown["csv"][0] and read == []
