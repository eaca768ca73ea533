"""helpers.experiments.session: notebook parameters validated with messages that say what to do."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.experiments.session import prepare_run, summary_results

METRICS = {"conversions": "binary:conversions", "revenue": "mean:revenue"}


def prepare(sample_dir: Path, **changes):
    params = dict(experiment_id="EXP-TITLE-01", data_dir=str(sample_dir), metrics=METRICS, primary="",
                  guardrails="", alpha=0.05, power=0.8, correction="holm", covariate="", segments="platform",
                  time_column="assigned_at")
    params.update(changes)
    return prepare_run(**params)


def test_defaults_come_from_the_design(sample_dir: Path) -> None:
    run = prepare(sample_dir)
    assert run.settings.primary == ("conversions",)
    # the design's guardrails are clicks;revenue, and only revenue is a defined metric here
    assert run.settings.guardrails == ("revenue",)
    assert run.settings.mde == {"conversions": 0.008}


@pytest.mark.parametrize(("change", "message"), [
    ({"alpha": 0.9}, "alpha"), ({"correction": "tukey"}, "correction='tukey'"),
    ({"segments": "country"}, r"segments: column\(s\) \['country'\]"),
    ({"time_column": "when"}, "time_column='when'"), ({"metrics": {}}, "metrics is empty"),
    ({"aggregates_file": "/nope.csv"}, "aggregates_file"),
])
def test_bad_parameters(sample_dir: Path, change: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        prepare(sample_dir, **change)


def test_summary_rows_carry_intervals_as_pairs() -> None:
    frame = pd.DataFrame({"metric": ["m"], "abs_ci_low": [-1.0], "abs_ci_high": [2.0], "rel_ci_low": [-0.1],
                          "rel_ci_high": [0.2]})
    assert summary_results(frame) == [{"metric": "m", "abs_ci": [-1.0, 2.0], "rel_ci": [-0.1, 0.2]}]


def test_mde_parameter_overrides_for_the_primary_metrics(sample_dir: Path) -> None:
    assert prepare(sample_dir).settings.mde == {"conversions": 0.008}
    run = prepare(sample_dir, primary="revenue", mde="5")
    assert run.settings.mde == {"revenue": 5.0}
    with pytest.raises(ParameterError, match="lower_is_better names undefined"):
        prepare(sample_dir, lower_is_better="refunds")
