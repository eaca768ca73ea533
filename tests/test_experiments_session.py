"""helpers.experiments.session: notebook parameters validated with messages that say what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.experiments.power import PlanInputs
from helpers.experiments.session import ExperimentRun, prepare
from helpers.sample import PLANTED

METRICS = {"conversions": "binary:conversions", "revenue": "mean:revenue"}


def run_with(sample_dir: Path, **changes: Any) -> ExperimentRun:
    params: dict[str, Any] = dict(
        experiment_id="EXP-TITLE-01", data_dir=str(sample_dir), aggregates_file="", metrics=METRICS, primary=[],
        guardrails=[], mde="", lower_is_better=[], alpha=0.05, power=0.8, correction="holm", covariate="",
        segments=["platform"], time_column="assigned_at", plan_std=0.0, plan_baseline=0.04, plan_mde=0.15,
        plan_relative=True, plan_variants=2, plan_daily_units=3000, lang="en")
    params.update(changes)
    return prepare(**params)


def test_defaults_come_from_the_design(sample_dir: Path) -> None:
    run = run_with(sample_dir)
    assert run.settings.primary == ("conversions",)
    # the design's guardrails are clicks;revenue, and only revenue is a defined metric here
    assert run.settings.guardrails == ("revenue",)
    assert run.settings.mde == {"conversions": 0.008}
    assert run.segments == ("platform",) and run.time_column == "assigned_at"
    assert run.data_dir == sample_dir.resolve()
    assert run.plan == PlanInputs(baseline=0.04, std=0.0, mde=0.15, relative=True, variants=2, daily_units=3000)


def test_lists_are_yaml_lists_and_a_single_name_is_one_item(sample_dir: Path) -> None:
    run = run_with(sample_dir, primary=["revenue"], guardrails="conversions", lower_is_better=["revenue"],
                   segments=["platform", "device", "platform"])
    assert run.settings.primary == ("revenue",) and run.settings.guardrails == ("conversions",)
    assert run.settings.lower_is_better == ("revenue",)
    assert run.segments == ("platform", "device")  # duplicates dropped, first kept
    assert run_with(sample_dir, segments=[]).segments == ()


@pytest.mark.parametrize("name", ["primary", "guardrails", "lower_is_better", "segments"])
def test_the_old_comma_text_gives_the_new_form(sample_dir: Path, name: str) -> None:
    with pytest.raises(ParameterError, match=rf"{name}='a,b' is written in the old text form.*{name} = \["):
        run_with(sample_dir, **{name: "a,b"})


def test_metrics_is_a_map_of_definitions(sample_dir: Path) -> None:
    with pytest.raises(ParameterError, match="metrics=.* old text form"):
        run_with(sample_dir, metrics="conversions=binary:conversions")
    with pytest.raises(ParameterError, match=r"metrics\[conversions\]=1: define the metric as text"):
        run_with(sample_dir, metrics={"conversions": 1})
    with pytest.raises(ParameterError, match="Parameter metrics is empty"):
        run_with(sample_dir, metrics="")


@pytest.mark.parametrize(("change", "message"), [
    ({"alpha": 0.9}, "alpha"), ({"correction": "tukey"}, "correction='tukey'"),
    ({"segments": ["country"]}, r"segments: column\(s\) \['country'\]"),
    ({"time_column": "when"}, "time_column='when'"), ({"metrics": {}}, "metrics is empty"),
    ({"aggregates_file": "/nope.csv"}, "aggregates_file"),
    ({"plan_std": -1}, "plan_std"), ({"plan_baseline": 1.0}, "plan_baseline=1.0 is a rate"),
    ({"plan_mde": 0}, "plan_mde=0"), ({"plan_relative": "yes"}, "plan_relative='yes'"),
    ({"plan_variants": 2.5}, "plan_variants=2.5"), ({"plan_variants": 1}, "plan_variants"),
    ({"plan_daily_units": 0}, "plan_daily_units"),
])
def test_bad_parameters(sample_dir: Path, change: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        run_with(sample_dir, **change)


def test_a_mean_plan_takes_any_baseline(sample_dir: Path) -> None:
    plan = run_with(sample_dir, plan_std=40.0, plan_baseline=120, plan_daily_units=2500.5).plan
    assert plan == PlanInputs(baseline=120.0, std=40.0, mde=0.15, relative=True, variants=2, daily_units=2500.5)


def test_mde_parameter_overrides_for_the_primary_metrics(sample_dir: Path) -> None:
    assert run_with(sample_dir).settings.mde == {"conversions": 0.008}
    run = run_with(sample_dir, primary=["revenue"], mde="5")
    assert run.settings.mde == {"revenue": 5.0}
    with pytest.raises(ParameterError, match="lower_is_better names undefined"):
        run_with(sample_dir, lower_is_better=["refunds"])


def test_sections_follow_the_data_the_run_has(sample_dir: Path, tmp_path: Path) -> None:
    run = run_with(sample_dir, experiment_id=PLANTED.experiment_without_lift)  # A/B/C: two treatments
    assert [d.name for d in run.running_differences()] == ["cumulative_B", "cumulative_C"]
    assert set(run.segment_breakdown()["segment"]) == {"platform"}
    assert run.assignment_window() is not None
    bare = run_with(sample_dir, segments=[], time_column="")
    assert bare.running_differences() == [] and bare.segment_breakdown().empty and bare.assignment_window() is None
    totals = tmp_path / "totals.csv"
    pd.DataFrame({"variant": ["A", "B"], "units": [100, 100], "conversions_sum": [4, 6],
                  "revenue_sum": [400.0, 500.0], "revenue_sum_sq": [4000.0, 5000.0]}).to_csv(totals, index=False)
    from_totals = run_with(sample_dir, aggregates_file=str(totals))
    assert from_totals.units is None and from_totals.segment_breakdown().empty
    assert from_totals.running_differences() == [] and from_totals.assignment_window() is None
    assert from_totals.evaluate().srm.observed == {"A": 100, "B": 100}


def test_plan_of_the_next_test_uses_the_run_alpha_and_power(sample_dir: Path) -> None:
    plan = run_with(sample_dir, alpha=0.1, power=0.9).plan_next_test()
    assert (plan["alpha"], plan["power"]) == (0.1, 0.9)


def test_lang_sets_the_language_of_the_run(sample_dir: Path) -> None:
    from helpers import i18n
    from helpers.errors import ParameterError

    run = run_with(sample_dir, lang="zh-CN")
    assert run.lang == "zh-CN" and i18n.current_language() == "zh-CN"
    assert run_with(sample_dir, lang="en").lang == "en" and i18n.current_language() == "en"
    with pytest.raises(ParameterError, match="lang must be one of"):
        run_with(sample_dir, lang="fr")
