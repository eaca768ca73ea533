"""End-to-end: `opsbook run experiment_evaluation` on the sample's planted experiments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.sample import PLANTED

pytestmark = pytest.mark.slow


def run(experiment_id: str, out: Path) -> Path:
    """Run the notebook through the CLI and return its run folder."""
    result = subprocess.run([sys.executable, "-m", "helpers.cli", "run", "experiment_evaluation", "-p",
                             "experiment_id", experiment_id, "--out", str(out), "--quiet"],
                            capture_output=True, text=True, env={**os.environ}, timeout=900)
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


def test_srm_experiment_is_reported_invalid(sample_dir: Path, tmp_path: Path) -> None:
    folder = run(PLANTED.experiment_with_srm, tmp_path)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["srm"]["passed"] is False
    assert [d["verdict"] for d in summary["decision"]] == ["invalid"]
