"""End-to-end: `opsbook run experiment_evaluation` on the sample's planted experiments."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cli_run import opsbook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow


def opsbook_run(experiment_id: str, out: Path, *pairs: tuple[str, str]) -> subprocess.CompletedProcess[str]:
    """`opsbook run experiment_evaluation -p experiment_id <id> [-p name value ...]`."""
    options = [part for name, value in pairs for part in ("-p", name, value)]
    return opsbook("run", "experiment_evaluation", "-p", "experiment_id", experiment_id, *options, "--out", str(out),
                   "--quiet")


def run(experiment_id: str, out: Path, *pairs: tuple[str, str]) -> Path:
    """Run the notebook through the CLI and return its run folder."""
    result = opsbook_run(experiment_id, out, *pairs)
    assert result.returncode == 0, result.stderr[-4000:]
    return out / "experiment_evaluation" / experiment_id


def test_summary_of_the_lift_experiment(sample_dir: Path, tmp_path: Path) -> None:
    folder = run(PLANTED.experiment_with_lift, tmp_path)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["experiment"]["experiment_id"] == PLANTED.experiment_with_lift
    assert set(summary["srm"]) >= {"chi2", "p_value", "passed"} and summary["srm"]["passed"]
    row = next(r for r in summary["results"] if r["metric"] == "conversions" and r["variant"] == "B")
    for key in ("metric", "kind", "control", "variant", "control_value", "variant_value", "abs_diff", "abs_ci",
                "rel_diff", "rel_ci", "p_value", "p_value_adjusted", "test", "power", "mde",
                "prob_beat_control", "expected_loss", "significant"):
        assert key in row, key
    assert row["significant"] and row["abs_diff"] > 0 and row["abs_ci"][0] > 0
    assert [d["verdict"] for d in summary["decision"]] == ["ship"]
    assert (folder / "report.html").stat().st_size > 0 and (folder / "figures" / "forest.png").exists()
    # the runner records every parameter, including those the notebook once left out
    params = summary["params"]
    assert params["experiment_id"] == PLANTED.experiment_with_lift and summary["params_set"] == ["experiment_id"]
    assert (params["mde"], params["lower_is_better"], params["time_column"], params["data_dir"]) == (
        "", [], "assigned_at", "")
    assert params["segments"] == ["platform", "device", "is_new"] and params["primary"] == []
    assert summary["tables"] == ["tables/srm.csv", "tables/results.csv", "tables/segments.csv",
                                 "tables/cumulative_B.csv", "tables/decisions.csv"]


def test_srm_experiment_is_reported_invalid(sample_dir: Path, tmp_path: Path) -> None:
    folder = run(PLANTED.experiment_with_srm, tmp_path)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["srm"]["passed"] is False
    assert [d["verdict"] for d in summary["decision"]] == ["invalid"]


def test_lists_from_the_command_line(sample_dir: Path, tmp_path: Path) -> None:
    folder = run(PLANTED.experiment_without_lift, tmp_path, ("primary", "[conversions]"),
                 ("guardrails", "[revenue]"), ("segments", "[device]"), ("mde", "0.02"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["params"]["segments"] == ["device"] and summary["params"]["mde"] == "0.02"
    assert {r["segment"] for r in summary["segments"]} == {"device"}
    assert {r["metric"]: r["role"] for r in summary["results"]} == {
        "conversions": "primary", "clicks": "secondary", "revenue": "guardrail"}
    # no lift planted: neither B nor C ships
    assert [d["variant"] for d in summary["decision"]] == ["B", "C"]
    assert "ship" not in {d["verdict"] for d in summary["decision"]}
    # the old text form ('platform,device') is refused in session.prepare: tests/test_experiments_session.py
